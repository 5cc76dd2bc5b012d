package httpmw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/verify"
)

// TestNonJWTChecker plugs a Checker that is not the JWT verifier into the
// middleware: its claims reach the handler and its refusals map to the same
// answers as the verifier's.
func TestNonJWTChecker(t *testing.T) {
	opaque := tokentest.OpaqueChecker{Tokens: map[string]verify.Claims{
		"opaque-read": {Subject: "user-1", Scopes: []string{"read"}},
	}}
	tests := []struct {
		name       string
		checker    verify.Checker
		need       verify.ScopeRule
		auth       string
		wantStatus int
		wantReason verify.Reason
		want       verify.Outcome
	}{
		{name: "accepted", checker: opaque, auth: "Bearer opaque-read", wantStatus: http.StatusOK},
		{name: "scope met", checker: opaque, need: verify.ScopeRule{AllOf: []string{"read"}}, auth: "Bearer opaque-read", wantStatus: http.StatusOK},
		{name: "scope missing", checker: opaque, need: verify.ScopeRule{AllOf: []string{"write"}}, auth: "Bearer opaque-read", wantStatus: http.StatusForbidden, wantReason: verify.ReasonInsufficientScope, want: verify.OutcomeInsufficientScope},
		{name: "unknown token", checker: opaque, auth: "Bearer nope", wantStatus: http.StatusUnauthorized, wantReason: verify.ReasonMalformed, want: verify.OutcomeInvalidToken},
		{name: "checker down is the server's fault", checker: tokentest.OpaqueChecker{Down: true}, auth: "Bearer opaque-read", wantStatus: http.StatusServiceUnavailable, want: verify.OutcomeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *verify.Rejection
			mw, err := httpmw.New(httpmw.Config{Checker: tt.checker, OnReject: func(_ context.Context, r verify.Rejection) { got = &r }})
			if err != nil {
				t.Fatal(err)
			}
			h := mw.Require(tt.need)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, ok := verify.FromContext(r.Context())
				if !ok {
					t.Error("no claims in context")
					return
				}
				var raw struct {
					Opaque bool `json:"opaque"`
				}
				if err := c.Decode(&raw); err != nil || !raw.Opaque {
					t.Errorf("Decode = %v, %+v", err, raw)
				}
				w.Write([]byte(c.Subject))
			}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", tt.auth)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusOK {
				if rec.Body.String() != "user-1" {
					t.Fatalf("body = %q", rec.Body.String())
				}
				return
			}
			if got == nil || got.Reason != tt.wantReason || got.Outcome != tt.want {
				t.Fatalf("OnReject = %+v, want reason %q, outcome %q", got, tt.wantReason, tt.want)
			}
		})
	}
}

// uncomparableChecker is a Checker whose dynamic type cannot be a context
// key; the middleware must still work (and not panic comparing keys).
type uncomparableChecker struct {
	tokentest.OpaqueChecker
	_ []int
}

func TestUncomparableChecker(t *testing.T) {
	c := uncomparableChecker{OpaqueChecker: tokentest.OpaqueChecker{Tokens: map[string]verify.Claims{"t": {Subject: "s", Scopes: []string{"a"}}}}}
	mw, err := httpmw.New(httpmw.Config{Checker: c})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Handler(mw.Require(verify.ScopeRule{AllOf: []string{"a"}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
}

// TestRoleAndPrefixChallenge checks the 403 answer for requirements that
// RFC 6750's space-separated scope= attribute cannot express: a role with a
// space is left out rather than read as two scopes, and a prefix family is
// never listed as if it were a scope.
func TestRoleAndPrefixChallenge(t *testing.T) {
	opaque := tokentest.OpaqueChecker{Tokens: map[string]verify.Claims{
		"manager": {Subject: "user-1", Scopes: []string{"Office Manager"}},
		"cx":      {Subject: "user-1", Scopes: []string{"cx.agent-calls"}},
	}}
	mw, err := httpmw.New(httpmw.Config{Checker: opaque})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		need      verify.ScopeRule
		token     string
		status    int
		challenge string
	}{
		{name: "role met", need: verify.ScopeRule{AllOf: []string{"Office Manager"}}, token: "manager", status: 200},
		{name: "role missing", need: verify.ScopeRule{AllOf: []string{"Office Manager"}}, token: "cx", status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope"`},
		{name: "prefix met", need: verify.ScopeRule{AnyPrefix: []string{"cx."}}, token: "cx", status: 200},
		{name: "prefix missing", need: verify.ScopeRule{AnyPrefix: []string{"cx."}}, token: "manager", status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope"`},
		{name: "prefix beside a name", need: verify.ScopeRule{AllOf: []string{"cx.admin"}, AnyPrefix: []string{"cx."}}, token: "cx", status: 403,
			challenge: `Bearer realm="api", error="insufficient_scope", scope="cx.admin"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mw.Require(tt.need)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Fatalf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
		})
	}
}
