package issuertest

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestClientCredentials drives the token endpoint with x/oauth2's
// clientcredentials, in both authentication styles, and verifies the
// issued token against the JWKS.
func TestClientCredentials(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		method    string
		style     oauth2.AuthStyle
		id        string
		secret    string
		scopes    []string
		wantScope string
	}{
		{"basic (wgtwo)", Config{}, "", oauth2.AuthStyleInHeader, "86b76cb5-caf3-4c1c-bdfe-8b3454f580b8", "s3cret",
			[]string{"sms.text:send_from_subscriber"}, "sms.text:send_from_subscriber"},
		{"basic all scopes", Config{TLS: true}, AuthMethodBasic, oauth2.AuthStyleInHeader, "c", "s", nil,
			"sms.text:send_from_subscriber subscription.handset_details:read"},
		{"basic url-encoded credentials", Config{}, AuthMethodBasic, oauth2.AuthStyleInHeader, "id:with/odd+chars é", "p@ss:w%rd &=+",
			nil, "sms.text:send_from_subscriber subscription.handset_details:read"},
		{"post (net2phone)", Config{ExpiresField: true}, AuthMethodPost, oauth2.AuthStyleInParams, "0123456789", "0123456789012345678901234567890",
			[]string{"subscription.handset_details:read"}, "subscription.handset_details:read"},
		{"any via header", Config{}, AuthMethodAny, oauth2.AuthStyleInHeader, "c", "s", nil,
			"sms.text:send_from_subscriber subscription.handset_details:read"},
		{"any via params", Config{TLS: true}, AuthMethodAny, oauth2.AuthStyleInParams, "c", "s", nil,
			"sms.text:send_from_subscriber subscription.handset_details:read"},
		{"autodetect falls back to params", Config{}, AuthMethodPost, oauth2.AuthStyleAutoDetect, "c", "s", nil,
			"sms.text:send_from_subscriber subscription.handset_details:read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			s.AddClient(Client{ID: tt.id, Secret: tt.secret, AuthMethod: tt.method,
				Scopes: []string{"sms.text:send_from_subscriber", "subscription.handset_details:read"}})
			cc := clientcredentials.Config{ClientID: tt.id, ClientSecret: tt.secret, TokenURL: s.TokenURL(),
				Scopes: tt.scopes, AuthStyle: tt.style}
			ctx := context.WithValue(t.Context(), oauth2.HTTPClient, s.Client())
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatalf("Token() error: %v", err)
			}
			if tok.TokenType != "bearer" {
				t.Errorf("token_type = %q, want lower-case bearer", tok.TokenType)
			}
			if got := tok.Extra("scope"); got != tt.wantScope {
				t.Errorf("scope = %v, want %q", got, tt.wantScope)
			}
			if got := tok.Extra("expires_in"); fmt.Sprint(got) != "3599" {
				t.Errorf("expires_in = %v, want 3599", got)
			}
			if got, ok := tok.Extra("expires").(string); tt.cfg.ExpiresField != ok {
				t.Errorf("expires = %v, want present=%v", tok.Extra("expires"), tt.cfg.ExpiresField)
			} else if ok && got != "2026-11-24T09:00:00.000000" {
				t.Errorf("expires = %q, want 2026-11-24T09:00:00.000000 (Now+1h, UTC, no zone)", got)
			}
			claims, _, err := verify(tok.AccessToken, mustKeys(t, s), fixedNow)
			if err != nil {
				t.Fatalf("access token does not verify: %v", err)
			}
			if claims["client_id"] != tt.id || claims["sub"] != tt.id {
				t.Errorf("client_id, sub = %v, %v, want %q", claims["client_id"], claims["sub"], tt.id)
			}
			if got := strings.Join(toStrings(claims["scp"]), " "); got != tt.wantScope {
				t.Errorf("scp = %v, want %q", claims["scp"], tt.wantScope)
			}
			if s.TokenRequests() < 1 {
				t.Errorf("TokenRequests() = %d", s.TokenRequests())
			}
		})
	}
}

// TestTokenEndpointErrors checks Hydra's (fosite's) error answers.
func TestTokenEndpointErrors(t *testing.T) {
	const basicRealm = `Basic realm="issuertest"`
	tests := []struct {
		name       string
		form       url.Values
		user, pass string // Basic when user != ""
		rawAuth    string // raw Authorization header instead
		wantStatus int
		wantError  string
		wantWWW    string
		wantDesc   string
	}{
		{"unknown client basic", url.Values{"grant_type": {"client_credentials"}}, "nobody", "s", "", 401, "invalid_client", basicRealm, descInvalidClient},
		{"wrong secret basic", url.Values{"grant_type": {"client_credentials"}}, "basic", "wrong", "", 401, "invalid_client", basicRealm, descInvalidClient},
		{"wrong secret post", url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {"wrong"}}, "", "", "", 401, "invalid_client", "", descInvalidClient},
		{"no client authentication", url.Values{"grant_type": {"client_credentials"}}, "", "", "", 401, "invalid_client", "", descInvalidClient},
		{"client_id without secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}}, "", "", "", 401, "invalid_client", "", descInvalidClient},
		{"basic client using post", url.Values{"grant_type": {"client_credentials"}, "client_id": {"basic"}, "client_secret": {"s"}}, "", "", "", 401, "invalid_client", "", descInvalidClient},
		{"post client using basic", url.Values{"grant_type": {"client_credentials"}}, "post", "s", "", 401, "invalid_client", basicRealm, descInvalidClient},
		{"basic with bad escape", url.Values{"grant_type": {"client_credentials"}}, "basic%zz", "s", "", 401, "invalid_client", basicRealm, descInvalidClient},
		{"bearer instead of basic", url.Values{"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {"s"}}, "", "", "Bearer x", 401, "invalid_client", "", descInvalidClient},
		{"malformed basic", url.Values{"grant_type": {"client_credentials"}}, "", "", "Basic !!!", 401, "invalid_client", basicRealm, descInvalidClient},
		{"wrong grant", url.Values{"grant_type": {"password"}, "username": {"u"}}, "basic", "s", "", 400, "unsupported_grant_type", "", descUnsupported},
		{"missing grant", url.Values{}, "basic", "s", "", 400, "invalid_request", "", descInvalidRequest + " Request parameter 'grant_type' is missing."},
		{"scope not allowed", url.Values{"grant_type": {"client_credentials"}, "scope": {"a other"}}, "basic", "s", "", 400, "invalid_scope", "",
			descInvalidScope + " The OAuth 2.0 Client is not allowed to request scope 'other'."},
	}
	s := newTestServer(t, Config{})
	s.AddClient(Client{ID: "basic", Secret: "s", Scopes: []string{"a", "b"}})
	s.AddClient(Client{ID: "post", Secret: "s", Scopes: []string{"a"}, AuthMethod: AuthMethodPost})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			if tt.rawAuth != "" {
				req.Header.Set("Authorization", tt.rawAuth)
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := jsonDecode(resp, &body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || body["error"] != tt.wantError {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body["error"], tt.wantStatus, tt.wantError)
			}
			if body["error_description"] != tt.wantDesc {
				t.Errorf("error_description = %q, want %q", body["error_description"], tt.wantDesc)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.wantWWW {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantWWW)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestTokenEndpointBodyLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	s.AddClient(Client{ID: "c", Secret: "s"})
	form := url.Values{"grant_type": {"client_credentials"}, "pad": {strings.Repeat("x", maxFormBytes)}}
	status, _, body := postToken(t, s, form, "c", "s")
	if status != http.StatusBadRequest || body["error"] != "invalid_request" {
		t.Errorf("oversized body: %d %v, want 400 invalid_request", status, body["error"])
	}
}

func TestClientCredentialsRejectedSurfacesError(t *testing.T) {
	s := newTestServer(t, Config{})
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"a"}})
	cc := clientcredentials.Config{ClientID: "c", ClientSecret: "wrong", TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cc.Token(context.WithValue(t.Context(), oauth2.HTTPClient, s.Client()))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
		t.Fatalf("Token() error = %v, want RetrieveError invalid_client 401", err)
	}
}

// TestAccessTokenShape checks the Hydra JWT access-token claims and header
// for each option that changes them.
func TestAccessTokenShape(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantScp   any // nil = absent
		wantScope any // nil = absent
		wantAud   []string
		ttl       int64
	}{
		{"default list", Config{}, []string{"a", "b:c"}, nil, []string{}, 3600},
		{"string", Config{ScopeClaim: ScopeClaimString}, nil, "a b:c", []string{}, 3600},
		{"both", Config{ScopeClaim: ScopeClaimBoth}, []string{"a", "b:c"}, "a b:c", []string{}, 3600},
		{"audience", Config{Audience: []string{"https://api.wgtwo.com/"}}, []string{"a", "b:c"}, nil, []string{"https://api.wgtwo.com/"}, 3600},
		{"ttl 5m no slash", Config{TokenTTL: 5 * time.Minute, NoTrailingSlash: true}, []string{"a", "b:c"}, nil, []string{}, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			s.AddClient(Client{ID: "cid", Secret: "s", Scopes: []string{"a", "b:c"}})
			status, _, resp := postToken(t, s, url.Values{"grant_type": {"client_credentials"}}, "cid", "s")
			if status != 200 {
				t.Fatalf("token endpoint: %d %v", status, resp)
			}
			if got, want := resp["expires_in"], float64(tt.ttl-1); got != want {
				t.Errorf("expires_in = %v, want %v", got, want)
			}
			for _, tok := range []string{resp["access_token"].(string), s.AccessToken("cid"), s.Mint(s.AccessTokenClaims("cid"), MintOptions{})} {
				claims, parsed, err := verify(tok, mustKeys(t, s), fixedNow)
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if got := fmt.Sprint(parsed.Header); got != fmt.Sprintf("map[alg:RS256 kid:%s typ:JWT]", s.SigningKID()) {
					t.Errorf("header = %s", got)
				}
				iat := fixedNow.Unix()
				want := map[string]any{
					"iss": s.Issuer(), "sub": "cid", "client_id": "cid",
					"iat": float64(iat), "nbf": float64(iat), "exp": float64(iat + tt.ttl),
				}
				for k, v := range want {
					if claims[k] != v {
						t.Errorf("%s = %v, want %v", k, claims[k], v)
					}
				}
				if ext, ok := claims["ext"].(map[string]any); !ok || len(ext) != 0 {
					t.Errorf("ext = %#v, want {}", claims["ext"])
				}
				if aud, ok := claims["aud"].([]any); !ok || !slices.Equal(toStrings(aud), tt.wantAud) {
					t.Errorf("aud = %#v, want array %v", claims["aud"], tt.wantAud)
				}
				if jti, _ := claims["jti"].(string); !uuidV4RE.MatchString(jti) {
					t.Errorf("jti = %q, want UUIDv4", jti)
				}
				if scp, ok := claims["scp"]; (tt.wantScp == nil) == ok {
					t.Errorf("scp = %v, want present=%v", scp, tt.wantScp != nil)
				} else if ok && !slices.Equal(toStrings(scp), tt.wantScp.([]string)) {
					t.Errorf("scp = %v, want %v", scp, tt.wantScp)
				}
				if scope, ok := claims["scope"]; (tt.wantScope == nil) == ok || (ok && scope != tt.wantScope) {
					t.Errorf("scope = %v (present=%v), want %v", scope, ok, tt.wantScope)
				}
				if len(claims) != 10+boolInt(tt.cfg.ScopeClaim == ScopeClaimBoth) {
					t.Errorf("claims = %v: unexpected members", claims)
				}
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestAccessTokenScopes(t *testing.T) {
	s := newTestServer(t, Config{})
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"x", "y"}})
	for _, tt := range []struct {
		name   string
		client string
		scopes []string
		want   []string
	}{
		{"client scopes by default", "c", nil, []string{"x", "y"}},
		{"explicit subset", "c", []string{"y"}, []string{"y"}},
		{"explicit beyond client (helper does not police)", "c", []string{"z"}, []string{"z"}},
		{"unknown client", "ghost", nil, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, claims := decodeSegments(t, s.AccessToken(tt.client, tt.scopes...))
			if got := toStrings(claims["scp"]); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("scp = %v, want %v", got, tt.want)
			}
			if _, ok := claims["scp"].([]any); !ok {
				t.Errorf("scp = %#v, want a JSON array", claims["scp"])
			}
		})
	}
}

func TestExpiredAccessToken(t *testing.T) {
	s := newTestServer(t, Config{})
	tok := s.ExpiredAccessToken("c", "a")
	claims, _, err := verify(tok, mustKeys(t, s), fixedNow)
	if err == nil {
		t.Fatal("expired token verified")
	}
	if exp, iat := claims["exp"], claims["iat"]; exp != float64(fixedNow.Add(-time.Hour).Unix()) || iat != float64(fixedNow.Add(-2*time.Hour).Unix()) {
		t.Errorf("exp, iat = %v, %v", exp, iat)
	}
	if _, _, err := verify(tok, mustKeys(t, s), fixedNow.Add(-90*time.Minute)); err != nil {
		t.Errorf("at its own lifetime the token should verify: %v", err)
	}
}

func TestAddClient(t *testing.T) {
	s := newTestServer(t, Config{})
	mustPanic(t, "empty ID", func() { s.AddClient(Client{Secret: "s"}) })
	mustPanic(t, "unknown AuthMethod", func() { s.AddClient(Client{ID: "c", AuthMethod: "private_key_jwt"}) })

	scopes := []string{"a"}
	s.AddClient(Client{ID: "c", Secret: "old", Scopes: scopes})
	scopes[0] = "mutated"
	s.AddClient(Client{ID: "c", Secret: "new", Scopes: []string{"a"}})
	form := url.Values{"grant_type": {"client_credentials"}}
	if status, _, _ := postToken(t, s, form, "c", "old"); status != http.StatusUnauthorized {
		t.Errorf("replaced secret still accepted: %d", status)
	}
	if status, _, body := postToken(t, s, form, "c", "new"); status != http.StatusOK || body["scope"] != "a" {
		t.Errorf("new secret: %d %v", status, body)
	}

	s2 := newTestServer(t, Config{})
	s2.AddClient(Client{ID: "c", Secret: "s", Scopes: scopes[:1]})
	scopes[0] = "changed-after-add"
	if _, _, body := postToken(t, s2, form, "c", "s"); body["scope"] != "mutated" {
		t.Errorf("AddClient did not copy Scopes: scope = %v", body["scope"])
	}
}

func TestKeyGenerationFailurePanics(t *testing.T) {
	s := newTestServer(t, Config{KeyBits: 4096})
	s.genKey = func(int) (*rsa.PrivateKey, error) { return nil, errors.New("no entropy") }
	s.Rotate()
	s.Rotate() // pool of 4096-bit keys: 3
	mustPanic(t, "Rotate with an exhausted pool and failing generator", func() { s.Rotate() })
	if len(s.KIDs()) != 3 {
		t.Errorf("KIDs() = %v after failed Rotate, want the 3 pool keys", s.KIDs())
	}
}
