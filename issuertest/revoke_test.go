package issuertest

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// TestRevokeEndpoint checks RFC 7009 as Hydra answers it: client
// authentication, only one's own tokens, unknown tokens are fine, and
// revoking either token of a grant ends both.
func TestRevokeEndpoint(t *testing.T) {
	tests := []struct {
		name       string
		token      func(s *Server) (tok string, others []string) // others share tok's grant
		a          auth
		wantStatus int
		wantBody   string
		wantGone   bool
	}{
		{"access token by basic", func(s *Server) (string, []string) {
			tok := authCodeTokens(t, s, "offline_access")
			return tok.AccessToken, []string{tok.RefreshToken}
		}, basic("web", "s"), 200, "", true},
		{"refresh token by form body", func(s *Server) (string, []string) {
			code, _ := authorizeAs(t, s, "any", "offline_access")
			cfg := webConfig(s)
			cfg.ClientID, cfg.Endpoint.AuthStyle = "any", oauth2.AuthStyleInParams
			tok, err := cfg.Exchange(withClient(t, s), code)
			if err != nil {
				t.Fatal(err)
			}
			return tok.RefreshToken, []string{tok.AccessToken}
		}, post("any", "s"), 200, "", true},
		{"jwt", func(s *Server) (string, []string) { return s.AccessToken("web"), nil }, basic("web", "s"), 200, "", true},
		{"unknown token", func(s *Server) (string, []string) { return "nope", nil }, basic("web", "s"), 200, "", false},
		{"another client's token", func(s *Server) (string, []string) {
			return ccToken(t, s, "any", "s", oauth2.AuthStyleInHeader).AccessToken, nil
		}, basic("web", "s"), 400, `{"error":"unauthorized_client","error_description":"The client is not authorized to request a token using this method."}`, false},
		{"wrong secret", func(s *Server) (string, []string) { return s.AccessToken("web"), nil }, basic("web", "x"), 401,
			`{"error":"invalid_client","error_description":"` + descInvalidClient + `"}`, false},
		{"anonymous", func(s *Server) (string, []string) { return s.AccessToken("web"), nil }, noAuth, 401,
			`{"error":"invalid_client","error_description":"` + descInvalidClient + `"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydra})
			addWebClient(s)
			s.AddClient(Client{ID: "any", Secret: "s", AuthMethod: AuthMethodAny, RedirectURIs: []string{callback},
				Scopes: []string{"offline_access"}})
			tok, others := tt.token(s)
			all := append([]string{tok}, others...)
			var wasActive []bool
			for _, x := range all {
				wasActive = append(wasActive, introspect(t, s, x)["active"] == true)
			}
			status, h, body := postForm(t, s, s.RevokeURL(), url.Values{"token": {tok}, "token_type_hint": {"refresh_token"}}, tt.a)
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", status, body, tt.wantStatus, tt.wantBody)
			}
			if status == http.StatusOK && h.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
			}
			for i, x := range all {
				if gone := wasActive[i] && introspect(t, s, x)["active"] != true; gone != tt.wantGone && wasActive[i] {
					t.Errorf("token %d (%.12s…) gone = %v after revocation, want %v", i, x, gone, tt.wantGone)
				}
			}
		})
	}
}

// authorizeAs is authorize for another client with callback registered.
func authorizeAs(t testing.TB, s *Server, clientID, scope string) (string, url.Values) {
	t.Helper()
	cfg := webConfig(s, scope)
	cfg.ClientID = clientID
	status, q := follow(t, s, cfg.AuthCodeURL("state-123456"))
	if status != http.StatusFound || q.Get("code") == "" {
		t.Fatalf("authorize %s: %d %v", clientID, status, q)
	}
	return q.Get("code"), q
}

func TestRevokeMethod(t *testing.T) {
	s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHex32})
	s.AddClient(Client{ID: "c", Secret: "s"})
	tok := ccToken(t, s, "c", "s", oauth2.AuthStyleInHeader).AccessToken
	for _, tt := range []struct {
		name, tok string
		want      bool
	}{
		{"issued opaque", tok, true},
		{"again", tok, true},
		{"minted jwt", s.AccessToken("c"), true},
		{"foreign jwt", s.Mint(s.AccessTokenClaims("c"), MintOptions{Key: s.ForeignKey()}), false},
		{"jwt without jti", s.Mint(map[string]any{"iss": s.Issuer(), "client_id": "c"}, MintOptions{}), false},
		{"id token", s.IDToken("c", "n", ""), false},
		{"unknown", "0123456789abcdef0123456789abcdef", false},
		{"code", func() string { addWebClient(s); c, _ := authorize(t, s, ""); return c }(), false},
	} {
		if got := s.Revoke(tt.tok); got != tt.want {
			t.Errorf("%s: Revoke = %v, want %v", tt.name, got, tt.want)
		}
	}
	if introspect(t, s, tok)["active"] != false {
		t.Errorf("revoked token still active")
	}
	minted := s.AccessToken("c")
	s.Revoke(minted)
	s.Revoke(minted)
	if len(s.tokens.order) != len(s.tokens.m) {
		t.Errorf("table order %d entries for %d tokens", len(s.tokens.order), len(s.tokens.m))
	}
}
