package httpmw_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

var _ httpmw.DPoPChecker = (*dpop.Verifier)(nil)

// dpopClock is the injected clock of the DPoP tests: issuer, verifier and
// proof checks all read it.
type dpopClock struct{ ns atomic.Int64 }

func (c *dpopClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *dpopClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// dpopStack is a test issuer, a verifier of its tokens, a DPoP verifier
// and an API server whose routes use every DPoP mode.
type dpopStack struct {
	*e2etest.Stack
	clk   *dpopClock
	api   *httptest.Server
	cl    *issuertest.DPoPClient // holds the key bound tokens are bound to
	bound string                 // an access token bound to cl's key
	plain string                 // an access token bound to no key
	mu    sync.Mutex
	fails []verify.Rejection
}

func newDPoPStack(t *testing.T, dc dpop.Config) *dpopStack {
	t.Helper()
	s := &dpopStack{clk: &dpopClock{}}
	s.clk.ns.Store(testNow.UnixNano())
	s.Stack = e2etest.New(t, e2etest.Options{
		Issuer: issuertest.Config{Now: s.clk.Now},
		Verify: verify.Config{Now: s.clk.Now},
	})
	s.Issuer.AddClient(issuertest.Client{ID: "app", Secret: "secret", Scopes: []string{"read"}})
	dc.Now = s.clk.Now
	dv, err := dpop.NewVerifier(dc)
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: s.Verifier, DPoP: dv,
		OnReject: func(_ context.Context, r verify.Rejection) { s.mu.Lock(); s.fails = append(s.fails, r); s.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, isDPoP := dpop.FromContext(r.Context()); isDPoP {
			io.WriteString(w, "dpop "+p.JKT)
			return
		}
		io.WriteString(w, "bearer")
	})
	var any verify.ScopeRule
	mux := http.NewServeMux()
	mux.Handle("GET /allowed", mw.Handler(ok))
	mux.Handle("GET /required", mw.RequireDPoP(httpmw.DPoPRequired, any)(ok))
	mux.Handle("GET /disabled", mw.RequireDPoP(httpmw.DPoPDisabled, any)(ok))
	mux.Handle("GET /scoped", mw.Require(verify.ScopeRule{AllOf: []string{"admin"}})(ok))
	mux.Handle("GET /nested/required", mw.Handler(mw.RequireDPoP(httpmw.DPoPRequired, any)(ok)))
	mux.Handle("GET /nested/disabled", mw.Handler(mw.RequireDPoP(httpmw.DPoPDisabled, any)(ok)))
	s.api = httptest.NewServer(mux)
	t.Cleanup(s.api.Close)

	s.cl = issuertest.NewDPoPClient(s.clk.Now)
	if s.bound, err = s.cl.Token(s.Issuer.Client(), s.Issuer, "app", "secret"); err != nil {
		t.Fatal(err)
	}
	s.plain = s.Issuer.IssueAccessToken("app")
	return s
}

// call sends GET path with the Authorization value auth (none when "")
// and the DPoP header values proofs.
func (s *dpopStack) call(t *testing.T, path, auth string, proofs ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", s.api.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header["Dpop"] = proofs
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (s *dpopStack) lastFailure() *verify.Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fails) == 0 {
		return nil
	}
	return &s.fails[len(s.fails)-1]
}

func TestDPoPMiddleware(t *testing.T) {
	s := newDPoPStack(t, dpop.Config{Algorithms: []string{"ES256", "PS256"}})
	other := issuertest.NewDPoPClient(s.clk.Now)
	proof := func(path, tok string) string { return s.cl.Proof("GET", s.api.URL+path, tok) }
	const (
		bearerCh = `Bearer realm="api"`
		dpopCh   = `DPoP realm="api", algs="ES256 PS256"`
	)
	tests := []struct {
		name      string
		path      string
		auth      func() string
		proofs    func(path string) []string
		status    int
		body      string // prefix of the body of an accepted request
		reason    verify.Reason
		challenge []string // every WWW-Authenticate value, in order
	}{
		{name: "DPoP token with proof", path: "/allowed",
			auth: func() string { return "DPoP " + s.bound }, proofs: func(p string) []string { return []string{proof(p, s.bound)} },
			status: 200, body: "dpop " + s.cl.JKT()},
		{name: "unbound Bearer token", path: "/allowed", auth: func() string { return "Bearer " + s.plain },
			status: 200, body: "bearer"},
		{name: "bound token as Bearer", path: "/allowed", auth: func() string { return "Bearer " + s.bound },
			status: 401, reason: verify.ReasonBindingMismatch,
			challenge: []string{bearerCh + `, error="invalid_token"`, dpopCh}},
		{name: "bound token as Bearer, with a proof", path: "/allowed", auth: func() string { return "Bearer " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound)} },
			status: 401, reason: verify.ReasonBindingMismatch},
		{name: "bound token without proof", path: "/allowed", auth: func() string { return "DPoP " + s.bound },
			status: 401, reason: verify.ReasonInvalidDPoPProof,
			challenge: []string{bearerCh, `DPoP realm="api", error="invalid_dpop_proof", algs="ES256 PS256"`}},
		{name: "two DPoP headers", path: "/allowed", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound), proof(p, s.bound)} },
			status: 401, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof for another path", path: "/allowed", auth: func() string { return "DPoP " + s.bound },
			proofs: func(string) []string { return []string{proof("/required", s.bound)} },
			status: 401, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof by another key", path: "/allowed", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{other.Proof("GET", s.api.URL+p, s.bound)} },
			status: 401, reason: verify.ReasonBindingMismatch,
			challenge: []string{bearerCh, `DPoP realm="api", error="invalid_token", algs="ES256 PS256"`}},
		{name: "unbound token with DPoP scheme", path: "/allowed", auth: func() string { return "DPoP " + s.plain },
			proofs: func(p string) []string { return []string{proof(p, s.plain)} },
			status: 401, reason: verify.ReasonBindingMismatch},
		{name: "no credentials", path: "/allowed", status: 401, challenge: []string{bearerCh, dpopCh}},
		{name: "two Authorization schemes", path: "/allowed", auth: func() string { return "DPoP " + s.bound + ", Bearer x" },
			status: 400, challenge: []string{bearerCh + `, error="invalid_request"`, dpopCh}},

		{name: "required: DPoP", path: "/required", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound)} }, status: 200, body: "dpop"},
		{name: "required: Bearer", path: "/required", auth: func() string { return "Bearer " + s.plain },
			status: 401, challenge: []string{dpopCh}},
		{name: "required: bad proof", path: "/required", auth: func() string { return "DPoP " + s.bound },
			proofs: func(string) []string { return []string{"x.y.z"} }, status: 401, reason: verify.ReasonInvalidDPoPProof,
			challenge: []string{`DPoP realm="api", error="invalid_dpop_proof", algs="ES256 PS256"`}},
		{name: "required behind Handler: Bearer", path: "/nested/required", auth: func() string { return "Bearer " + s.plain },
			status: 401, challenge: []string{dpopCh}},
		{name: "required behind Handler: DPoP", path: "/nested/required", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound)} }, status: 200, body: "dpop"},

		{name: "disabled: Bearer", path: "/disabled", auth: func() string { return "Bearer " + s.plain }, status: 200, body: "bearer"},
		{name: "disabled: DPoP is no credentials", path: "/disabled", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound)} }, status: 401, challenge: []string{bearerCh}},
		{name: "disabled: bound token as Bearer", path: "/disabled", auth: func() string { return "Bearer " + s.bound },
			status: 401, reason: verify.ReasonBindingMismatch, challenge: []string{bearerCh + `, error="invalid_token"`}},
		{name: "disabled behind Handler: DPoP", path: "/nested/disabled", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound)} }, status: 401, challenge: []string{bearerCh}},

		{name: "insufficient scope with DPoP", path: "/scoped", auth: func() string { return "DPoP " + s.bound },
			proofs: func(p string) []string { return []string{proof(p, s.bound)} }, status: 403, reason: verify.ReasonInsufficientScope,
			challenge: []string{bearerCh, `DPoP realm="api", error="insufficient_scope", scope="admin", algs="ES256 PS256"`}},
		{name: "proof checked before scope", path: "/scoped", auth: func() string { return "DPoP " + s.bound },
			status: 401, reason: verify.ReasonInvalidDPoPProof},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := ""
			if tt.auth != nil {
				auth = tt.auth()
			}
			var proofs []string
			if tt.proofs != nil {
				proofs = tt.proofs(tt.path)
			}
			resp, body := s.call(t, tt.path, auth, proofs...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %q; want %d (failure %+v)", resp.StatusCode, body, tt.status, s.lastFailure())
			}
			if tt.status == 200 {
				if !strings.HasPrefix(body, tt.body) {
					t.Fatalf("body %q; want prefix %q", body, tt.body)
				}
				return
			}
			if f := s.lastFailure(); tt.reason != "" && (f == nil || f.Reason != tt.reason) {
				t.Fatalf("failure %+v; want reason %q", f, tt.reason)
			}
			if got := resp.Header.Values("WWW-Authenticate"); tt.challenge != nil && strings.Join(got, "\n") != strings.Join(tt.challenge, "\n") {
				t.Fatalf("WWW-Authenticate:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.challenge, "\n"))
			}
		})
	}
}

// TestDPoPReplayAndExpiry sends one proof twice, and a proof after its
// window.
func TestDPoPReplayAndExpiry(t *testing.T) {
	s := newDPoPStack(t, dpop.Config{})
	p := s.cl.Proof("GET", s.api.URL+"/allowed", s.bound)
	for i, want := range []int{200, 401} {
		if resp, _ := s.call(t, "/allowed", "DPoP "+s.bound, p); resp.StatusCode != want {
			t.Fatalf("use %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	p = s.cl.Proof("GET", s.api.URL+"/allowed", s.bound)
	s.clk.Advance(dpop.DefaultMaxAge + time.Second)
	if resp, _ := s.call(t, "/allowed", "DPoP "+s.bound, p); resp.StatusCode != 401 || s.lastFailure().Reason != verify.ReasonInvalidDPoPProof {
		t.Fatalf("stale proof: status %d, failure %+v", resp.StatusCode, s.lastFailure())
	}
}

// TestDPoPNonce runs RFC 9449 §9's flow: the first request lacks the
// server's nonce and is refused with use_dpop_nonce and the nonce; the
// client retries with it.
func TestDPoPNonce(t *testing.T) {
	clk := &dpopClock{}
	clk.ns.Store(testNow.UnixNano())
	nonces, err := dpop.NewRotatingNonces([]byte(strings.Repeat("k", 32)), time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	s := newDPoPStack(t, dpop.Config{Nonces: nonces})
	req, err := http.NewRequestWithContext(t.Context(), "GET", s.api.URL+"/allowed?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.cl.Do(http.DefaultClient, req, s.bound)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d after the nonce retry; failure %+v", resp.StatusCode, s.lastFailure())
	}
	if f := s.lastFailure(); f == nil || f.Reason != verify.ReasonUseDPoPNonce || f.Outcome != verify.OutcomeInvalidToken {
		t.Fatalf("first refusal %+v; want use_dpop_nonce", f)
	}
	// A proof without the nonce gets it in DPoP-Nonce.
	r, _ := s.call(t, "/allowed", "DPoP "+s.bound, s.cl.ProofWith("GET", s.api.URL+"/allowed", s.bound, issuertest.ProofOptions{Claims: map[string]any{"nonce": nil}}))
	if want, _ := nonces.Nonce(t.Context()); r.Header.Get("DPoP-Nonce") != want {
		t.Fatalf("DPoP-Nonce %q, want %q", r.Header.Get("DPoP-Nonce"), want)
	}
	if got := r.Header.Values("WWW-Authenticate"); len(got) != 2 || got[1] != `DPoP realm="api", error="use_dpop_nonce", algs="`+dpopAlgs()+`"` {
		t.Fatalf("challenges %q", got)
	}
}

func dpopAlgs() string {
	v, _ := dpop.NewVerifier(dpop.Config{})
	return v.Algorithms()
}

// TestDPoPOffByDefault checks that without Config.DPoP the DPoP scheme is
// another scheme, as before DPoP support, and a DPoP-bound token is not
// accepted as a bearer token: its binding cannot be proven here.
func TestDPoPOffByDefault(t *testing.T) {
	s := newDPoPStack(t, dpop.Config{})
	mw, err := httpmw.New(httpmw.Config{Checker: s.Verifier})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	for _, tt := range []struct {
		auth      string
		status    int
		challenge []string
	}{
		{"DPoP " + s.bound, 401, []string{`Bearer realm="api"`}},
		{"Bearer " + s.bound, 401, []string{`Bearer realm="api", error="invalid_token"`}},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Values("WWW-Authenticate"); w.Code != tt.status || strings.Join(got, "|") != strings.Join(tt.challenge, "|") {
			t.Fatalf("%.10s…: %d %q; want %d %q", tt.auth, w.Code, got, tt.status, tt.challenge)
		}
	}
}

func TestDPoPConfigRefused(t *testing.T) {
	s := newDPoPStack(t, dpop.Config{})
	dv, _ := dpop.NewVerifier(dpop.Config{})
	if _, err := httpmw.New(httpmw.Config{Checker: s.Verifier, DPoP: dv, DPoPMode: 7}); err == nil {
		t.Fatal("unknown DPoPMode accepted")
	}
	var nilVerifier *dpop.Verifier
	if _, err := httpmw.New(httpmw.Config{Checker: s.Verifier, DPoP: nilVerifier}); err == nil {
		t.Fatal("nil *dpop.Verifier accepted")
	}
	mw, err := httpmw.New(httpmw.Config{Checker: s.Verifier})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("RequireDPoP without Config.DPoP did not panic")
		}
	}()
	mw.RequireDPoP(httpmw.DPoPRequired, verify.ScopeRule{})
}
