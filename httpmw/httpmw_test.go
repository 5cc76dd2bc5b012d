package httpmw_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// TestHandler drives every answer of the middleware through Handler and
// checks status, challenge, Retry-After, body, the hook's Failure and
// whether the next handler ran.
func TestHandler(t *testing.T) {
	good := token(t, "read")
	expired := claims("read")
	expired["exp"] = testNow.Add(-time.Minute).Unix()
	expiredTok := sign(t, testkeys.RSA2048(0), testKID, expired)
	forged := sign(t, testkeys.RSA2048(7), testKID, claims("read")) // trusted kid, wrong key

	type req struct {
		method  string
		target  string
		auth    []string
		cookies []*http.Cookie
	}
	tests := []struct {
		name      string
		cfg       func(*httpmw.Config)
		keys      jwks.Source // nil: staticKeys
		req       req
		status    int
		challenge string // exact WWW-Authenticate; "" asserts absence
		retry     string // exact Retry-After; "" asserts absence
		body      string // "" means the default writer's http.StatusText(status)+"\n"
		code      string
		reason    verify.Reason
		sentinel  error             // Rejection.Err must match it
		need      *verify.ScopeRule // non-nil: Handler, then Require(*need)
		cache     string
	}{
		// Accepted.
		{name: "valid token reaches handler with claims", req: req{auth: []string{"Bearer " + good}},
			status: 200, body: "sub=" + testSub},
		{name: "lower-case bearer scheme accepted", req: req{auth: []string{"bearer " + good}},
			status: 200, body: "sub=" + testSub},
		{name: "scope requirement met", need: &verify.ScopeRule{AllOf: []string{"read"}},
			req: req{auth: []string{"Bearer " + good}}, status: 200, body: "sub=" + testSub},

		// No credentials: 401, challenge without error code.
		{name: "no Authorization header", status: 401, challenge: `Bearer realm="api"`, sentinel: httpmw.ErrMissingToken},
		{name: "Basic scheme counts as missing", req: req{auth: []string{"Basic dXNlcjpwYXNz"}},
			status: 401, challenge: `Bearer realm="api"`, sentinel: httpmw.ErrMissingToken},

		// Malformed: 400 invalid_request.
		{name: "two Authorization headers", req: req{auth: []string{"Bearer " + good, "Bearer " + good}},
			status: 400, challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "Bearer without token", req: req{auth: []string{"Bearer"}},
			status: 400, challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "two tokens in one header", req: req{auth: []string{"Bearer " + good + " " + good}},
			status: 400, challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "Bearer<token> without space", req: req{auth: []string{"Bearer" + good}},
			status: 400, challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},

		// Bad token: 401 invalid_token, whatever the reason; body identical.
		{name: "expired token", req: req{auth: []string{"Bearer " + expiredTok}},
			status: 401, challenge: `Bearer realm="api", error="invalid_token"`, code: "invalid_token", reason: verify.ReasonExpired, sentinel: verify.ErrExpired},
		{name: "forged signature under trusted kid", req: req{auth: []string{"Bearer " + forged}},
			status: 401, challenge: `Bearer realm="api", error="invalid_token"`, code: "invalid_token", reason: verify.ReasonInvalidSignature, sentinel: verify.ErrInvalidSignature},
		{name: "ID token as access token", req: req{auth: []string{"Bearer " + tokentest.IDToken(t)}},
			status: 401, challenge: `Bearer realm="api", error="invalid_token"`, code: "invalid_token", reason: verify.ReasonWrongTokenKind, sentinel: verify.ErrWrongTokenKind},
		{name: "not a JWT", req: req{auth: []string{"Bearer abc.def"}},
			status: 401, challenge: `Bearer realm="api", error="invalid_token"`, code: "invalid_token", reason: verify.ReasonMalformed, sentinel: verify.ErrMalformed},

		// Scope: 403 insufficient_scope with scope=.
		{name: "missing scope", need: &verify.ScopeRule{AllOf: []string{"write"}},
			req: req{auth: []string{"Bearer " + good}}, status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", scope="write"`, code: "insufficient_scope",
			reason: verify.ReasonInsufficientScope, sentinel: verify.ErrInsufficientScope},
		{name: "missing scope lists AllOf then AnyOf", need: &verify.ScopeRule{AllOf: []string{"read", "write"}, AnyOf: []string{"a", "b"}},
			req: req{auth: []string{"Bearer " + good}}, status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", scope="read write a b"`, code: "insufficient_scope",
			reason: verify.ReasonInsufficientScope, sentinel: verify.ErrInsufficientScope},
		{name: "scope with quote and backslash escaped", need: &verify.ScopeRule{AllOf: []string{`a"b\c`}},
			req: req{auth: []string{"Bearer " + good}}, status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", scope="a\"b\\c"`, code: "insufficient_scope",
			reason: verify.ReasonInsufficientScope, sentinel: verify.ErrInsufficientScope},

		// Keys unavailable: 503, Retry-After, no invalid_token.
		{name: "keys unavailable", keys: downKeys{}, req: req{auth: []string{"Bearer " + good}},
			status: 503, retry: "30", reason: verify.ReasonUnavailable, sentinel: verify.ErrUnavailable},
		{name: "Retry-After rounds up to seconds", keys: downKeys{}, cfg: func(c *httpmw.Config) { c.RetryAfter = 1500 * time.Millisecond },
			req: req{auth: []string{"Bearer " + good}}, status: 503, retry: "2", reason: verify.ReasonUnavailable, sentinel: verify.ErrUnavailable},

		// Realm and resource metadata.
		{name: "realm escaped as quoted-string", cfg: func(c *httpmw.Config) { c.Realm = `my "x" \realm` },
			status: 401, challenge: `Bearer realm="my \"x\" \\realm"`, sentinel: httpmw.ErrMissingToken},
		{name: "resource_metadata in missing challenge", cfg: func(c *httpmw.Config) {
			c.ResourceMetadata = "https://api.test/.well-known/oauth-protected-resource"
		},
			status: 401, challenge: `Bearer realm="api", resource_metadata="https://api.test/.well-known/oauth-protected-resource"`,
			sentinel: httpmw.ErrMissingToken},
		{name: "resource_metadata in invalid_token challenge", cfg: func(c *httpmw.Config) { c.ResourceMetadata = "https://api.test/rm" },
			req: req{auth: []string{"Bearer " + expiredTok}}, status: 401,
			challenge: `Bearer realm="api", error="invalid_token", resource_metadata="https://api.test/rm"`,
			code:      "invalid_token", reason: verify.ReasonExpired, sentinel: verify.ErrExpired},
		{name: "resource_metadata in insufficient_scope challenge", cfg: func(c *httpmw.Config) {
			c.ResourceMetadata = "https://api.test/rm"
		}, need: &verify.ScopeRule{AllOf: []string{"write"}},
			req: req{auth: []string{"Bearer " + good}}, status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", scope="write", resource_metadata="https://api.test/rm"`,
			code:      "insufficient_scope", reason: verify.ReasonInsufficientScope, sentinel: verify.ErrInsufficientScope},
		{name: "resource_metadata in invalid_request challenge", cfg: func(c *httpmw.Config) { c.ResourceMetadata = "https://api.test/rm" },
			req: req{auth: []string{"Bearer"}}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request", resource_metadata="https://api.test/rm"`,
			code:      "invalid_request", sentinel: httpmw.ErrInvalidRequest},

		// Query parameter source.
		{name: "query token ignored by default", req: req{target: "/?access_token=" + good},
			status: 401, challenge: `Bearer realm="api"`, sentinel: httpmw.ErrMissingToken},
		{name: "query token accepted when enabled", cfg: func(c *httpmw.Config) { c.TokenQueryParam = "access_token" },
			req: req{target: "/?access_token=" + good}, status: 200, body: "sub=" + testSub, cache: "private"},
		{name: "query token and header is two methods", cfg: func(c *httpmw.Config) { c.TokenQueryParam = "access_token" },
			req: req{target: "/?access_token=" + good, auth: []string{"Bearer " + good}}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "query token repeated", cfg: func(c *httpmw.Config) { c.TokenQueryParam = "access_token" },
			req: req{target: "/?access_token=" + good + "&access_token=" + good}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "query token empty", cfg: func(c *httpmw.Config) { c.TokenQueryParam = "access_token" },
			req: req{target: "/?access_token="}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "query token outside b64token", cfg: func(c *httpmw.Config) { c.TokenQueryParam = "access_token" },
			req: req{target: "/?access_token=a%20b"}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "other query parameters do not count", cfg: func(c *httpmw.Config) { c.TokenQueryParam = "access_token" },
			req: req{target: "/?x=1", auth: []string{"Bearer " + good}}, status: 200, body: "sub=" + testSub},

		// Cookie source.
		{name: "cookie token ignored by default", req: req{cookies: []*http.Cookie{{Name: "at", Value: good}}},
			status: 401, challenge: `Bearer realm="api"`, sentinel: httpmw.ErrMissingToken},
		{name: "cookie token accepted when enabled", cfg: func(c *httpmw.Config) { c.TokenCookie = "at" },
			req: req{cookies: []*http.Cookie{{Name: "at", Value: good}}}, status: 200, body: "sub=" + testSub},
		{name: "cookie token and header is two methods", cfg: func(c *httpmw.Config) { c.TokenCookie = "at" },
			req: req{cookies: []*http.Cookie{{Name: "at", Value: good}}, auth: []string{"Bearer " + good}}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "cookie and query token is two methods", cfg: func(c *httpmw.Config) { c.TokenCookie = "at"; c.TokenQueryParam = "access_token" },
			req: req{target: "/?access_token=" + good, cookies: []*http.Cookie{{Name: "at", Value: good}}}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "cookie token repeated", cfg: func(c *httpmw.Config) { c.TokenCookie = "at" },
			req: req{cookies: []*http.Cookie{{Name: "at", Value: good}, {Name: "at", Value: good}}}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "expired cookie token is invalid_token", cfg: func(c *httpmw.Config) { c.TokenCookie = "at" },
			req: req{cookies: []*http.Cookie{{Name: "at", Value: expiredTok}}}, status: 401,
			challenge: `Bearer realm="api", error="invalid_token"`, code: "invalid_token", reason: verify.ReasonExpired, sentinel: verify.ErrExpired},

		// CredentialsOptional.
		{name: "optional credentials: none passes without claims", cfg: func(c *httpmw.Config) { c.CredentialsOptional = true },
			status: 200, body: "anonymous"},
		{name: "optional credentials: Basic passes without claims", cfg: func(c *httpmw.Config) { c.CredentialsOptional = true },
			req: req{auth: []string{"Basic dXNlcjpwYXNz"}}, status: 200, body: "anonymous"},
		{name: "optional credentials: valid token gets claims", cfg: func(c *httpmw.Config) { c.CredentialsOptional = true },
			req: req{auth: []string{"Bearer " + good}}, status: 200, body: "sub=" + testSub},
		{name: "optional credentials: bad token still refused", cfg: func(c *httpmw.Config) { c.CredentialsOptional = true },
			req: req{auth: []string{"Bearer " + expiredTok}}, status: 401,
			challenge: `Bearer realm="api", error="invalid_token"`, code: "invalid_token", reason: verify.ReasonExpired, sentinel: verify.ErrExpired},
		{name: "optional credentials: malformed still refused", cfg: func(c *httpmw.Config) { c.CredentialsOptional = true },
			req: req{auth: []string{"Bearer a b"}}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request"`, code: "invalid_request", sentinel: httpmw.ErrInvalidRequest},
		{name: "optional credentials: scope still enforced on presented token", cfg: func(c *httpmw.Config) {
			c.CredentialsOptional = true
		}, need: &verify.ScopeRule{AllOf: []string{"write"}},
			req: req{auth: []string{"Bearer " + good}}, status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", scope="write"`, code: "insufficient_scope",
			reason: verify.ReasonInsufficientScope, sentinel: verify.ErrInsufficientScope},

		// Skip.
		{name: "skip: CORS preflight passes untouched", cfg: func(c *httpmw.Config) { c.Skip = isPreflight },
			req: req{method: http.MethodOptions}, status: 200, body: "anonymous"},
		{name: "skip: skipped request gets no claims even with a token", cfg: func(c *httpmw.Config) { c.Skip = isPreflight },
			req: req{method: http.MethodOptions, auth: []string{"Bearer " + good}}, status: 200, body: "anonymous"},
		{name: "skip: other requests still checked", cfg: func(c *httpmw.Config) { c.Skip = isPreflight },
			status: 401, challenge: `Bearer realm="api"`, sentinel: httpmw.ErrMissingToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := tt.keys
			if keys == nil {
				keys = staticKeys(t)
			}
			v, _ := newVerifier(t, keys)
			var got []verify.Rejection
			cfg := httpmw.Config{Checker: v, OnReject: func(_ context.Context, r verify.Rejection) { got = append(got, r) }}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			mw, err := httpmw.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			method, target := tt.req.method, tt.req.target
			if method == "" {
				method = http.MethodGet
			}
			if target == "" {
				target = "/"
			}
			r := httptest.NewRequest(method, target, nil)
			if method == http.MethodOptions {
				r.Header.Set("Origin", "https://app.test")
				r.Header.Set("Access-Control-Request-Method", "POST")
			}
			for _, a := range tt.req.auth {
				r.Header.Add("Authorization", a)
			}
			for _, c := range tt.req.cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h := mw.Handler(whoami)
			if tt.need != nil {
				h = mw.Handler(mw.Require(*tt.need)(whoami))
			}
			h.ServeHTTP(w, r)

			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", w.Code, tt.status, w.Body)
			}
			if g := w.Header().Values("WWW-Authenticate"); tt.challenge == "" && len(g) != 0 || tt.challenge != "" && (len(g) != 1 || g[0] != tt.challenge) {
				t.Errorf("WWW-Authenticate = %q, want %q", g, tt.challenge)
			}
			if g := w.Header().Get("Retry-After"); g != tt.retry {
				t.Errorf("Retry-After = %q, want %q", g, tt.retry)
			}
			if g := w.Header().Get("Cache-Control"); g != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", g, tt.cache)
			}
			wantBody := tt.body
			if wantBody == "" {
				wantBody = http.StatusText(tt.status) + "\n"
			}
			if w.Body.String() != wantBody {
				t.Errorf("body = %q, want %q", w.Body, wantBody)
			}
			if tt.status == 200 {
				if len(got) != 0 {
					t.Errorf("OnReject called %d times for an accepted request", len(got))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("OnReject called %d times, want 1", len(got))
			}
			f := got[0]
			wantOutcome := verify.Outcome(tt.code)
			switch {
			case tt.code != "":
			case tt.status == 401:
				wantOutcome = verify.OutcomeMissingToken
			case tt.status == 503:
				wantOutcome = verify.OutcomeUnavailable
			}
			if f.Transport != "http" || f.Method != method+" "+r.URL.Path || f.Outcome != wantOutcome || f.Reason != tt.reason || !errors.Is(f.Err, tt.sentinel) {
				t.Errorf("Rejection = {%q %q %q %q %v}, want {http %q %q %q %v}", f.Transport, f.Method, f.Outcome, f.Reason, f.Err,
					method+" "+r.URL.Path, wantOutcome, tt.reason, tt.sentinel)
			}
			var wantRequired string
			if tt.need != nil {
				wantRequired = tt.need.String()
			}
			if f.Required.String() != wantRequired {
				t.Errorf("Rejection.Required = %q, want %q", f.Required.String(), wantRequired)
			}
		})
	}
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// TestErrorWriter checks that a custom writer replaces the body, sees the
// failure, and finds the challenge already set.
func TestErrorWriter(t *testing.T) {
	v, _ := newVerifier(t, staticKeys(t))
	mw, err := httpmw.New(httpmw.Config{
		Checker: v,
		ErrorWriter: func(w http.ResponseWriter, r *http.Request, f *httpmw.Failure) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": f.Code})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer not.a.jwt")
	w := httptest.NewRecorder()
	mw.Handler(whoami).ServeHTTP(w, r)
	if w.Code != 401 || w.Body.String() != `{"error":"invalid_token"}`+"\n" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %q, want 401 JSON invalid_token", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if g := w.Header().Get("WWW-Authenticate"); g != `Bearer realm="api", error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q", g)
	}
}

// TestServeMuxRoutes puts routes with different scopes from one verifier
// on one ServeMux behind Handler.
func TestServeMuxRoutes(t *testing.T) {
	v, decisions := newVerifier(t, staticKeys(t))
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/subscribers", mw.Require(verify.ScopeRule{AllOf: []string{"subscription.read"}})(whoami))
	mux.Handle("POST /v1/sms", mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})(whoami))
	mux.Handle("GET /v1/events", mw.Require(verify.ScopeRule{AnyOf: []string{"events.voice:subscribe", "events.sms:subscribe"}})(whoami))
	mux.Handle("GET /v1/me", whoami) // token only
	h := mw.Handler(mux)

	read := token(t, "subscription.read")
	sms := token(t, "sms.text:send_to_subscriber")
	events := token(t, "events.sms:subscribe")
	tests := []struct {
		name, method, path, tok string
		status                  int
		challenge               string
	}{
		{"read scope on read route", "GET", "/v1/subscribers", read, 200, ""},
		{"read scope on sms route", "POST", "/v1/sms", read, 403, `Bearer realm="api", error="insufficient_scope", scope="sms.text:send_to_subscriber"`},
		{"sms scope on sms route", "POST", "/v1/sms", sms, 200, ""},
		{"sms scope on read route", "GET", "/v1/subscribers", sms, 403, `Bearer realm="api", error="insufficient_scope", scope="subscription.read"`},
		{"any-of satisfied by second scope", "GET", "/v1/events", events, 200, ""},
		{"any-of unsatisfied", "GET", "/v1/events", read, 403, `Bearer realm="api", error="insufficient_scope", scope="events.voice:subscribe events.sms:subscribe"`},
		{"token-only route", "GET", "/v1/me", read, 200, ""},
		{"no token on scoped route", "GET", "/v1/subscribers", "", 401, `Bearer realm="api"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.tok != "" {
				r.Header.Set("Authorization", "Bearer "+tt.tok)
			}
			before := decisions.Load()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Header().Get("WWW-Authenticate") != tt.challenge {
				t.Fatalf("%s %s = %d %q, want %d %q", tt.method, tt.path, w.Code, w.Header().Get("WWW-Authenticate"), tt.status, tt.challenge)
			}
			// Handler verified; Require only checked scopes.
			if n := decisions.Load() - before; tt.tok != "" && n != 1 {
				t.Errorf("verifier ran %d times for one request, want 1", n)
			}
		})
	}
}

// chain applies middleware in order, outermost first: the plain
// func(http.Handler) http.Handler composition chi and others use.
func chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// TestRequire covers Require alone and in chains: how often the verifier
// runs, which requirement applies, and CredentialsOptional.
func TestRequire(t *testing.T) {
	keys := staticKeys(t)
	v, decisions := newVerifier(t, keys)
	other, otherDecisions := newVerifier(t, keys)
	read := verify.ScopeRule{AllOf: []string{"read"}}
	newMW := func(cfg httpmw.Config) *httpmw.Middleware {
		t.Helper()
		mw, err := httpmw.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return mw
	}
	plain := newMW(httpmw.Config{Checker: v})
	optional := newMW(httpmw.Config{Checker: v, CredentialsOptional: true})
	otherMW := newMW(httpmw.Config{Checker: other})
	stamp := func(next http.Handler) http.Handler { // an unrelated middleware in the chain
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Stamp", "1")
			next.ServeHTTP(w, r)
		})
	}

	tests := []struct {
		name          string
		h             http.Handler
		tok           string
		status        int
		verifies      int64 // Verify calls on v
		otherVerifies int64 // Verify calls on other
	}{
		{"Require alone verifies", plain.Require(read)(whoami), token(t, "read"), 200, 1, 0},
		{"Require alone refuses missing scope", plain.Require(read)(whoami), token(t, "admin"), 403, 1, 0},
		{"Require alone refuses missing token", plain.Require(read)(whoami), "", 401, 0, 0},
		{"Handler then Require verifies once", chain(whoami, plain.Handler, stamp, plain.Require(read)), token(t, "read"), 200, 1, 0},
		{"Handler then Require refuses scope without verifying again", chain(whoami, plain.Handler, stamp, plain.Require(read)), token(t, "write"), 403, 1, 0},
		{"Handler of another Middleware, same verifier, is trusted", chain(whoami, optional.Handler, plain.Require(read)), token(t, "read"), 200, 1, 0},
		{"Handler of another verifier is not trusted", chain(whoami, plain.Handler, otherMW.Require(read)), token(t, "read"), 200, 1, 1},
		{"Require ignores CredentialsOptional", chain(whoami, optional.Handler, optional.Require(verify.ScopeRule{})), "", 401, 0, 0},
		{"Require after Require applies both", chain(whoami, plain.Handler, plain.Require(read), plain.Require(verify.ScopeRule{AllOf: []string{"admin"}})), token(t, "read"), 403, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.tok != "" {
				r.Header.Set("Authorization", "Bearer "+tt.tok)
			}
			n0, o0 := decisions.Load(), otherDecisions.Load()
			w := httptest.NewRecorder()
			tt.h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d", w.Code, tt.status)
			}
			if n, o := decisions.Load()-n0, otherDecisions.Load()-o0; n != tt.verifies || o != tt.otherVerifies {
				t.Errorf("Verify calls = %d (other %d), want %d (other %d)", n, o, tt.verifies, tt.otherVerifies)
			}
		})
	}
}

func TestRequirePanicsOnBadScope(t *testing.T) {
	v, _ := newVerifier(t, staticKeys(t))
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []verify.ScopeRule{
		{AllOf: []string{""}},
		{AllOf: []string{"a  b"}},      // doubled space
		{AnyPrefix: []string{"admin"}}, // would match "administrator"
		{AnyOf: []string{"a\r\nX: y"}}, // header injection
		{AnyOf: []string{"caf\u00e9"}}, // not ASCII
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "httpmw: Require: ") {
					t.Errorf("Require(%q) recovered %v, want a httpmw panic", s, r)
				}
			}()
			mw.Require(s)
		}()
	}
}

func TestNew(t *testing.T) {
	v, _ := newVerifier(t, staticKeys(t))
	tests := []struct {
		name string
		cfg  httpmw.Config
		ok   bool
	}{
		{"zero except verifier", httpmw.Config{Checker: v}, true},
		{"no verifier", httpmw.Config{}, false},
		{"realm with newline", httpmw.Config{Checker: v, Realm: "a\nb"}, false},
		{"realm with quotes is escaped, not refused", httpmw.Config{Checker: v, Realm: `"x"`}, true},
		{"negative RetryAfter", httpmw.Config{Checker: v, RetryAfter: -time.Second}, false},
		{"relative resource metadata", httpmw.Config{Checker: v, ResourceMetadata: "/.well-known/oauth-protected-resource"}, false},
		{"resource metadata with CRLF", httpmw.Config{Checker: v, ResourceMetadata: "https://a.test/\r\nX: y"}, false},
		{"query param with control char", httpmw.Config{Checker: v, TokenQueryParam: "a\x00"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := httpmw.New(tt.cfg)
			if tt.ok != (err == nil) || tt.ok != (mw != nil) {
				t.Fatalf("New = %v, %v; want ok=%v", mw, err, tt.ok)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "httpmw: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// waitKeys is a key source whose fetch never completes: Key returns only
// when ctx ends, as a jwks.Cache waiting for a fetch in flight does.
type waitKeys struct{}

func (waitKeys) Key(ctx context.Context, _, _ string) (*jwks.Key, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestContextEndsWhileWaitingForKeys: a request whose context ends while
// the verifier waits for keys gets 503 with Retry-After and no challenge
// (the server's condition, not the token's), as doc.go says.
func TestContextEndsWhileWaitingForKeys(t *testing.T) {
	v, _ := newVerifier(t, waitKeys{})
	var got *verify.Rejection
	mw, err := httpmw.New(httpmw.Config{Checker: v, OnReject: func(_ context.Context, r verify.Rejection) { got = &r }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+token(t, "read"))
	w := httptest.NewRecorder()
	mw.Handler(whoami).ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "30" || len(w.Header().Values("WWW-Authenticate")) != 0 {
		t.Fatalf("got %d, Retry-After %q, WWW-Authenticate %q; want 503, 30, none", w.Code, w.Header().Get("Retry-After"), w.Header().Values("WWW-Authenticate"))
	}
	if got == nil || got.Reason != verify.ReasonUnavailable || !errors.Is(got.Err, context.Canceled) {
		t.Fatalf("Rejection = %+v, want reason unavailable wrapping context.Canceled", got)
	}
}
