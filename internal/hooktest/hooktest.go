// Package hooktest drives jwtguard's observability hooks through real
// requests, for the tests of the metrics integrations: a service behind
// httpmw trusting one healthy issuer and one that is down, and a fixed set
// of allowed, refused and outage requests.
package hooktest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// Hooks are the integration's hook funcs under test. Nil fields are not
// installed.
type Hooks struct {
	OnDecision func(verify.Decision)
	// JWKS returns the OnEvent func of the cache named issuer: "up" or
	// "down".
	JWKS     func(issuer string) func(jwks.Event)
	OnReject func(context.Context, verify.Rejection)
	// Checker wraps the verifier.
	Checker func(verify.Checker) verify.Checker
	// Wrap wraps the whole handler (e.g. to start a request span).
	Wrap func(http.Handler) http.Handler
}

// Fixture is the protected service.
type Fixture struct {
	Up, Down *issuertest.Server
	handler  http.Handler
}

// New starts both issuers and builds the service with the hooks that
// hooks returns for the healthy issuer's name. Integrations under test
// should list only that name as known, so that the down issuer shows as
// "other".
func New(t *testing.T, hooks func(upIssuer string) Hooks) *Fixture {
	t.Helper()
	f := &Fixture{
		Up:   issuertest.NewServer(issuertest.Config{TLS: true}),
		Down: issuertest.NewServer(issuertest.Config{TLS: true}),
	}
	t.Cleanup(f.Up.Close)
	t.Cleanup(f.Down.Close)
	f.Up.AddClient(issuertest.Client{ID: "svc", Secret: "s", Scopes: []string{"sms.read", "other"}})
	f.Down.AddClient(issuertest.Client{ID: "svc", Secret: "s", Scopes: []string{"sms.read"}})
	f.Down.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable})
	h := hooks(f.Up.Issuer())
	onEvent := func(name string) func(jwks.Event) {
		if h.JWKS == nil {
			return nil
		}
		return h.JWKS(name)
	}
	ctx := context.Background()
	upKeys, err := jwks.New(ctx, jwks.Config{Issuer: f.Up.Issuer(), HTTPClient: f.Up.Client(), OnEvent: onEvent("up")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { upKeys.Close() })
	downKeys, err := jwks.New(ctx, jwks.Config{Issuer: f.Down.Issuer(), HTTPClient: f.Down.Client(), OnEvent: onEvent("down"), LazyStart: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { downKeys.Close() })
	v, err := verify.New(verify.Config{
		Issuers:                   []verify.Issuer{{Name: f.Up.Issuer(), Keys: upKeys}, {Name: f.Down.Issuer(), Keys: downKeys}},
		InsecureSkipAudienceCheck: true,
		OnDecision:                h.OnDecision,
	})
	if err != nil {
		t.Fatal(err)
	}
	var checker verify.Checker = v
	if h.Checker != nil {
		checker = h.Checker(v)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: checker, OnReject: h.OnReject})
	if err != nil {
		t.Fatal(err)
	}
	f.handler = mw.Require(verify.ScopeRule{AllOf: []string{"sms.read"}})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	if h.Wrap != nil {
		f.handler = h.Wrap(f.handler)
	}
	return f
}

// Request is one request of the standard set.
type Request struct {
	Name  string // its path is "/"+Name
	Token string
	Want  int
}

// Requests returns the standard set: two allowed (the second a
// verified-token cache hit), no token, wrong scope, a token naming an
// unknown issuer, and one from the issuer that is down.
func (f *Fixture) Requests() []Request {
	good := f.Up.AccessToken("svc", "sms.read")
	return []Request{
		{"allowed", good, http.StatusOK},
		{"allowed-again", good, http.StatusOK},
		{"no-token", "", http.StatusUnauthorized},
		{"wrong-scope", f.Up.AccessToken("svc", "other"), http.StatusForbidden},
		{"forged-issuer", f.Up.Mint(map[string]any{"iss": "https://evil.test/", "scp": []string{"sms.read"}}, issuertest.MintOptions{}), http.StatusUnauthorized},
		{"outage", f.Down.AccessToken("svc", "sms.read"), http.StatusServiceUnavailable},
	}
}

// Run sends every request of the standard set and checks its status.
func (f *Fixture) Run(t *testing.T) []Request {
	t.Helper()
	reqs := f.Requests()
	for _, r := range reqs {
		req := httptest.NewRequest(http.MethodGet, "/"+r.Name, nil)
		if r.Token != "" {
			req.Header.Set("Authorization", "Bearer "+r.Token)
		}
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		if rec.Code != r.Want {
			t.Fatalf("%s: status %d, want %d", r.Name, rec.Code, r.Want)
		}
	}
	return reqs
}
