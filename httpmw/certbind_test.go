package httpmw_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/bindtest"
	"github.com/jwtguard/jwtguard/verify"
)

// TestCertBoundTokens sends certificate-bound, unbound and malformed-cnf
// tokens over real TLS, with and without client certificates, to API
// servers that ask for certificates, that do not, and that require every
// token to be bound.
func TestCertBoundTokens(t *testing.T) {
	f := bindtest.New(t)
	var mu sync.Mutex
	var last *verify.Rejection
	urls := map[bindtest.Server]string{}
	for _, kind := range bindtest.Servers {
		mw, err := httpmw.New(httpmw.Config{
			Checker:            f.Checker,
			RequireCertBinding: kind == bindtest.Required,
			OnReject: func(_ context.Context, r verify.Rejection) {
				mu.Lock()
				last = &r
				mu.Unlock()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		api := httptest.NewUnstartedServer(mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := verify.FromContext(r.Context())
			io.WriteString(w, c.Subject)
		})))
		api.TLS = f.ServerTLS(kind)
		api.StartTLS()
		t.Cleanup(api.Close)
		urls[kind] = api.URL
	}
	for _, tc := range f.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			mu.Lock()
			last = nil
			mu.Unlock()
			tr := &http.Transport{TLSClientConfig: f.ClientTLS(tc.Cert), ForceAttemptHTTP2: true}
			defer tr.CloseIdleConnections()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, urls[tc.Server]+"/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tc.Token)
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mu.Lock()
			fl := last
			mu.Unlock()
			if tc.Want == "" {
				if resp.StatusCode != http.StatusOK || string(body) != tc.Subject() || fl != nil {
					t.Fatalf("got %d %q (refusal %+v), want 200 %s", resp.StatusCode, body, fl, tc.Subject())
				}
				return
			}
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Bearer realm="api", error="invalid_token"` {
				t.Fatalf("got %d %q, want 401 invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			if fl == nil || fl.Reason != tc.Want {
				t.Fatalf("OnReject saw %+v, want reason %q", fl, tc.Want)
			}
		})
	}
}

// TestCertBindingRequiredBehindHandler: Require of a Middleware that
// requires bound tokens refuses an unbound one that another Middleware's
// Handler (same Checker, no requirement) already accepted.
func TestCertBindingRequiredBehindHandler(t *testing.T) {
	v, _ := newVerifier(t, staticKeys(t))
	outer, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		t.Fatal(err)
	}
	var reason verify.Reason
	inner, err := httpmw.New(httpmw.Config{Checker: v, RequireCertBinding: true,
		OnReject: func(_ context.Context, r verify.Rejection) { reason = r.Reason }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		h    http.Handler
		want int
	}{
		{"outer only", outer.Handler(whoami), http.StatusOK},
		{"requiring Require behind Handler", outer.Handler(inner.Require(verify.ScopeRule{})(whoami)), http.StatusUnauthorized},
		{"requiring Handler", inner.Handler(whoami), http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reason = ""
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+token(t))
			tt.h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want != http.StatusOK && reason != verify.ReasonInvalidCertBinding {
				t.Fatalf("reason %q, want %q", reason, verify.ReasonInvalidCertBinding)
			}
		})
	}
}
