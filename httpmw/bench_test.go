package httpmw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/interleave"
	"github.com/jwtguard/jwtguard/verify"
)

// benchVerifier is newVerifier without the decision hook, as most
// deployments run it.
func benchVerifier(b *testing.B) *verify.Verifier {
	b.Helper()
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: testIssuer, Keys: staticKeys(b)}},
		Audiences: []string{testAud},
		Now:       func() time.Time { return testNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

// BenchmarkHandler measures a full request through the middleware with a
// warm (cached) token beside the same handler without it. The overhead is
// the difference between "bare" and the other cases of one run.
func BenchmarkHandler(b *testing.B) {
	v := benchVerifier(b)
	other := benchVerifier(b) // same keys, separate verifier and token cache
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		b.Fatal(err)
	}
	otherMW, err := httpmw.New(httpmw.Config{Checker: other})
	if err != nil {
		b.Fatal(err)
	}
	read := verify.ScopeRule{AllOf: []string{"read"}}
	tok := token(b, "read", "write")
	cases := []struct {
		name   string
		h      http.Handler
		auth   string
		status int
	}{
		{"bare", okHandler, "Bearer " + tok, 204},
		{"Handler", mw.Handler(okHandler), "Bearer " + tok, 204},
		{"Require", mw.Require(read)(okHandler), "Bearer " + tok, 204},
		// Require trusts the claims Handler stored: one verification.
		{"Handler+Require", mw.Handler(mw.Require(read)(okHandler)), "Bearer " + tok, 204},
		// What Require would cost if it verified again (via the token cache).
		{"Handler+Require_reverify", mw.Handler(otherMW.Require(read)(okHandler)), "Bearer " + tok, 204},
		{"reject_missing", mw.Handler(okHandler), "", 401},
		{"reject_malformed", mw.Handler(okHandler), "Bearer a b", 400},
	}
	// The verifier's share: a token-cache hit without HTTP.
	b.Run("verify_only", func(b *testing.B) {
		b.ReportAllocs()
		ctx := b.Context()
		for b.Loop() {
			if _, err := v.Verify(ctx, tok, read); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, bc := range cases {
		newReq := func() *http.Request {
			r := httptest.NewRequest("GET", "/v1/subscribers", nil)
			if bc.auth != "" {
				r.Header.Set("Authorization", bc.auth)
			}
			return r
		}
		// Warm the verifiers' token caches and check the answer once.
		w := httptest.NewRecorder()
		bc.h.ServeHTTP(w, newReq())
		if w.Code != bc.status {
			b.Fatalf("%s: status %d, want %d", bc.name, w.Code, bc.status)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			r := newReq()
			for b.Loop() {
				bc.h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := newReq()
				for pb.Next() {
					bc.h.ServeHTTP(httptest.NewRecorder(), r)
				}
			})
		})
	}
}

// BenchmarkOverhead measures what Handler adds to a request with a warm
// token: the bare handler and the wrapped one run alternately in batches
// of 64 requests (see internal/interleave for the metrics).
func BenchmarkOverhead(b *testing.B) {
	mw, err := httpmw.New(httpmw.Config{Checker: benchVerifier(b)})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v1/subscribers", nil)
	r.Header.Set("Authorization", "Bearer "+token(b, "read"))
	wrapped := mw.Handler(okHandler)
	w := httptest.NewRecorder()
	if wrapped.ServeHTTP(w, r); w.Code != http.StatusNoContent { // warms the token cache
		b.Fatalf("status %d", w.Code)
	}
	interleave.Overhead(b, 64,
		func() { okHandler.ServeHTTP(httptest.NewRecorder(), r) },
		func() { wrapped.ServeHTTP(httptest.NewRecorder(), r) })
}
