package issuertest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// activeMembers are the members of Hydra's answer for an active token
// without ext.
var activeMembers = []string{"active", "aud", "client_id", "exp", "iat", "iss", "nbf", "scope", "sub", "token_type", "token_use"}

// TestIntrospect checks Hydra's answers for every kind of token: the exact
// member set and values when active, exactly {"active":false} otherwise.
func TestIntrospect(t *testing.T) {
	type env struct {
		s     *Server
		clock *fakeClock
	}
	cc := func(e env, id string) string {
		return ccToken(t, e.s, id, "s", oauth2.AuthStyleInHeader, "a").AccessToken
	}
	tests := []struct {
		name     string
		token    func(e env) string
		scope    string // the request's scope parameter
		want     map[string]any
		wantExt  map[string]any
		inactive bool
	}{
		{name: "opaque", token: func(e env) string { return cc(e, "opaque") },
			want: map[string]any{"client_id": "opaque", "sub": "opaque", "scope": "a", "token_use": "access_token"}},
		{name: "jwt from the token endpoint", token: func(e env) string { return cc(e, "jwt") },
			want: map[string]any{"client_id": "jwt", "sub": "jwt", "scope": "a", "token_use": "access_token"}},
		{name: "jwt from AccessToken", token: func(e env) string { return e.s.AccessToken("x", "a", "b") },
			want: map[string]any{"client_id": "x", "sub": "x", "scope": "a b", "token_use": "access_token"}},
		{name: "jwt with ext", token: func(e env) string {
			c := e.s.AccessTokenClaims("x", "a")
			c["ext"] = map[string]any{"tenant": "t1"}
			return e.s.Mint(c, MintOptions{})
		}, want: map[string]any{"client_id": "x", "scope": "a"}, wantExt: map[string]any{"tenant": "t1"}},
		{name: "refresh token", token: func(e env) string { return authCodeTokens(t, e.s, "phone offline_access").RefreshToken },
			want: map[string]any{"client_id": "web", "scope": "phone offline_access", "token_use": "refresh_token",
				"exp": float64(fixedNow.Add(refreshTTL).Unix())}},
		{name: "scope carried", token: func(e env) string { return cc(e, "opaque") }, scope: "a",
			want: map[string]any{"scope": "a"}},
		{name: "scope not carried", token: func(e env) string { return cc(e, "opaque") }, scope: "a b", inactive: true},
		{name: "expired opaque", token: func(e env) string { tok := cc(e, "opaque"); e.clock.Advance(time.Hour); return tok }, inactive: true},
		{name: "expired jwt", token: func(e env) string { return e.s.ExpiredAccessToken("x", "a") }, inactive: true},
		{name: "revoked opaque", token: func(e env) string { tok := cc(e, "opaque"); e.s.Revoke(tok); return tok }, inactive: true},
		{name: "revoked jwt", token: func(e env) string { tok := e.s.AccessToken("x"); e.s.Revoke(tok); return tok }, inactive: true},
		{name: "unknown opaque", token: func(e env) string { return e.s.newOpaque(TokenFormatHydra, useAccess) }, inactive: true},
		{name: "real wgtwo token", token: func(env) string {
			return "ih_iwZar30-sjSJiJkBRsNePNZ_MGjhmhgAwMg6tLr0.YzzYG3UIUOb9W8XFZkUQ1S0OuIJE5mvmSGsO1cBx_RE"
		}, inactive: true},
		{name: "empty", token: func(env) string { return "" }, inactive: true},
		{name: "retired key", token: func(e env) string {
			tok := e.s.AccessToken("x")
			old := e.s.SigningKID()
			e.s.Rotate()
			e.s.Retire(old)
			return tok
		}, inactive: true},
		{name: "foreign key under a trusted kid", token: func(e env) string {
			return e.s.Mint(e.s.AccessTokenClaims("x"), MintOptions{Key: e.s.ForeignKey()})
		}, inactive: true},
		{name: "other issuer", token: func(e env) string {
			c := e.s.AccessTokenClaims("x")
			c["iss"] = "https://id.example.com/"
			return e.s.Mint(c, MintOptions{})
		}, inactive: true},
		{name: "id token", token: func(e env) string { return e.s.IDToken("x", "n", "") }, inactive: true},
		{name: "alg none", token: func(e env) string { return e.s.Mint(e.s.AccessTokenClaims("x"), MintOptions{Alg: "none"}) }, inactive: true},
		{name: "authorization code", token: func(e env) string { code, _ := authorize(t, e.s, "phone"); return code }, inactive: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			s := newTestServer(t, Config{Now: clock.Now, AccessTokenFormat: TokenFormatHydra})
			s.AddClient(Client{ID: "opaque", Secret: "s", Scopes: []string{"a", "b"}})
			s.AddClient(Client{ID: "jwt", Secret: "s", Scopes: []string{"a"}, AccessTokenFormat: TokenFormatJWT})
			addWebClient(s)
			tok := tt.token(env{s, clock})
			form := url.Values{"token": {tok}, "token_type_hint": {"access_token"}}
			if tt.scope != "" {
				form.Set("scope", tt.scope)
			}
			status, h, body := postForm(t, s, s.IntrospectURL(), form, noAuth)
			if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d, Content-Type %q", status, h.Get("Content-Type"))
			}
			if tt.inactive {
				if body != `{"active":false}` {
					t.Errorf("body %s, want exactly {\"active\":false}", body)
				}
				return
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			members := slices.Clone(activeMembers)
			if tt.wantExt != nil {
				members = append(members, "ext")
			}
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, slices.Sorted(slices.Values(members))) {
				t.Errorf("members %v, want %v", keys, slices.Sorted(slices.Values(members)))
			}
			want := map[string]any{"active": true, "iss": s.Issuer(), "token_type": "Bearer", "aud": []any{},
				"iat": float64(fixedNow.Unix()), "nbf": float64(fixedNow.Unix()), "exp": float64(fixedNow.Add(time.Hour).Unix())}
			maps.Copy(want, tt.want)
			for k, v := range want {
				if !jsonEqual(got[k], v) {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if tt.wantExt != nil && !jsonEqual(got["ext"], tt.wantExt) {
				t.Errorf("ext = %v, want %v", got["ext"], tt.wantExt)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// TestIntrospectCallerAuth checks each Config.IntrospectAuth against each
// way of calling.
func TestIntrospectCallerAuth(t *testing.T) {
	type who int
	const (
		anonymous who = iota
		clientBasic
		clientPost
		clientWrongSecret
		bearerOther   // another active access token
		bearerSame    // the introspected token itself
		bearerRefresh // a refresh token
		bearerUnknown
	)
	tests := []struct {
		name    string
		mode    string
		caller  who
		wantOK  bool
		wantWWW string
	}{
		{"none anonymous", IntrospectAuthNone, anonymous, true, ""},
		{"none ignores bad credentials", IntrospectAuthNone, clientWrongSecret, true, ""},
		{"client anonymous", IntrospectAuthClient, anonymous, false, `Basic realm="issuertest"`},
		{"client basic", IntrospectAuthClient, clientBasic, true, ""},
		{"client form body", IntrospectAuthClient, clientPost, true, ""},
		{"client wrong secret", IntrospectAuthClient, clientWrongSecret, false, `Basic realm="issuertest"`},
		{"client bearer", IntrospectAuthClient, bearerOther, false, `Basic realm="issuertest"`},
		{"bearer anonymous", IntrospectAuthBearer, anonymous, false, `Bearer error="invalid_token"`},
		{"bearer other token", IntrospectAuthBearer, bearerOther, true, ""},
		{"bearer same token", IntrospectAuthBearer, bearerSame, false, `Bearer error="invalid_token"`},
		{"bearer refresh token", IntrospectAuthBearer, bearerRefresh, false, `Bearer error="invalid_token"`},
		{"bearer unknown", IntrospectAuthBearer, bearerUnknown, false, `Bearer error="invalid_token"`},
		{"bearer basic", IntrospectAuthBearer, clientBasic, false, `Bearer error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{IntrospectAuth: tt.mode, AccessTokenFormat: TokenFormatHydraV2})
			s.AddClient(Client{ID: "rs", Secret: "s", Scopes: []string{"a"}, AuthMethod: AuthMethodAny})
			addWebClient(s)
			tok := ccToken(t, s, "rs", "s", oauth2.AuthStyleInHeader).AccessToken
			a := map[who]auth{
				anonymous:         noAuth,
				clientBasic:       basic("rs", "s"),
				clientPost:        post("rs", "s"),
				clientWrongSecret: basic("rs", "x"),
				bearerOther:       bearer(ccToken(t, s, "rs", "s", oauth2.AuthStyleInHeader).AccessToken),
				bearerSame:        bearer(tok),
				bearerRefresh:     bearer(authCodeTokens(t, s, "offline_access").RefreshToken),
				bearerUnknown:     bearer("ory_at_x.y"),
			}[tt.caller]
			status, h, body := postForm(t, s, s.IntrospectURL(), url.Values{"token": {tok}}, a)
			if tt.wantOK {
				if status != 200 || !strings.HasPrefix(body, `{"active":true,`) {
					t.Errorf("got %d %s, want 200 active", status, body)
				}
				return
			}
			if status != http.StatusUnauthorized || body != `{"error":"request_unauthorized","error_description":"The request could not be authorized."}` {
				t.Errorf("got %d %s, want 401 request_unauthorized", status, body)
			}
			if got := h.Get("WWW-Authenticate"); got != tt.wantWWW {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.wantWWW)
			}
		})
	}
}

func TestIntrospectBadRequests(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, tt := range []struct {
		name, body string
		wantStatus int
		wantError  string
	}{
		{"empty body", "", 400, "invalid_request"},
		{"bad escape", "token=%zz", 400, "invalid_request"},
		{"oversized", "token=" + strings.Repeat("x", maxFormBytes), 400, "invalid_request"},
		{"no token member", "foo=bar", 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := s.Client().Post(s.IntrospectURL(), "application/x-www-form-urlencoded", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]any
			if err := jsonDecode(resp, &got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || (tt.wantError != "" && got["error"] != tt.wantError) ||
				(tt.wantError == "" && got["active"] != false) {
				t.Errorf("got %d %v, want %d %q", resp.StatusCode, got, tt.wantStatus, tt.wantError)
			}
		})
	}
}
