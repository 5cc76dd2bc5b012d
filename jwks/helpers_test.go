package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

var b64 = base64.RawURLEncoding

// jwkMap returns the public JWK members of pub plus kid/alg/use when set.
func jwkMap(kid, alg, use string, pub crypto.PublicKey) map[string]any {
	m := map[string]any{}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = b64.EncodeToString(p.N.Bytes())
		m["e"] = b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		m["kty"] = "EC"
		raw, err := p.Bytes() // 0x04 || X || Y
		if err != nil {
			panic(err)
		}
		size := (len(raw) - 1) / 2
		m["crv"] = p.Curve.Params().Name
		m["x"] = b64.EncodeToString(raw[1 : 1+size])
		m["y"] = b64.EncodeToString(raw[1+size:])
	case ed25519.PublicKey:
		m["kty"] = "OKP"
		m["crv"] = "Ed25519"
		m["x"] = b64.EncodeToString(p)
	default:
		panic(fmt.Sprintf("jwkMap: %T", pub))
	}
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	if use != "" {
		m["use"] = use
	}
	return m
}

// hydraJWK is a key shaped like Ory Hydra's (kid public:<uuid>, RS256, sig).
func hydraJWK(i int) map[string]any {
	return jwkMap(hydraKID(i), "RS256", "sig", testkeys.RSA2048(i).Public())
}

func hydraKID(i int) string {
	return fmt.Sprintf("public:%08d-9d4f-4c55-8a61-0f1e2d3c4b5a", i)
}

// jwksDoc marshals keys into a JWKS document.
func jwksDoc(t testing.TB, keys ...map[string]any) []byte {
	t.Helper()
	if keys == nil {
		keys = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// with returns a copy of m with the given members set (nil value deletes).
func with(m map[string]any, kv ...any) map[string]any {
	c := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
}

func mustKey(t testing.TB, kid, alg string, pub crypto.PublicKey) *Key {
	t.Helper()
	k, err := NewKey(kid, alg, "sig", pub)
	if err != nil {
		t.Fatalf("NewKey(%q): %v", kid, err)
	}
	return k
}

func testkeysEd() crypto.PublicKey { return testkeys.Ed25519().Public() }
