package verify

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
)

// hydraIssuer is an in-process Hydra-shaped issuer at testNow and a
// jwks.Cache over it (no network).
func hydraIssuer(t *testing.T) (*issuertest.Server, *jwks.Cache) {
	t.Helper()
	iss := issuertest.NewServer(issuertest.Config{Now: func() time.Time { return testNow }})
	t.Cleanup(iss.Close)
	cache, err := jwks.New(t.Context(), jwks.Config{URL: iss.JWKSURL(), InsecureAllowHTTP: true,
		HTTPClient: &http.Client{Transport: iss.Transport()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Close() })
	return iss, cache
}

// idClaims is an ID token's claims as issuertest.IDToken mints them, for
// rows that remove or add one claim.
func idClaims(iss *issuertest.Server, client string) map[string]any {
	iat := testNow.Unix()
	return map[string]any{
		"at_hash": "Q9pzLUovNYaU_V5Kn-7YSg", "aud": []string{client}, "auth_time": iat - 900,
		"exp": iat + 3600, "iat": iat, "iss": iss.Issuer(), "jti": "5f55d59b-0fbc-4ee6-9cbc-6e1454a00cdc",
		"nonce": "n-1", "rat": iat - 60, "sid": "235e615c-c52d-407c-8760-7ff1256d0e66", "sub": "4c42b5eb",
	}
}

// without returns a copy of m without the named members.
func without(m map[string]any, names ...string) map[string]any {
	out := maps.Clone(m)
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// TestTokenKind: with the configuration recommended for Hydra
// (InsecureSkipAudienceCheck, because its access tokens carry "aud": []), an ID
// token from the same issuer must not pass as an access token; and an ID
// token verifier must not take an access token.
func TestTokenKind(t *testing.T) {
	const client = "svc"
	iss, cache := hydraIssuer(t)
	src := &countingSource{src: cache}
	access := newVerifier(t, src, func(c *Config) {
		c.Issuers[0].Name = iss.Issuer()
		c.Audiences, c.InsecureSkipAudienceCheck = nil, true
		c.TokenCache.Disable = true
	})
	idv := newVerifier(t, src, func(c *Config) {
		c.Issuers[0].Name = iss.Issuer()
		c.Audiences = []string{client}
		c.Kind = TokenKindID
		c.TokenCache.Disable = true
	})
	at := iss.AccessTokenClaims(client, "a")
	id := idClaims(iss, client)
	atJWT := issuertest.MintOptions{Header: map[string]any{"typ": "at+jwt"}}
	mint := func(c map[string]any) string { return iss.Mint(c, issuertest.MintOptions{}) }

	tests := []struct {
		name  string
		v     *Verifier
		tok   string
		want  Reason
		calls int64 // key source calls
	}{
		// Access-token verifier (the zero Kind).
		{"access/hydra-access-token", access, iss.AccessToken(client, "a"), "", 1},
		{"access/id-token-with-nonce", access, iss.IDToken(client, "n-1", "+4799999999"), ReasonWrongTokenKind, 0},
		{"access/id-token-without-nonce", access, iss.IDToken(client, "", ""), ReasonWrongTokenKind, 0},
		{"access/id-token-only-at_hash", access, mint(without(id, "nonce", "auth_time")), ReasonWrongTokenKind, 0},
		{"access/id-token-only-c_hash", access, mint(with(without(id, "nonce", "auth_time", "at_hash"), "c_hash", "x")), ReasonWrongTokenKind, 0},
		{"access/id-token-only-auth_time", access, mint(without(id, "nonce", "at_hash")), ReasonWrongTokenKind, 0},
		{"access/id-token-empty-nonce", access, mint(with(without(id, "at_hash", "auth_time"), "nonce", "")), ReasonWrongTokenKind, 0},
		{"access/id-token-typ-absent", access, iss.Mint(id, issuertest.MintOptions{Header: map[string]any{"typ": nil}}), ReasonWrongTokenKind, 0},
		// What the rule lets through: an ID token with no OpenID-only
		// claim looks like an access token (documented on TokenKindAccess).
		{"access/id-token-without-markers", access, mint(without(id, "nonce", "at_hash", "auth_time")), "", 1},
		// Access tokens carrying claims that ID tokens also carry.
		{"access/auth_time-with-scp", access, mint(with(at, "auth_time", testNow.Unix()-60)), "", 1},
		{"access/auth_time-with-client_id", access, mint(with(without(at, "scp"), "auth_time", testNow.Unix()-60)), "", 1},
		{"access/auth_time-with-null-scp", access, mint(with(without(at, "client_id"), "scp", []string(nil), "auth_time", testNow.Unix()-60)), "", 1},
		{"access/auth_time-without-client_id-or-scope", access, mint(with(without(at, "client_id", "scp"), "auth_time", testNow.Unix()-60)), ReasonWrongTokenKind, 0},
		{"access/acr-amr-azp-sid", access, mint(with(at, "acr", "1", "amr", []string{"pwd"}, "azp", client, "sid", "s")), "", 1},
		{"access/nonce-in-access-token", access, mint(with(at, "nonce", "n")), ReasonWrongTokenKind, 0},
		{"access/at+jwt-proves-access", access, iss.Mint(with(at, "nonce", "n"), atJWT), "", 1},
		{"access/application-at+jwt", access, iss.Mint(with(at, "at_hash", "x"), issuertest.MintOptions{Header: map[string]any{"typ": "application/AT+JWT"}}), "", 1},
		// Earlier checks keep their reasons.
		{"access/expired-id-token", access, mint(with(id, "exp", testNow.Unix()-1)), ReasonExpired, 0},
		{"access/foreign-id-token", access, mint(with(id, "iss", "https://other.example/")), ReasonInvalidIssuer, 0},

		// ID-token verifier.
		{"id/id-token", idv, iss.IDToken(client, "n-1", "+4799999999"), "", 1},
		{"id/id-token-without-markers", idv, mint(without(id, "nonce", "at_hash", "auth_time")), "", 1},
		{"id/other-client", idv, iss.IDToken("other", "n-1", ""), ReasonInvalidAudience, 0},
		{"id/access-token-for-client", idv, mint(with(at, "aud", []string{client})), ReasonWrongTokenKind, 0},
		{"id/scope", idv, mint(with(id, "scope", "a")), ReasonWrongTokenKind, 0},
		{"id/scp", idv, mint(with(id, "scp", []string{})), ReasonWrongTokenKind, 0},
		{"id/at+jwt", idv, iss.Mint(id, atJWT), ReasonWrongTokenKind, 0},
		{"id/no-sub", idv, mint(without(id, "sub")), ReasonMissingClaim, 0},
		{"id/no-iat", idv, mint(without(id, "iat")), ReasonMissingClaim, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := src.calls.Load()
			c, err := tt.v.Verify(context.Background(), tt.tok, ScopeRule{})
			if got := ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q, want %q (err %v)", got, tt.want, err)
			}
			if (c == nil) == (tt.want == "") {
				t.Errorf("claims %v with err %v", c, err)
			}
			if tt.want != "" && !errors.Is(err, sentinels[tt.want]) {
				t.Errorf("errors.Is(%v, %v) = false", err, sentinels[tt.want])
			}
			if got := src.calls.Load() - before; got != tt.calls {
				t.Errorf("key source calls = %d, want %d (the kind is decided before any key lookup)", got, tt.calls)
			}
		})
	}
}

// TestTokenKindScopeClaims: a configured scope claim names the grant as
// well as scope and scp do.
func TestTokenKindScopeClaims(t *testing.T) {
	v := newVerifier(t, defaultSource(t), func(c *Config) { c.ScopeClaims = []string{"permissions"} })
	base := without(hydraClaims(testNow), "scp", "client_id")
	for _, tt := range []struct {
		name   string
		claims map[string]any
		want   Reason
	}{
		{"permissions", with(base, "auth_time", testNow.Unix(), "permissions", []string{"read"}), ""},
		{"no-grant", with(base, "auth_time", testNow.Unix()), ReasonWrongTokenKind},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), mint(t, tt.claims), ScopeRule{}); ReasonOf(err) != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTokenKindConfig(t *testing.T) {
	src := defaultSource(t)
	for _, tt := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"id-with-audiences", func(c *Config) { c.Kind = TokenKindID }, true},
		{"id-skip-audience", func(c *Config) { c.Kind = TokenKindID; c.Audiences, c.InsecureSkipAudienceCheck = nil, true }, false},
		{"unknown-kind", func(c *Config) { c.Kind = 2 }, false},
		{"negative-kind", func(c *Config) { c.Kind = -1 }, false},
		{"max-lifetime", func(c *Config) { c.MaxLifetime = time.Hour }, true},
		{"negative-max-lifetime", func(c *Config) { c.MaxLifetime = -time.Second }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Issuers: []Issuer{{Name: testIssuer, Keys: src}}, Audiences: []string{testAudience}}
			tt.edit(&cfg)
			if _, err := New(cfg); (err == nil) != tt.ok {
				t.Fatalf("New: err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	for k, want := range map[TokenKind]string{TokenKindAccess: "access token", TokenKindID: "ID token", 7: "TokenKind(7)"} {
		if got := k.String(); got != want {
			t.Errorf("TokenKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
