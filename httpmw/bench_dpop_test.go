package httpmw_test

import (
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/httpmw"
)

// BenchmarkBearerWithDPoP is what Config.DPoP adds to a request with a
// warm Bearer token: reading cnf from the claims to refuse bound tokens.
// Compare with BenchmarkHandler/Handler.
func BenchmarkBearerWithDPoP(b *testing.B) {
	dv, err := dpop.NewVerifier(dpop.Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		dv   *dpop.Verifier
	}{{"without_DPoP", nil}, {"with_DPoP", dv}} {
		mw, err := httpmw.New(httpmw.Config{Checker: benchVerifier(b), DPoP: bc.dv})
		if err != nil {
			b.Fatal(err)
		}
		h := mw.Handler(okHandler)
		r := httptest.NewRequest("GET", "/v1/subscribers", nil)
		r.Header.Set("Authorization", "Bearer "+token(b, "read"))
		w := httptest.NewRecorder()
		if h.ServeHTTP(w, r); w.Code != 204 { // warms the token cache
			b.Fatalf("status %d", w.Code)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
