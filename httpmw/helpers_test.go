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

	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	testIssuer = tokentest.Issuer
	testAud    = tokentest.Audience
	testKID    = tokentest.KID
	testSub    = tokentest.Subject
)

// testNow is the verifier's fixed clock in unit tests.
var testNow = tokentest.Now()

// staticKeys publishes testkeys.RSA2048(0) under testKID.
func staticKeys(t testing.TB) jwks.Source { t.Helper(); return tokentest.StaticKeys(t) }

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

func claims(scopes ...string) jwt.MapClaims { return tokentest.Claims(scopes...) }

// sign signs c with RS256 under kid with key.
func sign(t testing.TB, key crypto.Signer, kid string, c jwt.MapClaims) string {
	t.Helper()
	return tokentest.Sign(t, key, kid, c)
}

// token is a valid token for the static keys carrying scopes.
func token(t testing.TB, scopes ...string) string {
	t.Helper()
	return tokentest.Token(t, scopes...)
}

// whoami answers 200 with the verified subject, or "anonymous".
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if c, ok := verify.FromContext(r.Context()); ok {
		fmt.Fprint(w, "sub=", c.Subject)
		return
	}
	fmt.Fprint(w, "anonymous")
})
