// Package tokentest holds the fixed issuer, audience, clock, key and token
// helpers that the httpmw and grpcmw unit tests share, so both transports
// are tested against the same tokens. For tests only.
package tokentest

import (
	"context"
	"crypto"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// The identity the helpers' tokens carry and the verifier under test expects.
const (
	Issuer   = "https://issuer.test/"
	Audience = "https://api.test/"
	KID      = "k0"
	Subject  = "client-1"
)

// Now is the verifier's fixed clock in unit tests.
func Now() time.Time { return time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC) }

// StaticKeys publishes testkeys.RSA2048(0) under KID.
func StaticKeys(t testing.TB) jwks.Source {
	t.Helper()
	k, err := jwks.NewKey(KID, "RS256", "sig", testkeys.RSA2048(0).Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwks.NewSet(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Claims are Hydra-shaped access-token claims, valid at Now(), with scopes
// in "scp" (an empty array when none).
func Claims(scopes ...string) jwt.MapClaims {
	if scopes == nil {
		scopes = []string{}
	}
	return jwt.MapClaims{
		"iss":       Issuer,
		"sub":       Subject,
		"aud":       []string{Audience},
		"exp":       Now().Add(time.Hour).Unix(),
		"iat":       Now().Unix(),
		"nbf":       Now().Unix(),
		"client_id": Subject,
		"scp":       scopes,
	}
}

// IDToken is an OpenID Connect ID token from the same issuer, valid at
// Now(), shaped like Hydra's (nonce, at_hash, auth_time; no client_id or
// scope) but addressed to Audience, so that only its kind refuses it.
func IDToken(t testing.TB) string {
	t.Helper()
	c := Claims()
	delete(c, "client_id")
	delete(c, "scp")
	c["nonce"], c["at_hash"], c["auth_time"] = "n-1", "Q9pzLUovNYaU_V5Kn-7YSg", Now().Add(-15*time.Minute).Unix()
	return Sign(t, testkeys.RSA2048(0), KID, c)
}

// Sign signs c with RS256 under kid with key.
func Sign(t testing.TB, key crypto.Signer, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Token is a valid token for StaticKeys carrying scopes.
func Token(t testing.TB, scopes ...string) string {
	t.Helper()
	return Sign(t, testkeys.RSA2048(0), KID, Claims(scopes...))
}

// OpaqueChecker is a verify.Checker that is not a JWT verifier: it knows a
// fixed set of opaque tokens, as an introspection endpoint would. Tokens
// absent from Tokens are refused as malformed; Down makes every call fail
// with an error that carries no Reason, which transports must treat as the
// server's fault. The transports' tests use it to prove that they accept
// any Checker.
type OpaqueChecker struct {
	Tokens map[string]verify.Claims
	Down   bool
}

// Verify implements verify.Checker.
func (o OpaqueChecker) Verify(_ context.Context, token string, need verify.ScopeRule) (*verify.Claims, error) {
	if o.Down {
		return nil, errors.New("opaque checker: remote check failed")
	}
	c, ok := o.Tokens[token]
	if !ok {
		return nil, &verify.Error{Reason: verify.ReasonMalformed, Detail: "unknown opaque token"}
	}
	if err := need.Check(c.Scopes); err != nil {
		return nil, err
	}
	return verify.NewClaims(c, []byte(`{"sub":"`+c.Subject+`","opaque":true}`))
}
