package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// TestNoTokenDirectedFetches: with a real, fetching key source (a
// jwks.Cache on the test issuer), tokens whose headers point jku, x5u, x5c
// or jwk at an attacker never make anything but the configured JWKS URL
// be fetched (threat model T2, RFC 8725 §3.10), and 200 such tokens with
// unknown kids cost at most one extra JWKS fetch (the unknown-kid cooldown).
func TestNoTokenDirectedFetches(t *testing.T) {
	attacker := testkeys.RSA2048(7)
	var hits atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write(jwksDoc(jwkJSON("evil", &attacker.PublicKey)))
	}))
	defer evil.Close()

	// An hour-long cooldown makes "one cooldown" the whole test however
	// slowly a loaded CI machine mints and verifies the 200 tokens (with
	// the 15 s default, a run slower than 15 s could fetch twice).
	st := e2etest.New(t, e2etest.Options{
		Issuer: issuertest.Config{Audience: []string{audience}},
		Cache:  jwks.Config{UnknownKIDCooldown: time.Hour},
	})
	iss, v := st.Issuer, st.Verifier
	before := iss.JWKSRequests()

	headers := []struct {
		name   string
		header map[string]any
	}{
		{"jku", map[string]any{"jku": evil.URL + "/jwks.json"}},
		{"x5u", map[string]any{"x5u": evil.URL + "/cert.pem"}},
		{"jwk", map[string]any{"jwk": map[string]any{"kty": "RSA", "kid": "evil", "n": b64(attacker.N.Bytes()), "e": "AQAB"}}},
		{"x5c", map[string]any{"x5c": []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}}},
	}
	for _, h := range headers {
		for i := range 50 {
			kid := fmt.Sprintf("evil-%s-%d", h.name, i)
			if i == 0 {
				kid = iss.SigningKID() // a trusted kid, attacker's signature
			}
			tok := iss.Mint(iss.AccessTokenClaims("client-1"), issuertest.MintOptions{KID: kid, Key: attacker, Header: h.header})
			_, err := v.Verify(context.Background(), tok, verify.ScopeRule{})
			want := verify.ErrUnknownKey
			if i == 0 {
				want = verify.ErrInvalidSignature
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s, kid %q: err = %v, want %v", h.name, kid, err, want)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the attacker's server got %d requests", n)
	}
	extra := iss.JWKSRequests() - before
	if extra > 1 {
		t.Fatalf("200 attacker tokens caused %d JWKS fetches; want ≤ 1 within one cooldown", extra)
	}
	t.Logf("200 attacker tokens (jku/x5u/jwk/x5c): 0 requests to the attacker, %d extra JWKS fetch(es)", extra)
}
