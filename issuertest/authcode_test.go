package issuertest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

const callback = "https://app.example.com/callback"

// addWebClient registers the authorization-code client "web".
func addWebClient(s *Server) {
	s.AddClient(Client{ID: "web", Secret: "s", RedirectURIs: []string{callback, "https://app.example.com/other"},
		Scopes: []string{"openid", "phone", "offline_access", "offline", "a"}})
}

func webConfig(s *Server, scopes ...string) *oauth2.Config {
	return &oauth2.Config{ClientID: "web", ClientSecret: "s", RedirectURL: callback, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: s.AuthURL(), TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}}
}

// follow GETs u without following the redirect and returns the status and
// the Location's query.
func follow(t testing.TB, s *Server, u string) (int, url.Values) {
	t.Helper()
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return resp.StatusCode, nil
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != callback {
		t.Errorf("redirected to %s, want %s", got, callback)
	}
	return resp.StatusCode, loc.Query()
}

// authorize runs /oauth2/auth for client "web" and returns the code.
func authorize(t testing.TB, s *Server, scope string, opts ...oauth2.AuthCodeOption) (code string, q url.Values) {
	t.Helper()
	status, q := follow(t, s, webConfig(s, strings.Fields(scope)...).AuthCodeURL("state-123456", opts...))
	if status != http.StatusFound || q.Get("code") == "" {
		t.Fatalf("authorize: status %d, query %v", status, q)
	}
	return q.Get("code"), q
}

// authCodeTokens runs the whole flow for client "web" with x/oauth2.
func authCodeTokens(t testing.TB, s *Server, scope string) *oauth2.Token {
	t.Helper()
	code, _ := authorize(t, s, scope)
	tok, err := webConfig(s).Exchange(withClient(t, s), code)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok
}

// TestAuthorizationCodeFlow runs the flow end to end with x/oauth2 (PKCE
// S256, nonce, state) and checks every token it yields, then refreshes.
func TestAuthorizationCodeFlow(t *testing.T) {
	for _, format := range []string{TokenFormatHydra, TokenFormatJWT, TokenFormatHydraV2} {
		t.Run(format, func(t *testing.T) {
			s := newTestServer(t, Config{AccessTokenFormat: format, UserPhone: "+4712345678"})
			addWebClient(s)
			cfg := webConfig(s, "openid", "phone", "offline_access")
			verifier := oauth2.GenerateVerifier()
			code, q := authorize(t, s, "openid phone offline_access", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "my-nonce"))
			if q.Get("state") != "state-123456" || q.Get("scope") != "openid phone offline_access" {
				t.Errorf("callback query %v", q)
			}
			tok, err := cfg.Exchange(withClient(t, s), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.TokenType != "bearer" || tok.RefreshToken == "" || !reHydra.MatchString(strings.TrimPrefix(tok.RefreshToken, "ory_rt_")) {
				t.Errorf("token_type %q, refresh_token %q", tok.TokenType, tok.RefreshToken)
			}
			idt, _ := tok.Extra("id_token").(string)
			claims, _, err := verify(idt, mustKeys(t, s), fixedNow)
			if err != nil {
				t.Fatalf("id_token: %v", err)
			}
			at := sha256.Sum256([]byte(tok.AccessToken))
			wantSub := pairwiseSub("web", "+4712345678")
			for k, want := range map[string]any{"nonce": "my-nonce", "sub": wantSub, "phone_number": "+4712345678",
				"phone_number_verified": true, "at_hash": base64.RawURLEncoding.EncodeToString(at[:16]), "iss": s.Issuer()} {
				if claims[k] != want {
					t.Errorf("id_token %s = %v, want %v", k, claims[k], want)
				}
			}
			info := introspect(t, s, tok.AccessToken)
			if info["sub"] != wantSub || info["client_id"] != "web" || info["scope"] != "openid phone offline_access" {
				t.Errorf("introspection %v", info)
			}
			if ui := userinfoOK(t, s, tok.AccessToken); ui["sid"] != claims["sid"] || ui["phone_number"] != "+4712345678" {
				t.Errorf("userinfo %v, want sid %v", ui, claims["sid"])
			}

			// The refresh grant rotates both tokens.
			fresh, err := cfg.TokenSource(withClient(t, s), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || fresh.RefreshToken == "" {
				t.Errorf("refresh did not rotate the tokens")
			}
			for name, old := range map[string]string{"access": tok.AccessToken, "refresh": tok.RefreshToken} {
				if introspect(t, s, old)["active"] != false {
					t.Errorf("old %s token still active after refresh", name)
				}
			}
			if introspect(t, s, fresh.AccessToken)["sub"] != wantSub {
				t.Errorf("refreshed access token lost the user")
			}
			if _, err := cfg.TokenSource(withClient(t, s), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); !isOAuthError(err, "invalid_grant") {
				t.Errorf("reused refresh token: %v, want invalid_grant", err)
			}
		})
	}
}

func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

// TestAuthorizationCodeScopes: refresh token only with offline_access (or
// offline), ID token only with openid, phone claims only with phone.
func TestAuthorizationCodeScopes(t *testing.T) {
	for _, tt := range []struct {
		scope               string
		wantRefresh, wantID bool
		wantPhoneInUserinfo bool
	}{
		{"phone offline_access", true, false, true}, // what wgtwo's walkthrough asks for
		{"openid", false, true, false},
		{"openid offline a", true, true, false},
		{"", false, false, false},
	} {
		t.Run(tt.scope, func(t *testing.T) {
			s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydra})
			addWebClient(s)
			tok := authCodeTokens(t, s, tt.scope)
			if (tok.RefreshToken != "") != tt.wantRefresh || (tok.Extra("id_token") != nil) != tt.wantID {
				t.Errorf("refresh %q, id_token %v", tok.RefreshToken, tok.Extra("id_token"))
			}
			if _, ok := userinfoOK(t, s, tok.AccessToken)["phone_number"]; ok != tt.wantPhoneInUserinfo {
				t.Errorf("userinfo phone_number present = %v", ok)
			}
		})
	}
}

// TestAuthorizeErrors checks /oauth2/auth's refusals: with a registered
// redirect_uri they go back to the client, otherwise they are answered
// directly.
func TestAuthorizeErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	addWebClient(s)
	s.AddClient(Client{ID: "single", Secret: "s", RedirectURIs: []string{callback}})
	base := url.Values{"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {callback}, "state": {"state-123456"}}
	with := func(k, v string) url.Values {
		q := cloneValues(base)
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	for _, tt := range []struct {
		name       string
		q          url.Values
		wantStatus int
		wantError  string // in the redirect; "" = a code
	}{
		{"ok", base, 302, ""},
		{"single registered uri may be omitted", url.Values{"response_type": {"code"}, "client_id": {"single"}, "state": {"state-123456"}}, 302, ""},
		{"unknown client", with("client_id", "nobody"), 401, ""},
		{"unregistered redirect", with("redirect_uri", "https://evil.example.com/cb"), 400, ""},
		{"redirect omitted with two registered", with("redirect_uri", ""), 400, ""},
		{"token response type", with("response_type", "token"), 302, "unsupported_response_type"},
		{"short state", with("state", "abc"), 302, "invalid_state"},
		{"scope not allowed", with("scope", "openid admin"), 302, "invalid_scope"},
		{"unknown challenge method", with("code_challenge_method", "S512"), 302, "invalid_request"},
		{"method without challenge", with("code_challenge_method", "S256"), 302, "invalid_request"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, q := follow(t, s, s.AuthURL()+"?"+tt.q.Encode())
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d", status, tt.wantStatus)
			}
			if status != 302 {
				return
			}
			if q.Get("error") != tt.wantError || (tt.wantError == "") == (q.Get("code") == "") {
				t.Errorf("callback %v, want error %q", q, tt.wantError)
			}
			if q.Get("state") != "state-123456" && tt.name != "short state" {
				t.Errorf("state %q not returned", q.Get("state"))
			}
		})
	}
}

// TestCodeExchangeErrors checks that a code works once, for its client,
// redirect_uri and PKCE verifier, and before it expires.
func TestCodeExchangeErrors(t *testing.T) {
	verifier := oauth2.GenerateVerifier()
	s256 := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	plain := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", verifier)}
	for _, tt := range []struct {
		name     string
		pkce     []oauth2.AuthCodeOption
		exchange func(t *testing.T, s *Server, clock *fakeClock, code string) error
		wantErr  bool
	}{
		{"ok with pkce", s256, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			_, err := webConfig(s).Exchange(withClient(t, s), code, oauth2.VerifierOption(verifier))
			return err
		}, false},
		{"missing verifier", s256, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			_, err := webConfig(s).Exchange(withClient(t, s), code)
			return err
		}, true},
		{"wrong verifier", s256, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			_, err := webConfig(s).Exchange(withClient(t, s), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			return err
		}, true},
		{"plain challenge without a method", plain, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			_, err := webConfig(s).Exchange(withClient(t, s), code, oauth2.VerifierOption(verifier))
			return err
		}, false},
		{"plain challenge, S256 verifier", plain, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			_, err := webConfig(s).Exchange(withClient(t, s), code, oauth2.VerifierOption(oauth2.S256ChallengeFromVerifier(verifier)))
			return err
		}, true},
		{"other redirect_uri", nil, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			cfg := webConfig(s)
			cfg.RedirectURL = "https://app.example.com/other"
			_, err := cfg.Exchange(withClient(t, s), code)
			return err
		}, true},
		{"other client", nil, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			s.AddClient(Client{ID: "other", Secret: "s", RedirectURIs: []string{callback}})
			cfg := webConfig(s)
			cfg.ClientID = "other"
			_, err := cfg.Exchange(withClient(t, s), code)
			return err
		}, true},
		{"expired", nil, func(t *testing.T, s *Server, clock *fakeClock, code string) error {
			clock.Advance(codeTTL)
			_, err := webConfig(s).Exchange(withClient(t, s), code)
			return err
		}, true},
		{"reused, which revokes the first tokens", nil, func(t *testing.T, s *Server, _ *fakeClock, code string) error {
			first, err := webConfig(s).Exchange(withClient(t, s), code)
			if err != nil {
				t.Fatalf("first exchange: %v", err)
			}
			_, err = webConfig(s).Exchange(withClient(t, s), code)
			if introspect(t, s, first.AccessToken)["active"] != false {
				t.Errorf("tokens from a replayed code stay active")
			}
			return err
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			s := newTestServer(t, Config{Now: clock.Now, AccessTokenFormat: TokenFormatHydra})
			addWebClient(s)
			code, _ := authorize(t, s, "openid", tt.pkce...)
			err := tt.exchange(t, s, clock, code)
			if tt.wantErr != isOAuthError(err, "invalid_grant") || (!tt.wantErr && err != nil) {
				t.Errorf("Exchange error %v, want invalid_grant: %v", err, tt.wantErr)
			}
		})
	}
}

func TestPKCEPlain(t *testing.T) {
	for _, tt := range []struct {
		method, challenge, verifier string
		want                        bool
	}{
		{"", "", "", true},
		{"", "", "ignored", true},
		{"plain", "abc", "abc", true},
		{"plain", "abc", "abd", false},
		{"plain", "abc", "", false},
		{"S256", oauth2.S256ChallengeFromVerifier("v"), "v", true},
		{"S256", oauth2.S256ChallengeFromVerifier("v"), "w", false},
		{"S256", oauth2.S256ChallengeFromVerifier(""), "", false},
	} {
		if got := pkceOK(tt.method, tt.challenge, tt.verifier); got != tt.want {
			t.Errorf("pkceOK(%q, %q, %q) = %v, want %v", tt.method, tt.challenge, tt.verifier, got, tt.want)
		}
	}
}

// TestTokenResponseMembers checks the exact member names of each grant's
// answer.
func TestTokenResponseMembers(t *testing.T) {
	s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydra, ExpiresField: true})
	addWebClient(s)
	code := func(scope string) url.Values {
		c, _ := authorize(t, s, scope)
		return url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {callback}}
	}
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"client_credentials", url.Values{"grant_type": {"client_credentials"}, "scope": {"a"}},
			"access_token expires expires_in scope token_type"},
		{"code, openid offline_access", code("openid offline_access"),
			"access_token expires expires_in id_token refresh_token scope token_type"},
		{"code, no scope", code(""), "access_token expires expires_in scope token_type"},
		{"refresh", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {authCodeTokens(t, s, "offline").RefreshToken}},
			"access_token expires expires_in refresh_token scope token_type"},
	} {
		status, _, body := postForm(t, s, s.TokenURL(), tt.form, basic("web", "s"))
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil || status != 200 {
			t.Fatalf("%s: %d %s", tt.name, status, body)
		}
		if got := strings.Join(slices.Sorted(maps.Keys(m)), " "); got != tt.want {
			t.Errorf("%s: members %q, want %q", tt.name, got, tt.want)
		}
	}
}
