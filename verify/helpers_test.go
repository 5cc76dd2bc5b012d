package verify

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// Hydra-shaped fixtures (issuer with a trailing slash, kid public:<uuid>).
const (
	testIssuer   = "https://id.wgtwo.com/"
	testAudience = "https://api.wgtwo.com/"
	testKID      = "public:2b0c7a1e-9d4f-4c55-8a61-0f1e2d3c4b5a"
	testKID2     = "public:4f60eca7-a5de-4617-a456-9c120b91d839"
	testClientID = "86b76cb5-caf3-4c1c-bdfe-8b3454f580b8"
	testScope1   = "sms.text:send_from_subscriber"
	testScope2   = "subscription.handset_details:read"
	testScope3   = "events.voice:subscribe"
)

// testNow is the fixed clock of most tests.
var testNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// mintRaw signs header.payload (raw JSON texts) with priv using alg's
// golang-jwt signing method; alg may differ from the header's.
func mintRaw(t testing.TB, priv crypto.Signer, alg, header, payload string) string {
	t.Helper()
	in := b64url([]byte(header)) + "." + b64url([]byte(payload))
	m := jwt.GetSigningMethod(alg)
	if m == nil {
		t.Fatalf("no signing method %s", alg)
	}
	var key any = priv
	sig, err := m.Sign(in, key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return in + "." + b64url(sig)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hydraClaims is a Hydra v1 JWT access token's claims set issued at now.
func hydraClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss":       testIssuer,
		"sub":       testClientID,
		"aud":       []string{testAudience},
		"exp":       now.Add(time.Hour).Unix(),
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"jti":       "5f55d59b-0fbc-4ee6-9cbc-6e1454a00cdc",
		"client_id": testClientID,
		"scp":       []string{testScope1, testScope2, testScope3},
		"ext":       map[string]any{},
	}
}

func hydraHeader(kid string) map[string]any {
	return map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}
}

// mint signs claims with RSA2048(0) under kid testKID.
func mint(t testing.TB, claims map[string]any) string {
	t.Helper()
	return mintRaw(t, testkeys.RSA2048(0), "RS256", mustJSON(t, hydraHeader(testKID)), mustJSON(t, claims))
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func testKey(t testing.TB, kid, alg string, pub crypto.PublicKey) *jwks.Key {
	t.Helper()
	k, err := jwks.NewKey(kid, alg, "sig", pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSet(t testing.TB, keys ...*jwks.Key) *jwks.Set {
	t.Helper()
	s, err := jwks.NewSet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// countingSource counts Key calls and can be swapped or broken at run time.
type countingSource struct {
	mu    sync.Mutex
	src   jwks.Source
	err   error
	calls atomic.Int64
}

func (c *countingSource) Key(ctx context.Context, kid, alg string) (*jwks.Key, error) {
	c.calls.Add(1)
	c.mu.Lock()
	src, err := c.src, c.err
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return src.Key(ctx, kid, alg)
}

func (c *countingSource) set(src jwks.Source, err error) {
	c.mu.Lock()
	c.src, c.err = src, err
	c.mu.Unlock()
}

// defaultSource holds RSA2048(0) as testKID.
func defaultSource(t testing.TB) *countingSource {
	return &countingSource{src: testSet(t, testKey(t, testKID, "RS256", testkeys.RSA2048(0).Public()))}
}

// clock is an injectable, advanceable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newVerifier builds a verifier over src at testNow; edit adjusts cfg.
func newVerifier(t testing.TB, src jwks.Source, edit func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{
		Issuers:   []Issuer{{Name: testIssuer, Keys: src}},
		Audiences: []string{testAudience},
		Now:       func() time.Time { return testNow },
	}
	if edit != nil {
		edit(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
