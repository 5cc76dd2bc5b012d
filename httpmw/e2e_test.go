package httpmw_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	e2eAudience = "https://api.wgtwo.test/"
	scopeRead   = "subscription.read"
	scopeSMS    = "sms.text:send_to_subscriber"
)

// e2e is the whole stack on loopback: a TLS test issuer, a jwks.Cache of
// its keys, a verifier, and the middleware behind a TLS API server.
type e2e struct {
	*e2etest.Stack
	iss   *issuertest.Server
	keys  *jwks.Cache
	api   *httptest.Server
	ctx   context.Context // carries oauth2.HTTPClient = the issuer's TLS client
	mu    sync.Mutex
	fails []verify.Rejection
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	e := &e2e{}
	e.Stack = e2etest.New(t, e2etest.Options{
		Issuer: issuertest.Config{TLS: true, Audience: []string{e2eAudience}},
		// Several rotations happen within a second here; the default
		// 15 s cooldown between unknown-kid refreshes would (by design)
		// refuse the second new kid for up to 15 s.
		Cache: jwks.Config{UnknownKIDCooldown: time.Nanosecond},
	})
	e.iss, e.keys = e.Issuer, e.Keys
	// wgtwo and Sangoma authenticate clients with HTTP Basic; Net2Phone
	// with client_id/client_secret in the form body. The issuer refuses
	// any other method for each client, so the auth style is checked.
	e.iss.AddClient(issuertest.Client{ID: "wgtwo-app", Secret: "s3cret/+:=", Scopes: []string{scopeRead, scopeSMS},
		AuthMethod: issuertest.AuthMethodBasic})
	e.iss.AddClient(issuertest.Client{ID: "n2p-app", Secret: "n2p-secret", Scopes: []string{scopeRead},
		AuthMethod: issuertest.AuthMethodPost})
	v := e.Verifier
	mw, err := httpmw.New(httpmw.Config{
		Checker: v,
		OnReject: func(_ context.Context, r verify.Rejection) {
			e.mu.Lock()
			e.fails = append(e.fails, r)
			e.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := verify.FromContext(r.Context())
		w.Write([]byte(c.ClientID))
	})
	mux := http.NewServeMux()
	mux.Handle("GET /v1/subscribers", mw.Require(verify.ScopeRule{AllOf: []string{scopeRead}})(ok))
	mux.Handle("POST /v1/sms", mw.Require(verify.ScopeRule{AllOf: []string{scopeSMS}})(ok))
	e.api = httptest.NewTLSServer(mw.Handler(mux))
	t.Cleanup(e.api.Close)
	// httptest servers share one self-signed certificate, so the issuer's
	// client also trusts the API server.
	e.ctx = context.WithValue(t.Context(), oauth2.HTTPClient, e.iss.Client())
	return e
}

// client returns an http.Client that obtains its token from the issuer
// with x/oauth2's client-credentials flow and sends it on every request.
func (e *e2e) client(id, secret string, style oauth2.AuthStyle) *http.Client {
	cc := &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: e.iss.TokenURL(), AuthStyle: style}
	return cc.Client(e.ctx)
}

func (e *e2e) wgtwo() *http.Client {
	return e.client("wgtwo-app", "s3cret/+:=", oauth2.AuthStyleInHeader)
}
func (e *e2e) n2p() *http.Client { return e.client("n2p-app", "n2p-secret", oauth2.AuthStyleInParams) }

// call sends one request and returns the status and challenge.
func (e *e2e) call(t *testing.T, c *http.Client, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.api.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

func (e *e2e) decisions() []verify.Decision { return e.Decisions() }

func (e *e2e) failures() []verify.Rejection {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]verify.Rejection(nil), e.fails...)
}

// tokenKID returns the kid in a JWT's header.
func tokenKID(t *testing.T, tok string) string {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(b, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.KID
}

// TestE2EClients calls protected routes with x/oauth2 clients using both
// client authentication styles.
func TestE2EClients(t *testing.T) {
	e := newE2E(t)
	tests := []struct {
		name         string
		client       *http.Client
		method, path string
		status       int
		challenge    string
	}{
		{"basic auth client, read route", e.wgtwo(), "GET", "/v1/subscribers", 200, ""},
		{"basic auth client, sms route", e.wgtwo(), "POST", "/v1/sms", 200, ""},
		{"form body client, read route", e.n2p(), "GET", "/v1/subscribers", 200, ""},
		{"form body client lacks sms scope", e.n2p(), "POST", "/v1/sms", 403,
			`Bearer realm="api", error="insufficient_scope", scope="sms.text:send_to_subscriber"`},
		{"no token at all", e.iss.Client(), "GET", "/v1/subscribers", 401, `Bearer realm="api"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ch := e.call(t, tt.client, tt.method, tt.path)
			if status != tt.status || ch != tt.challenge {
				t.Fatalf("%s %s = %d %q, want %d %q", tt.method, tt.path, status, ch, tt.status, tt.challenge)
			}
		})
	}
	// The auth style matters: the issuer refuses Basic for the form-body
	// client, so the client cannot even get a token.
	wrong := e.client("n2p-app", "n2p-secret", oauth2.AuthStyleInHeader)
	if _, err := wrong.Get(e.api.URL + "/v1/subscribers"); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("form-body client with Basic auth: err = %v, want invalid_client from the token endpoint", err)
	}
}

// TestE2ERotation keeps clients calling while the issuer rotates its key
// three times. No request may fail, and each new kid must be accepted on
// the first request that carries it.
func TestE2ERotation(t *testing.T) {
	e := newE2E(t)
	var requests, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(halt) // also when a Fatal below ends the test early
	worker := func(c *http.Client, method, path string) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			req, _ := http.NewRequestWithContext(t.Context(), method, e.api.URL+path, nil)
			resp, err := c.Do(req)
			if err != nil && t.Context().Err() != nil {
				return // the test already ended (a Fatal below): not a failure of its own
			}
			requests.Add(1)
			if err != nil {
				failed.Add(1)
				t.Errorf("%s %s: %v", method, path, err) // Errorf is goroutine-safe
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				failed.Add(1)
				t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		}
	}
	// Long-lived clients: they keep the token they got before the
	// rotations (signed by a key that stays published).
	wg.Add(2)
	go worker(e.wgtwo(), "POST", "/v1/sms")
	go worker(e.n2p(), "GET", "/v1/subscribers")

	for round := range 3 {
		before := requests.Load()
		newKID := e.iss.Rotate()
		// A fresh client gets a token signed by the new key, which the
		// cache has never seen. Its first request must succeed.
		tok, err := (&clientcredentials.Config{ClientID: "wgtwo-app", ClientSecret: "s3cret/+:=",
			TokenURL: e.iss.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}).Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := tokenKID(t, tok.AccessToken); got != newKID {
			t.Fatalf("round %d: issuer signed with %q, want the new kid %q", round, got, newKID)
		}
		fresh := oauth2.NewClient(e.ctx, oauth2.StaticTokenSource(tok))
		if status, ch := e.call(t, fresh, "GET", "/v1/subscribers"); status != 200 {
			t.Fatalf("round %d: first request with new kid %s = %d %q", round, newKID, status, ch)
		}
		var first *verify.Decision
		for _, d := range e.decisions() {
			if d.KID == newKID {
				first = &d
				break
			}
		}
		if first == nil || first.Reason != "" || first.Cached {
			t.Fatalf("round %d: first decision for new kid = %+v, want an accepted, uncached verification", round, first)
		}
		// Let the workers make progress under the new key set before the
		// next rotation (bounded wait on their own requests, not a sleep).
		for requests.Load() < before+20 && failed.Load() == 0 && !t.Failed() {
			if status, _ := e.call(t, fresh, "GET", "/v1/subscribers"); status != 200 {
				t.Fatalf("round %d: fresh client refused", round)
			}
		}
	}
	halt()
	if failed.Load() != 0 || len(e.failures()) != 0 {
		t.Fatalf("%d of %d requests failed; failures: %v", failed.Load(), requests.Load(), e.failures())
	}
	if requests.Load() < 60 {
		t.Fatalf("only %d worker requests ran", requests.Load())
	}
	t.Logf("%d worker requests across 3 rotations, 0 failed; issuer served %d JWKS requests", requests.Load(), e.iss.JWKSRequests())
}

// TestE2EOutageAndRetirement: a JWKS outage is ridden out from the cache;
// a retired key stops verifying once the cache has refreshed, even for a
// token the verifier had already accepted and cached.
func TestE2EOutageAndRetirement(t *testing.T) {
	e := newE2E(t)
	c := e.wgtwo()
	oldKID := e.iss.SigningKID()
	if status, _ := e.call(t, c, "GET", "/v1/subscribers"); status != 200 {
		t.Fatalf("before outage: %d", status)
	}

	t.Run("outage served from cache", func(t *testing.T) {
		e.iss.SetFault(issuertest.Fault{Status: http.StatusInternalServerError})
		defer e.iss.SetFault(issuertest.Fault{})
		if err := e.keys.Refresh(t.Context()); err == nil {
			t.Fatal("Refresh during outage succeeded; the fault did not apply")
		}
		// A token never seen before (no verified-token cache hit) with a
		// known kid: verified with the cached keys.
		if status, ch := e.call(t, e.n2p(), "GET", "/v1/subscribers"); status != 200 {
			t.Fatalf("during outage: %d %q, want 200 from cached keys", status, ch)
		}
	})

	t.Run("retired key refused", func(t *testing.T) {
		e.iss.Rotate()
		e.iss.Retire(oldKID)
		if err := e.keys.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		// c still holds its token signed by oldKID, which was accepted
		// (and cached by the verifier) above.
		status, ch := e.call(t, c, "GET", "/v1/subscribers")
		if status != 401 || ch != `Bearer realm="api", error="invalid_token"` {
			t.Fatalf("token of retired key: %d %q, want 401 invalid_token", status, ch)
		}
		fs := e.failures()
		if len(fs) == 0 || fs[len(fs)-1].Reason != verify.ReasonUnknownKey {
			t.Fatalf("failures = %v, want last reason %q", fs, verify.ReasonUnknownKey)
		}
		// A new token from the same client works again.
		if status, _ := e.call(t, e.wgtwo(), "GET", "/v1/subscribers"); status != 200 {
			t.Fatalf("new token after retirement: %d", status)
		}
	})
}
