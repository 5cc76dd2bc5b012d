package httpmw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/verify"
)

// TestDPoPBoundWithoutDPoP: a middleware without Config.DPoP cannot check
// a proof of possession, so a token bound to a DPoP key is refused rather
// than accepted as a bearer token (a stolen bound token must not work);
// unbound tokens are unaffected.
func TestDPoPBoundWithoutDPoP(t *testing.T) {
	v, _ := newVerifier(t, staticKeys(t))
	var got *httpmw.Failure
	mw, err := httpmw.New(httpmw.Config{Checker: v, ErrorWriter: func(w http.ResponseWriter, _ *http.Request, f *httpmw.Failure) {
		got = f
		w.WriteHeader(f.Status)
	}})
	if err != nil {
		t.Fatal(err)
	}
	bound := claims("read")
	bound["cnf"] = map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
	badCnf := claims("read")
	badCnf["cnf"] = map[string]any{"jkt": 7}
	tests := []struct {
		name       string
		token      string
		wantStatus int
		wantReason verify.Reason
	}{
		{"unbound token", token(t, "read"), http.StatusOK, ""},
		{"DPoP-bound token as Bearer", sign(t, testkeys.RSA2048(0), testKID, bound), http.StatusUnauthorized, verify.ReasonBindingMismatch},
		{"cnf.jkt of the wrong type", sign(t, testkeys.RSA2048(0), testKID, badCnf), http.StatusUnauthorized, verify.ReasonBindingMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := httptest.NewRecorder()
			mw.Handler(whoami).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantReason != "" && (got == nil || got.Reason != tt.wantReason) {
				t.Fatalf("failure = %+v, want reason %s", got, tt.wantReason)
			}
		})
	}
}
