package issuertest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// userinfoOK GETs /userinfo with tok and decodes the 200 answer.
func userinfoOK(t testing.TB, s *Server, tok string) map[string]any {
	t.Helper()
	status, _, body := getUserinfo(t, s, http.MethodGet, "Bearer "+tok)
	if status != http.StatusOK {
		t.Fatalf("userinfo: status %d: %s", status, body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func getUserinfo(t testing.TB, s *Server, method, authorization string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.UserinfoURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatalf("userinfo body: %v", err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

var reSub128 = `[0-9a-f]{128}`

// TestUserinfo checks wgtwo's userinfo shape for valid tokens (exact JSON)
// and Hydra's 401 for everything else.
func TestUserinfo(t *testing.T) {
	const wwwInvalid = `Bearer error="invalid_token",error_description="The access token provided is expired, revoked, malformed, or invalid for other reasons."`
	tests := []struct {
		name    string
		format  string
		method  string
		auth    func(s *Server, clock *fakeClock) string
		want    *regexp.Regexp // the whole body
		wantWWW string
	}{
		{"user token with phone (wgtwo)", TokenFormatHydra, http.MethodGet, func(s *Server, _ *fakeClock) string {
			return "Bearer " + authCodeTokens(t, s, "phone offline_access").AccessToken
		}, regexp.MustCompile(`^\{"phone_number":"\+4799999999","phone_number_verified":true,"sid":"[0-9a-f-]{36}","sub":"` + reSub128 + `"\}$`), ""},
		{"user jwt without phone scope, POST", TokenFormatJWT, http.MethodPost, func(s *Server, _ *fakeClock) string {
			return "Bearer " + authCodeTokens(t, s, "openid").AccessToken
		}, regexp.MustCompile(`^\{"sid":"[0-9a-f-]{36}","sub":"` + reSub128 + `"\}$`), ""},
		{"client credentials token", TokenFormatHydraV2, http.MethodGet, func(s *Server, _ *fakeClock) string {
			return "bearer " + ccToken(t, s, "c", "s", oauth2.AuthStyleInHeader).AccessToken
		}, regexp.MustCompile(`^\{"sub":"c"\}$`), ""},
		{"minted jwt", TokenFormatHydra, http.MethodGet, func(s *Server, _ *fakeClock) string {
			return "Bearer " + s.AccessToken("x")
		}, regexp.MustCompile(`^\{"sub":"x"\}$`), ""},
		{"no authorization", TokenFormatHydra, http.MethodGet, func(*Server, *fakeClock) string { return "" }, nil, wwwInvalid},
		{"basic scheme", TokenFormatHydra, http.MethodGet, func(*Server, *fakeClock) string { return "Basic Yzpz" }, nil, wwwInvalid},
		{"unknown token", TokenFormatHydra, http.MethodGet, func(s *Server, _ *fakeClock) string {
			return "Bearer " + s.newOpaque(TokenFormatHydra, useAccess)
		}, nil, wwwInvalid},
		{"expired", TokenFormatHydra, http.MethodGet, func(s *Server, clock *fakeClock) string {
			tok := authCodeTokens(t, s, "phone").AccessToken
			clock.Advance(time.Hour)
			return "Bearer " + tok
		}, nil, wwwInvalid},
		{"revoked", TokenFormatHydra, http.MethodGet, func(s *Server, _ *fakeClock) string {
			tok := authCodeTokens(t, s, "phone").AccessToken
			s.Revoke(tok)
			return "Bearer " + tok
		}, nil, wwwInvalid},
		{"expired jwt", TokenFormatJWT, http.MethodGet, func(s *Server, _ *fakeClock) string {
			return "Bearer " + s.ExpiredAccessToken("x")
		}, nil, wwwInvalid},
		{"refresh token", TokenFormatHydra, http.MethodGet, func(s *Server, _ *fakeClock) string {
			return "Bearer " + authCodeTokens(t, s, "offline_access").RefreshToken
		}, nil, `Bearer error="invalid_token",error_description="Only access tokens are allowed in the authorization header."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			s := newTestServer(t, Config{Now: clock.Now, AccessTokenFormat: tt.format})
			s.AddClient(Client{ID: "c", Secret: "s"})
			addWebClient(s)
			status, h, body := getUserinfo(t, s, tt.method, tt.auth(s, clock))
			if tt.want != nil {
				if status != http.StatusOK || !tt.want.MatchString(body) {
					t.Errorf("got %d %s, want 200 matching %s", status, body, tt.want)
				}
				return
			}
			if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") != tt.wantWWW {
				t.Errorf("got %d, WWW-Authenticate %q; want 401, %q", status, h.Get("WWW-Authenticate"), tt.wantWWW)
			}
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil || e["error"] != "invalid_token" {
				t.Errorf("body %s, want error invalid_token", body)
			}
		})
	}
}
