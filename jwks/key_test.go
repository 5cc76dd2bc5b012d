package jwks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PublicKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey
}

// offCurve builds the kind of key jwx produces from a JWK with a bad point.
func offCurve() *ecdsa.PublicKey {
	//lint:ignore SA1019 building an invalid key on purpose, as JWK decoders do
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}
}

func TestNewKey(t *testing.T) {
	rsa2048 := &testkeys.RSA2048(0).PublicKey
	huge := new(big.Int).Lsh(big.NewInt(1), 8200)
	huge.Add(huge, big.NewInt(1))
	tests := []struct {
		name     string
		kid, alg string
		use      string
		pub      crypto.PublicKey
		wantErr  bool
		wantKty  string
		wantBits int
	}{
		{name: "rsa2048", kid: "a", alg: "RS256", use: "sig", pub: rsa2048, wantKty: "RSA", wantBits: 2048},
		{name: "rsa2048 no alg no use", pub: rsa2048, wantKty: "RSA", wantBits: 2048},
		{name: "rsa4096 PS512", alg: "PS512", pub: &testkeys.RSA4096(0).PublicKey, wantKty: "RSA", wantBits: 4096},
		{name: "rsa1024 weak", pub: &testkeys.RSA1024Weak().PublicKey, wantErr: true},
		{name: "rsa over 8192 bits", pub: &rsa.PublicKey{N: huge, E: 65537}, wantErr: true},
		{name: "rsa e=1", pub: &rsa.PublicKey{N: rsa2048.N, E: 1}, wantErr: true},
		{name: "rsa e=3", pub: &rsa.PublicKey{N: rsa2048.N, E: 3}, wantErr: true},
		{name: "rsa e even", pub: &rsa.PublicKey{N: rsa2048.N, E: 65538}, wantErr: true},
		{name: "rsa e=2^31-1", pub: &rsa.PublicKey{N: rsa2048.N, E: 1<<31 - 1}, wantKty: "RSA", wantBits: 2048},
		{name: "rsa e=2^31+1", pub: &rsa.PublicKey{N: rsa2048.N, E: 1<<31 + 1}, wantErr: true},
		{name: "rsa nil N", pub: &rsa.PublicKey{E: 65537}, wantErr: true},
		{name: "rsa even N", pub: &rsa.PublicKey{N: new(big.Int).Add(rsa2048.N, big.NewInt(1)), E: 65537}, wantErr: true},
		{name: "rsa private", pub: testkeys.RSA2048(0), wantErr: true},
		{name: "rsa with ES256 alg", alg: "ES256", pub: rsa2048, wantErr: true},
		{name: "rsa with HS256 alg", alg: "HS256", pub: rsa2048, wantErr: true},
		{name: "rsa with enc alg", alg: "RSA-OAEP", pub: rsa2048, wantErr: true},
		{name: "use enc", use: "enc", pub: rsa2048, wantErr: true},
		{name: "p256", alg: "ES256", pub: testkeys.ECP256().Public(), wantKty: "EC", wantBits: 256},
		{name: "p384", alg: "ES384", pub: ecKey(t, elliptic.P384()), wantKty: "EC", wantBits: 384},
		{name: "p521", alg: "ES512", pub: ecKey(t, elliptic.P521()), wantKty: "EC", wantBits: 521},
		{name: "p224 refused", pub: ecKey(t, elliptic.P224()), wantErr: true},
		{name: "p256 with ES384", alg: "ES384", pub: testkeys.ECP256().Public(), wantErr: true},
		{name: "ec point off curve", pub: offCurve(), wantErr: true},
		{name: "ed25519", alg: "EdDSA", pub: testkeys.Ed25519().Public(), wantKty: "OKP", wantBits: 256},
		{name: "ed25519 short", pub: ed25519.PublicKey(make([]byte, 31)), wantErr: true},
		{name: "ed25519 private", pub: testkeys.Ed25519(), wantErr: true},
		{name: "unsupported type", pub: "not a key", wantErr: true},
		{name: "nil", pub: nil, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKey(tc.kid, tc.alg, tc.use, tc.pub)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("NewKey = %v, %v; want error wrapping ErrInvalidKey", k, err)
				}
				if !strings.HasPrefix(err.Error(), "jwks: ") {
					t.Errorf("error %q lacks package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewKey: %v", err)
			}
			if k.Kty() != tc.wantKty || k.Bits() != tc.wantBits || k.KID() != tc.kid || k.Alg() != tc.alg || k.Use() != tc.use {
				t.Errorf("got kty=%s bits=%d kid=%q alg=%q use=%q", k.Kty(), k.Bits(), k.KID(), k.Alg(), k.Use())
			}
			if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.pub) {
				t.Errorf("Public() differs from input")
			}
		})
	}
}

func TestKeyFits(t *testing.T) {
	rsaNoAlg := mustKey(t, "r", "", &testkeys.RSA2048(0).PublicKey)
	rsaRS256 := mustKey(t, "r256", "RS256", &testkeys.RSA2048(0).PublicKey)
	p256 := mustKey(t, "e", "", testkeys.ECP256().Public())
	p384 := mustKey(t, "e384", "", ecKey(t, elliptic.P384()))
	p521 := mustKey(t, "e521", "", ecKey(t, elliptic.P521()))
	ed := mustKey(t, "o", "", testkeys.Ed25519().Public())
	tests := []struct {
		name string
		key  *Key
		alg  string
		ok   bool
	}{
		{"rsa RS256", rsaNoAlg, "RS256", true},
		{"rsa RS512", rsaNoAlg, "RS512", true},
		{"rsa PS256", rsaNoAlg, "PS256", true},
		{"rsa ES256", rsaNoAlg, "ES256", false},
		{"rsa HS256 (confusion)", rsaNoAlg, "HS256", false},
		{"rsa none", rsaNoAlg, "none", false},
		{"rsa empty alg", rsaNoAlg, "", false},
		{"rsa lower-case rs256", rsaNoAlg, "rs256", false},
		{"RS256 key RS256", rsaRS256, "RS256", true},
		{"RS256 key PS256", rsaRS256, "PS256", false},
		{"RS256 key RS384", rsaRS256, "RS384", false},
		{"p256 ES256", p256, "ES256", true},
		{"p256 ES384", p256, "ES384", false},
		{"p384 ES384", p384, "ES384", true},
		{"p521 ES512", p521, "ES512", true},
		{"p521 ES256", p521, "ES256", false},
		{"ed EdDSA", ed, "EdDSA", true},
		{"ed ES256", ed, "ES256", false},
		{"ed RS256", ed, "RS256", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.key.Fits(tc.alg)
			if tc.ok && err != nil {
				t.Fatalf("Fits(%q) = %v, want nil", tc.alg, err)
			}
			if !tc.ok && !errors.Is(err, ErrKeyMismatch) {
				t.Fatalf("Fits(%q) = %v, want ErrKeyMismatch", tc.alg, err)
			}
		})
	}
}

func TestNewSetDuplicateKID(t *testing.T) {
	a := mustKey(t, "same", "", &testkeys.RSA2048(0).PublicKey)
	b := mustKey(t, "same", "", &testkeys.RSA2048(1).PublicKey)
	if _, err := NewSet(a, b); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("NewSet(dup) = %v, want ErrInvalidKey", err)
	}
	if _, err := NewSet(a, nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("NewSet(nil key) = %v, want ErrInvalidKey", err)
	}
	// Keys without kid may repeat.
	c := mustKey(t, "", "", &testkeys.RSA2048(2).PublicKey)
	d := mustKey(t, "", "", &testkeys.RSA2048(3).PublicKey)
	if s, err := NewSet(c, d); err != nil || s.Len() != 2 {
		t.Fatalf("NewSet(two kid-less) = %v, %v", s, err)
	}
}

func TestSetKey(t *testing.T) {
	r0 := mustKey(t, "r0", "RS256", &testkeys.RSA2048(0).PublicKey)
	r1 := mustKey(t, "r1", "", &testkeys.RSA2048(1).PublicKey)
	ec := mustKey(t, "ec", "ES256", testkeys.ECP256().Public())
	ed := mustKey(t, "", "", testkeys.Ed25519().Public())
	s, err := NewSet(r0, r1, ec, ed)
	if err != nil {
		t.Fatal(err)
	}
	single, err := NewSet(r0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		set     *Set
		kid     string
		alg     string
		want    *Key
		wantErr error
	}{
		{"hit", s, "r0", "RS256", r0, nil},
		{"hit no alg on key", s, "r1", "PS384", r1, nil},
		{"hit ec", s, "ec", "ES256", ec, nil},
		{"unknown kid", s, "nope", "RS256", nil, ErrKeyNotFound},
		{"kid alg mismatch", s, "r0", "RS384", nil, ErrKeyMismatch},
		{"kid family mismatch", s, "ec", "RS256", nil, ErrKeyMismatch},
		{"hmac confusion", s, "r0", "HS256", nil, ErrKeyMismatch},
		{"no kid single fit EdDSA", s, "", "EdDSA", ed, nil},
		{"no kid single fit ES256", s, "", "ES256", ec, nil},
		{"no kid RS256 ambiguous", s, "", "RS256", nil, ErrKeyNotFound},
		{"no kid none fit", s, "", "ES384", nil, ErrKeyNotFound},
		{"no kid single-key set", single, "", "RS256", r0, nil},
		{"no kid single-key wrong alg", single, "", "RS512", nil, ErrKeyNotFound},
		{"kid-less key not found by kid", s, "x", "EdDSA", nil, ErrKeyNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.set.Key(context.Background(), tc.kid, tc.alg)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || got != nil {
					t.Fatalf("Key(%q, %q) = %v, %v; want %v", tc.kid, tc.alg, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Key(%q, %q) = %v, %v; want %v", tc.kid, tc.alg, got, err, tc.want)
			}
		})
	}
	if s.Len() != 4 {
		t.Errorf("Len = %d, want 4", s.Len())
	}
	ks := s.Keys()
	ks[0] = nil
	if s.Keys()[0] != r0 {
		t.Errorf("Keys() does not return a copy")
	}
	if err := func() error { _, err := s.Key(context.Background(), "", "RS256"); return err }(); !strings.Contains(err.Error(), "2 keys fit") {
		t.Errorf("ambiguity error %q does not say how many keys fit", err)
	}
}

func TestSetKeyHitAllocs(t *testing.T) {
	s, err := NewSet(mustKey(t, "a", "RS256", &testkeys.RSA2048(0).PublicKey), mustKey(t, "", "", testkeys.Ed25519().Public()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	kid := strings.Clone("a")
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Key(ctx, kid, "RS256") }); n != 0 {
		t.Errorf("Set.Key hit allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Key(ctx, "", "EdDSA") }); n != 0 {
		t.Errorf("Set.Key kid-less hit allocates %v times, want 0", n)
	}
}

// Key.Fits answers from the list NewKey precomputed; it must agree with
// deciding from scratch for every key shape and every alg, including ones
// jwks does not know.
func TestFitsPrecomputedAgrees(t *testing.T) {
	if len(jose.Algs()) != len(jwsAlgs) {
		t.Fatalf("jose has %d algs, jwsAlgs %d", len(jose.Algs()), len(jwsAlgs))
	}
	rsaPub := &testkeys.RSA2048(0).PublicKey
	keys := map[string]*Key{
		"rsa":            mustKey(t, "r", "", rsaPub),
		"rsa RS256":      mustKey(t, "r1", "RS256", rsaPub),
		"rsa PS384":      mustKey(t, "r2", "PS384", rsaPub),
		"ec P-256":       mustKey(t, "e", "", &testkeys.ECP256().PublicKey),
		"ec P-256 ES256": mustKey(t, "e1", "ES256", &testkeys.ECP256().PublicKey),
		"ed25519":        mustKey(t, "o", "", testkeys.Ed25519().Public()),
	}
	algs := []string{"HS256", "none", "rs256", ""}
	for _, a := range jose.Algs() {
		algs = append(algs, a.Name)
	}
	for name, k := range keys {
		for _, alg := range algs {
			fast, slow := k.Fits(alg), k.fitErr(alg)
			if (fast == nil) != (slow == nil) {
				t.Errorf("%s: Fits(%q) = %v, deciding from scratch = %v", name, alg, fast, slow)
			}
			if fast != nil && !errors.Is(fast, ErrKeyMismatch) {
				t.Errorf("%s: Fits(%q) = %v, want ErrKeyMismatch", name, alg, fast)
			}
		}
	}
}
