package introspect_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

// TestIntrospectionAnswers feeds one answer per case and checks the
// Reason (or acceptance) and that exactly one remote call was made.
func TestIntrospectionAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		need   verify.ScopeRule
		edit   func(*introspect.Config)
		want   verify.Reason // "" = accepted
	}{
		{name: "accepted", body: active("sms.text:send_to_subscriber phone", `,"ext":{"tenant":"t1"}`)},
		{name: "scope met", body: active("a b", ""), need: verify.ScopeRule{AllOf: []string{"b"}}},
		{name: "scope missing", body: active("a b", ""), need: verify.ScopeRule{AllOf: []string{"c"}}, want: verify.ReasonInsufficientScope},
		{name: "scope family", body: active("cx.agent-calls", ""), need: verify.ScopeRule{AnyPrefix: []string{"cx."}}},
		{name: "role split by default", body: active("Office Manager", ""), need: verify.ScopeRule{AllOf: []string{"Office Manager"}}, want: verify.ReasonInsufficientScope},
		{name: "role kept whole", body: active("Office Manager", ""), need: verify.ScopeRule{AllOf: []string{"Office Manager"}},
			edit: func(c *introspect.Config) { c.WholeScope = true }},
		{name: "inactive", body: `{"active":false}`, want: verify.ReasonInactive},
		{name: "inactive with junk members", body: `{"active":false,"exp":"soon"}`, want: verify.ReasonInactive},
		{name: "inactive with null and mistyped members", body: `{"active":false,"iss":null,"sub":7}`, want: verify.ReasonInactive},
		{name: "inactive with a duplicate member", body: `{"active":false,"sub":"a","sub":"b"}`, want: verify.ReasonUnavailable},
		{name: "active string", body: `{"active":"true"}`, want: verify.ReasonUnavailable},
		{name: "active number", body: `{"active":1}`, want: verify.ReasonUnavailable},
		{name: "active null", body: `{"active":null}`, want: verify.ReasonUnavailable},
		{name: "active missing", body: `{"sub":"x"}`, want: verify.ReasonUnavailable},
		{name: "Active capitalised", body: `{"Active":true}`, want: verify.ReasonUnavailable},
		{name: "duplicate active", body: `{"active":false,"active":true}`, want: verify.ReasonUnavailable},
		{name: "escaped duplicate", body: `{"active":false,"\u0061ctive":true}`, want: verify.ReasonUnavailable},
		{name: "trailing data", body: active("a", "") + `{}`, want: verify.ReasonUnavailable},
		{name: "not JSON", body: `<html>login</html>`, want: verify.ReasonUnavailable},
		{name: "array", body: `[{"active":true}]`, want: verify.ReasonUnavailable},
		{name: "invalid UTF-8", body: "{\"active\":true,\"sub\":\"\xff\"}", want: verify.ReasonUnavailable},
		{name: "scope not a string", body: `{"active":true,"scope":["a"]}`, want: verify.ReasonUnavailable,
			edit: func(c *introspect.Config) { c.Audiences, c.InsecureSkipAudienceCheck = nil, true }},
		{name: "expired", body: `{"active":true,"exp":` + unix(-time.Second) + `}`, want: verify.ReasonExpired, edit: skipAud},
		{name: "expired within leeway", body: `{"active":true,"exp":` + unix(-30*time.Second) + `}`,
			edit: func(c *introspect.Config) { skipAud(c); c.Leeway = time.Minute }},
		{name: "nbf in future", body: `{"active":true,"nbf":` + unix(time.Minute) + `}`, want: verify.ReasonNotYetValid, edit: skipAud},
		{name: "iat in future", body: `{"active":true,"iat":` + unix(time.Minute) + `}`, want: verify.ReasonIssuedInFuture, edit: skipAud},
		{name: "iss null", body: `{"active":true,"iss":null}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "token_use null", body: `{"active":true,"token_use":null}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "scope null", body: `{"active":true,"scope":null}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "sub null", body: `{"active":true,"sub":null}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "client_id null", body: `{"active":true,"client_id":null}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "exp string", body: `{"active":true,"exp":"1700000000"}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "exp negative", body: `{"active":true,"exp":-1}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "exp beyond year 9999", body: `{"active":true,"exp":1e300}`, want: verify.ReasonUnavailable, edit: skipAud},
		{name: "no exp", body: `{"active":true}`, edit: skipAud},
		{name: "wrong iss", body: `{"active":true,"iss":"https://evil.example/"}`, want: verify.ReasonInvalidIssuer, edit: skipAud},
		{name: "iss without slash", body: `{"active":true,"iss":"https://id.wgtwo.com"}`, want: verify.ReasonInvalidIssuer, edit: skipAud},
		{name: "aud string", body: `{"active":true,"aud":"https://api.example.com/"}`},
		{name: "aud wrong", body: `{"active":true,"aud":["https://other.example/"]}`, want: verify.ReasonInvalidAudience},
		{name: "aud empty (Hydra)", body: `{"active":true,"aud":[]}`, want: verify.ReasonInvalidAudience},
		{name: "aud missing", body: `{"active":true}`, want: verify.ReasonMissingClaim},
		{name: "aud number", body: `{"active":true,"aud":1}`, want: verify.ReasonUnavailable},
		{name: "refresh token", body: `{"active":true,"token_use":"refresh_token"}`, want: verify.ReasonInvalidType, edit: skipAud},
		{name: "500", status: 500, body: `{"error":"server_error"}`, want: verify.ReasonUnavailable},
		{name: "401 refuses our credentials, not the token", status: 401, body: `{"error":"invalid_client"}`, want: verify.ReasonUnavailable},
		{name: "body over the cap", body: `{"active":true,"pad":"` + strings.Repeat("x", 200) + `"}`, want: verify.ReasonUnavailable,
			edit: func(c *introspect.Config) { skipAud(c); c.MaxBodyBytes = 100 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := tt.status
			if status == 0 {
				status = 200
			}
			p := newProvider(t, reply(status, tt.body))
			cfg := p.config(newClock())
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			c := newChecker(t, cfg)
			claims, err := c.Verify(context.Background(), hydraTok, tt.need)
			if got := verify.ReasonOf(err); got != tt.want || (err == nil) != (tt.want == "") {
				t.Fatalf("Verify = %v (reason %q), want %q", err, got, tt.want)
			}
			if err != nil && verify.OutcomeOf(err) != tt.want.Outcome() {
				t.Fatalf("OutcomeOf(%v) = %q, want %q", err, verify.OutcomeOf(err), tt.want.Outcome())
			}
			if err == nil && claims.Issuer != "https://id.wgtwo.com/" {
				t.Fatalf("Issuer = %q", claims.Issuer)
			}
			if n := p.calls.Load(); n != 1 {
				t.Fatalf("remote calls = %d, want 1", n)
			}
		})
	}
}

func skipAud(c *introspect.Config) { c.Audiences, c.InsecureSkipAudienceCheck = nil, true }

// TestAcceptedClaims checks the mapping of an answer into Claims.
func TestAcceptedClaims(t *testing.T) {
	p := newProvider(t, reply(200, active("a b a", `,"jti":"j1","ext":{"tenant":"t1"}`)))
	c := newChecker(t, p.config(newClock()))
	cl, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Subject != "svc" || cl.ClientID != "svc" || cl.ID != "j1" || cl.Type != "Bearer" ||
		!cl.ExpiresAt.Equal(t0.Add(time.Hour)) || !cl.IssuedAt.Equal(t0) || !cl.NotBefore.Equal(t0) ||
		len(cl.Audience) != 1 || strings.Join(cl.Scopes, ",") != "a,b" {
		t.Fatalf("claims = %+v", cl)
	}
	var raw struct {
		Ext struct {
			Tenant string `json:"tenant"`
		} `json:"ext"`
	}
	if err := cl.Decode(&raw); err != nil || raw.Ext.Tenant != "t1" {
		t.Fatalf("Decode = %v, %+v", err, raw)
	}
}

// TestClientAuth checks what each ClientAuth sends, and the form.
func TestClientAuth(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("r%3As:p%26w")) // form-encoded first
	tests := []struct {
		name     string
		auth     introspect.ClientAuth
		wantHdr  string
		wantForm bool // client_id/client_secret in the body
	}{
		{name: "basic", auth: introspect.ClientBasic, wantHdr: basic},
		{name: "post", auth: introspect.ClientPost, wantForm: true},
		{name: "bearer", auth: introspect.ClientBearer, wantHdr: "Bearer admin-token"},
		{name: "none", auth: introspect.ClientNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, reply(200, active("a", "")))
			cfg := p.config(newClock())
			cfg.ClientAuth, cfg.ClientID, cfg.ClientSecret, cfg.BearerToken = tt.auth, "r:s", "p&w", "admin-token"
			c := newChecker(t, cfg)
			if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{}); err != nil {
				t.Fatal(err)
			}
			r, form := p.request()
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Fatalf("%s %q", r.Method, r.Header.Get("Content-Type"))
			}
			if got := r.Header.Get("Authorization"); got != tt.wantHdr {
				t.Fatalf("Authorization = %q, want %q", got, tt.wantHdr)
			}
			if form["token"][0] != hydraTok || form["token_type_hint"][0] != "access_token" {
				t.Fatalf("form = %v", form)
			}
			hasCreds := len(form["client_id"]) == 1 && form["client_id"][0] == "r:s" && form["client_secret"][0] == "p&w"
			if hasCreds != tt.wantForm || (!tt.wantForm && len(form) != 2) {
				t.Fatalf("form = %v, want credentials %v", form, tt.wantForm)
			}
		})
	}
}

// TestUserinfo checks the userinfo mode: the token as the bearer, 2xx
// accepts, 401/403 refuse, everything else is unavailable (never 401).
func TestUserinfo(t *testing.T) {
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://evil.example/", http.StatusFound)
	}
	tests := []struct {
		name string
		h    http.HandlerFunc
		want verify.Reason
	}{
		{name: "200", h: reply(200, `{"sub":"73e","phone_number":"+46123456789","phone_number_verified":true,"sid":"42e"}`)},
		{name: "401", h: reply(401, `{"error":"invalid_token"}`), want: verify.ReasonInactive},
		{name: "403", h: reply(403, ``), want: verify.ReasonInactive},
		{name: "500", h: reply(500, ``), want: verify.ReasonUnavailable},
		{name: "429", h: reply(429, ``), want: verify.ReasonUnavailable},
		{name: "redirect not followed", h: redirect, want: verify.ReasonUnavailable},
		{name: "not JSON", h: reply(200, `ok`), want: verify.ReasonUnavailable},
		{name: "no sub", h: reply(200, `{"phone_number":"+46"}`), want: verify.ReasonUnavailable},
		{name: "sub number", h: reply(200, `{"sub":7}`), want: verify.ReasonUnavailable},
		{name: "duplicate sub", h: reply(200, `{"sub":"a","sub":"b"}`), want: verify.ReasonUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, tt.h)
			cfg := introspect.WgtwoUserinfo()
			cfg.URL, cfg.RootCAs, cfg.Now = p.srv.URL+"/userinfo", p.pool, newClock().Now
			c := newChecker(t, cfg)
			cl, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{})
			if got := verify.ReasonOf(err); got != tt.want {
				t.Fatalf("Verify = %v, want %q", err, tt.want)
			}
			r, _ := p.request()
			if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+hydraTok {
				t.Fatalf("%s Authorization %q", r.Method, r.Header.Get("Authorization"))
			}
			if p.calls.Load() != 1 {
				t.Fatalf("remote calls = %d", p.calls.Load())
			}
			if err != nil {
				return
			}
			var info struct {
				Phone string `json:"phone_number"`
			}
			if cl.Subject != "73e" || cl.Issuer != "https://id.wgtwo.com/" || cl.Decode(&info) != nil || info.Phone != "+46123456789" {
				t.Fatalf("claims = %+v, %+v", cl, info)
			}
			if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{AllOf: []string{"phone"}}); verify.ReasonOf(err) != verify.ReasonInsufficientScope {
				t.Fatalf("userinfo granted a scope: %v", err)
			}
		})
	}
}

// TestRefusedBeforeNetwork checks that tokens of the wrong size or shape
// never reach the endpoint.
func TestRefusedBeforeNetwork(t *testing.T) {
	tests := []struct {
		name  string
		shape func(string) bool
		token string
		want  verify.Reason
	}{
		{name: "hydra shape: JWT-like", shape: introspect.HydraToken, token: "a.b.c", want: verify.ReasonMalformed},
		{name: "hydra shape: hex", shape: introspect.HydraToken, token: hexTok, want: verify.ReasonMalformed},
		{name: "hex shape: hydra", shape: introspect.Hex32Token, token: hydraTok, want: verify.ReasonMalformed},
		{name: "default: space", token: "a b", want: verify.ReasonMalformed},
		{name: "default: empty", token: "", want: verify.ReasonMalformed},
		{name: "default: too large", token: strings.Repeat("a", introspect.DefaultMaxTokenBytes+1), want: verify.ReasonTokenTooLarge},
	}
	p := newProvider(t, reply(200, `{"active":true}`))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := p.config(newClock())
			cfg.TokenShape = tt.shape
			c := newChecker(t, cfg)
			if _, err := c.Verify(context.Background(), tt.token, verify.ScopeRule{}); verify.ReasonOf(err) != tt.want {
				t.Fatalf("Verify = %v, want %q", err, tt.want)
			}
		})
	}
	if n := p.calls.Load(); n != 0 {
		t.Fatalf("remote calls = %d, want 0", n)
	}
}

// TestTimeout checks that a hung endpoint is unavailable after
// Config.Timeout, and that Close does not wait for the hang.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			// The client gave up: answer nothing. An empty 200 here can
			// reach a client still closing its TLS connection, which then
			// reads it instead of its own timeout.
			panic(http.ErrAbortHandler)
		}
	})
	defer close(release)
	cfg := p.config(newClock())
	cfg.Timeout = 50 * time.Millisecond
	c := newChecker(t, cfg)
	_, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{})
	if verify.ReasonOf(err) != verify.ReasonUnavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify = %v, want unavailable after the timeout", err)
	}
}

// TestClosed checks that Verify after Close answers from the cache and is
// unavailable for a token it would have to check remotely.
func TestClosed(t *testing.T) {
	p := newProvider(t, reply(200, active("a", "")))
	c := newChecker(t, p.config(newClock()))
	if _, err := c.Verify(context.Background(), hydraTok2, verify.ScopeRule{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{}); verify.ReasonOf(err) != verify.ReasonUnavailable {
		t.Fatalf("Verify after Close = %v", err)
	}
	if _, err := c.Verify(context.Background(), hydraTok2, verify.ScopeRule{}); err != nil {
		t.Fatalf("Verify of a cached token after Close = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
