package issuertest

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

var (
	reHydra   = regexp.MustCompile(`^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)
	reHydraV2 = regexp.MustCompile(`^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)
	reHex32   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	reJWT     = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
)

// TestAccessTokenFormats obtains tokens of every format with x/oauth2's
// clientcredentials, by Basic and by form body, and checks their shape,
// the response's lifetime fields and that introspection knows them.
func TestAccessTokenFormats(t *testing.T) {
	tests := []struct {
		name          string
		cfg           Config
		client        Client
		style         oauth2.AuthStyle
		want          *regexp.Regexp
		wantExpiresIn string
		wantExpires   string // "" = absent
	}{
		{"jwt default", Config{}, Client{}, oauth2.AuthStyleInHeader, reJWT, "3599", ""},
		{"hydra v1 (wgtwo)", Config{AccessTokenFormat: TokenFormatHydra}, Client{}, oauth2.AuthStyleInHeader, reHydra, "3599", ""},
		{"hydra v2", Config{AccessTokenFormat: TokenFormatHydraV2}, Client{}, oauth2.AuthStyleInHeader, reHydraV2, "3599", ""},
		{"net2phone hex32 by form", Config{AccessTokenFormat: TokenFormatHex32, ExpiresField: true}, Client{AuthMethod: AuthMethodPost},
			oauth2.AuthStyleInParams, reHex32, "3599", "2026-11-24T09:00:00.000000"},
		{"per-client format overrides config", Config{AccessTokenFormat: TokenFormatHex32}, Client{AccessTokenFormat: TokenFormatHydra},
			oauth2.AuthStyleInHeader, reHydra, "3599", ""},
		{"per-client jwt in opaque config", Config{AccessTokenFormat: TokenFormatHydraV2}, Client{AccessTokenFormat: TokenFormatJWT},
			oauth2.AuthStyleInHeader, reJWT, "3599", ""},
		{"sangoma one-year token", Config{}, Client{AccessTokenFormat: TokenFormatHydra, TokenTTL: 365 * 24 * time.Hour},
			oauth2.AuthStyleInHeader, reHydra, "31535999", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			c := tt.client
			c.ID, c.Secret, c.Scopes = "c", "s", []string{"a", "b"}
			s.AddClient(c)
			tok := ccToken(t, s, "c", "s", tt.style, "a")
			if !tt.want.MatchString(tok.AccessToken) {
				t.Errorf("access_token %q does not match %s", tok.AccessToken, tt.want)
			}
			if got := fmt.Sprintf("%.0f", tok.Extra("expires_in")); got != tt.wantExpiresIn {
				t.Errorf("expires_in = %s, want %s", got, tt.wantExpiresIn)
			}
			if got, _ := tok.Extra("expires").(string); got != tt.wantExpires {
				t.Errorf("expires = %q, want %q", got, tt.wantExpires)
			}
			if tok.RefreshToken != "" || tok.Extra("id_token") != nil {
				t.Errorf("client credentials gave refresh %q, id_token %v", tok.RefreshToken, tok.Extra("id_token"))
			}
			got := introspect(t, s, tok.AccessToken)
			if got["active"] != true || got["client_id"] != "c" || got["sub"] != "c" || got["scope"] != "a" {
				t.Errorf("introspection = %v", got)
			}
			if exp := fixedNow.Add(s.ttlOf(c)).Unix(); got["exp"] != float64(exp) {
				t.Errorf("introspected exp = %v, want %d", got["exp"], exp)
			}
		})
	}
}

// ttlOf is the access-token lifetime the server gives c.
func (s *Server) ttlOf(c Client) time.Duration { return s.newGrant(c, "", nil).ttl }

// TestOpaqueHMAC checks that Hydra-style tokens are the HMAC-SHA512/256 of
// their key part under the server's secret, and that the other token kinds
// get their own prefixes.
func TestOpaqueHMAC(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, tt := range []struct {
		format, use string
		want        *regexp.Regexp
	}{
		{TokenFormatHydra, useAccess, reHydra},
		{TokenFormatHydra, useRefresh, reHydra},
		{TokenFormatHydraV2, useAccess, reHydraV2},
		{TokenFormatHydraV2, useRefresh, regexp.MustCompile(`^ory_rt_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)},
		{TokenFormatHydraV2, useCode, regexp.MustCompile(`^ory_ac_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)},
		{TokenFormatHex32, useAccess, reHex32},
	} {
		tok := s.newOpaque(tt.format, tt.use)
		if !tt.want.MatchString(tok) {
			t.Errorf("%s %s: %q does not match %s", tt.format, tt.use, tok, tt.want)
			continue
		}
		if tt.format == TokenFormatHex32 {
			continue
		}
		if tt.format == TokenFormatHydraV2 {
			tok = tok[len("ory_xx_"):]
		}
		key, sig, _ := strings.Cut(tok, ".")
		mac := hmac.New(sha512.New512_256, s.hmacKey[:])
		mac.Write([]byte(key))
		if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); sig != want {
			t.Errorf("%s %s: signature %q, want HMAC %q", tt.format, tt.use, sig, want)
		}
	}
	if a, b := s.newOpaque(TokenFormatHydra, useAccess), s.newOpaque(TokenFormatHydra, useAccess); a == b {
		t.Errorf("two tokens are equal: %q", a)
	}
}

// TestTokenTableBounded: past its bound the table forgets the oldest
// tokens, which then introspect as inactive.
func TestTokenTableBounded(t *testing.T) {
	s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydra})
	s.maxTokens = 3
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"a"}})
	var toks []string
	for range 5 {
		toks = append(toks, ccToken(t, s, "c", "s", oauth2.AuthStyleInHeader).AccessToken)
	}
	if n := len(s.tokens.m); n != 3 || len(s.tokens.order) != 3 {
		t.Errorf("table holds %d (order %d), want 3", n, len(s.tokens.order))
	}
	for i, tok := range toks {
		if got, want := introspect(t, s, tok)["active"], i >= 2; got != want {
			t.Errorf("token %d active = %v, want %v", i, got, want)
		}
	}
}

// introspect asks /oauth2/introspect about tok (no caller authentication)
// and decodes the answer.
func introspect(t testing.TB, s *Server, tok string) map[string]any {
	t.Helper()
	status, _, body := postForm(t, s, s.IntrospectURL(), url.Values{"token": {tok}}, noAuth)
	if status != 200 {
		t.Fatalf("introspect: status %d: %s", status, body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("introspect: %v in %s", err, body)
	}
	return m
}

// TestIssueAccessToken: the Go shortcut issues what the endpoint would, in
// the client's format, and introspection knows it.
func TestIssueAccessToken(t *testing.T) {
	s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydraV2})
	s.AddClient(Client{ID: "n2p", Secret: "s", Scopes: []string{"Office Manager"}, AccessTokenFormat: TokenFormatHex32})
	for _, tt := range []struct {
		client string
		scopes []string
		want   *regexp.Regexp
		scope  string
	}{
		{"n2p", nil, reHex32, "Office Manager"},
		{"unregistered", []string{"a", "b"}, reHydraV2, "a b"},
	} {
		tok := s.IssueAccessToken(tt.client, tt.scopes...)
		if !tt.want.MatchString(tok) {
			t.Errorf("%s: %q does not match %s", tt.client, tok, tt.want)
		}
		if got := introspect(t, s, tok); got["active"] != true || got["client_id"] != tt.client || got["scope"] != tt.scope {
			t.Errorf("%s: introspection %v", tt.client, got)
		}
	}
}
