package httpmw_test

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	testIssuer = "https://issuer.test/"
	testAud    = "https://api.test/"
	testKID    = "k0"
	testSub    = "client-1"
)

// testNow is the verifier's fixed clock in unit tests.
var testNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// staticKeys publishes testkeys.RSA2048(0) under testKID.
func staticKeys(t testing.TB) jwks.Source {
	t.Helper()
	k, err := jwks.NewKey(testKID, "RS256", "sig", testkeys.RSA2048(0).Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwks.NewSet(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// downKeys is a key source that cannot vouch for any key, like a jwks.Cache
// that never loaded.
type downKeys struct{}

func (downKeys) Key(context.Context, string, string) (*jwks.Key, error) {
	return nil, fmt.Errorf("test: %w", jwks.ErrUnavailable)
}

// newVerifier returns a verifier with the fixed clock over src and a
// counter of its decisions (one per Verify call).
func newVerifier(t testing.TB, src jwks.Source) (*verify.Verifier, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	v, err := verify.New(verify.Config{
		Issuers:    []verify.Issuer{{Name: testIssuer, Keys: src}},
		Audiences:  []string{testAud},
		Now:        func() time.Time { return testNow },
		OnDecision: func(verify.Decision) { n.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, &n
}

func claims(scopes ...string) jwt.MapClaims {
	if scopes == nil {
		scopes = []string{}
	}
	return jwt.MapClaims{
		"iss":       testIssuer,
		"sub":       testSub,
		"aud":       []string{testAud},
		"exp":       testNow.Add(time.Hour).Unix(),
		"iat":       testNow.Unix(),
		"nbf":       testNow.Unix(),
		"client_id": testSub,
		"scp":       scopes,
	}
}

// sign signs c with RS256 under kid with key.
func sign(t testing.TB, key crypto.Signer, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// token is a valid token for the static keys carrying scopes.
func token(t testing.TB, scopes ...string) string {
	t.Helper()
	return sign(t, testkeys.RSA2048(0), testKID, claims(scopes...))
}

// whoami answers 200 with the verified subject, or "anonymous".
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if c, ok := verify.FromContext(r.Context()); ok {
		fmt.Fprint(w, "sub=", c.Subject)
		return
	}
	fmt.Fprint(w, "anonymous")
})
