package jwks

import (
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func TestParseSetHydraShape(t *testing.T) {
	doc := jwksDoc(t, hydraJWK(0), hydraJWK(1))
	s, skipped, err := ParseSet(doc)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("ParseSet = %v, %v", skipped, err)
	}
	if s.Len() != 2 {
		t.Fatalf("Len = %d, want 2", s.Len())
	}
	k, err := s.lookup(hydraKID(1), "RS256")
	if err != nil {
		t.Fatal(err)
	}
	if !testkeys.RSA2048(1).PublicKey.Equal(k.Public()) || k.Alg() != "RS256" || k.Use() != "sig" || k.Kty() != "RSA" || k.Bits() != 2048 {
		t.Errorf("key = %+v", k)
	}
}

// TestParseSetSkipsBadKeys checks that each kind of bad key is skipped
// alone: the good key next to it always survives.
func TestParseSetSkipsBadKeys(t *testing.T) {
	good := hydraJWK(0)
	rsa1 := jwkMap("bad", "RS256", "sig", &testkeys.RSA2048(1).PublicKey)
	tests := []struct {
		name    string
		bad     any
		wantMsg string
	}{
		{"oct key", map[string]any{"kty": "oct", "kid": "bad", "k": "c2VjcmV0", "alg": "HS256"}, "oct"},
		{"unknown kty", map[string]any{"kty": "XYZ", "kid": "bad"}, "unsupported kty"},
		{"missing kty", map[string]any{"kid": "bad", "n": "AQAB", "e": "AQAB"}, "unsupported kty"},
		{"rsa 1024", jwkMap("bad", "RS256", "sig", &testkeys.RSA1024Weak().PublicKey), "bits"},
		{"rsa e=3", with(rsa1, "e", "Aw"), "exponent"},
		{"rsa e=1", with(rsa1, "e", "AQ"), "exponent"},
		{"rsa e even", with(rsa1, "e", "AQAC"), "exponent"},
		{"rsa e 2^31+1 (would truncate)", with(rsa1, "e", "gAAAAQ"), "exponent"},
		{"rsa e huge (9 bytes)", with(rsa1, "e", "AQAAAAAAAAAB"), "too large"},
		{"rsa e missing", with(rsa1, "e", nil), "exponent"},
		{"rsa e bad base64", with(rsa1, "e", "AQ+B"), "exponent"},
		{"rsa n bad base64", with(rsa1, "n", "!!!"), "modulus"},
		{"rsa n missing", with(rsa1, "n", nil), ""},
		{"use enc", with(rsa1, "use", "enc"), "use"},
		{"use empty string", with(rsa1, "use", ""), "use"},
		{"key_ops encrypt", with(rsa1, "key_ops", []string{"encrypt"}), "key_ops"},
		{"key_ops empty", with(rsa1, "key_ops", []string{}), "key_ops"},
		{"private d", with(rsa1, "d", "AQAB"), "private"},
		{"private p", with(rsa1, "p", "AQAB"), "private"},
		{"private oth", with(rsa1, "oth", []any{}), "private"},
		{"ec private d", with(jwkMap("bad", "", "", testkeys.ECP256().Public()), "d", "AQAB"), "private"},
		{"alg RSA-OAEP", with(rsa1, "alg", "RSA-OAEP"), "alg"},
		{"alg none", with(rsa1, "alg", "none"), "alg"},
		{"alg HS256 on RSA", with(rsa1, "alg", "HS256"), "alg"},
		{"alg ES256 on RSA", with(rsa1, "alg", "ES256"), "alg"},
		{"kid not a string", with(rsa1, "kid", 42), "bad member"},
		{"use not a string", with(rsa1, "use", true), "bad member"},
		{"not an object", "just a string", "not a JSON object"},
		{"null", nil, "not a JSON object"},
		{"ec p224", map[string]any{"kty": "EC", "kid": "bad", "crv": "P-224", "x": "AQ", "y": "AQ"}, ""},
		{"ec off curve", with(jwkMap("bad", "", "", testkeys.ECP256().Public()), "y", b64.EncodeToString(make([]byte, 32))), ""},
		{"ec secp256k1", map[string]any{"kty": "EC", "kid": "bad", "crv": "secp256k1", "x": "AQ", "y": "AQ"}, ""},
		{"okp x25519", map[string]any{"kty": "OKP", "kid": "bad", "crv": "X25519", "x": b64.EncodeToString(make([]byte, 32))}, ""},
		{"okp ed448", map[string]any{"kty": "OKP", "kid": "bad", "crv": "Ed448", "x": b64.EncodeToString(make([]byte, 57))}, ""},
		{"ed25519 short x", map[string]any{"kty": "OKP", "kid": "bad", "crv": "Ed25519", "x": "AQ"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := json.Marshal(map[string]any{"keys": []any{good, tc.bad}})
			if err != nil {
				t.Fatal(err)
			}
			s, skipped, err := ParseSet(doc)
			if err != nil {
				t.Fatalf("ParseSet: %v", err)
			}
			if s.Len() != 1 || s.Keys()[0].KID() != hydraKID(0) {
				t.Fatalf("set has %d keys, want only the good one", s.Len())
			}
			if len(skipped) != 1 || skipped[0].Index != 1 || !errors.Is(skipped[0].Err, ErrInvalidKey) {
				t.Fatalf("skipped = %+v, want index 1 wrapping ErrInvalidKey", skipped)
			}
			if !strings.Contains(skipped[0].Err.Error(), tc.wantMsg) {
				t.Errorf("reason %q does not mention %q", skipped[0].Err, tc.wantMsg)
			}
			if m, ok := tc.bad.(map[string]any); ok {
				if kid, ok := m["kid"].(string); ok && skipped[0].KID != kid {
					t.Errorf("Skipped.KID = %q, want %q", skipped[0].KID, kid)
				}
			}
		})
	}
}

func TestParseSetGoodVariants(t *testing.T) {
	tests := []struct {
		name string
		jwk  map[string]any
		alg  string
	}{
		{"rsa no alg no use", jwkMap("k", "", "", &testkeys.RSA2048(2).PublicKey), "PS256"},
		{"rsa 4096", jwkMap("k", "RS256", "sig", &testkeys.RSA4096(0).PublicKey), "RS256"},
		{"key_ops verify", with(jwkMap("k", "RS256", "", &testkeys.RSA2048(2).PublicKey), "key_ops", []string{"sign", "verify"}), "RS256"},
		{"x5c ignored", with(jwkMap("k", "RS256", "sig", &testkeys.RSA2048(2).PublicKey), "x5c", []string{"AAAA"}), "RS256"},
		{"p256", jwkMap("k", "ES256", "sig", testkeys.ECP256().Public()), "ES256"},
		{"p384", jwkMap("k", "", "sig", ecKey(t, elliptic.P384())), "ES384"},
		{"p521", jwkMap("k", "ES512", "sig", ecKey(t, elliptic.P521())), "ES512"},
		{"ed25519", jwkMap("k", "EdDSA", "sig", testkeys.Ed25519().Public()), "EdDSA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, skipped, err := ParseSet(jwksDoc(t, tc.jwk))
			if err != nil || len(skipped) != 0 {
				t.Fatalf("ParseSet: %v %+v", err, skipped)
			}
			if _, err := s.lookup("k", tc.alg); err != nil {
				t.Fatalf("lookup: %v", err)
			}
		})
	}
}

func TestParseSetDuplicateKID(t *testing.T) {
	a := jwkMap("dup", "RS256", "sig", &testkeys.RSA2048(0).PublicKey)
	b := jwkMap("dup", "RS256", "sig", &testkeys.RSA2048(1).PublicKey)
	c := hydraJWK(2)
	encSameKID := with(jwkMap("c-kid", "", "enc", &testkeys.RSA2048(3).PublicKey), "kid", hydraKID(2))
	s, skipped, err := ParseSet(jwksDoc(t, a, c, b, encSameKID))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 || s.Keys()[0].KID() != hydraKID(2) {
		t.Fatalf("set = %d keys, want only %s (an enc key sharing its kid is not a usable duplicate)", s.Len(), hydraKID(2))
	}
	if len(skipped) != 3 {
		t.Fatalf("skipped %d, want 3: %+v", len(skipped), skipped)
	}
	if _, err := s.lookup("dup", "RS256"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("lookup(dup) = %v, want ErrKeyNotFound", err)
	}
}

func TestParseSetDocumentErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"empty", ""},
		{"junk", "<html>oops</html>"},
		{"array", `[{"kty":"RSA"}]`},
		{"no keys", `{"foo":[]}`},
		{"keys object", `{"keys":{"kty":"RSA"}}`},
		{"keys null", `{"keys":null}`},
		{"keys string", `{"keys":"[]"}`},
		{"truncated", `{"keys":[{"kty":"RSA"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := ParseSet([]byte(tc.doc))
			if !errors.Is(err, ErrFetch) || s != nil {
				t.Fatalf("ParseSet(%q) = %v, %v; want ErrFetch", tc.doc, s, err)
			}
		})
	}
	s, skipped, err := ParseSet([]byte(`{"keys":[]}`))
	if err != nil || s.Len() != 0 || len(skipped) != 0 {
		t.Fatalf("empty keys: %v %v %v", s, skipped, err)
	}
}

// TestParseSetWycheproof runs the JWK sets from Wycheproof json_web_key_test
// (committed under testdata/wycheproof, so it runs on a clean clone) whose
// expected result concerns the key set itself.
func TestParseSetWycheproof(t *testing.T) {
	data, err := os.ReadFile("../testdata/wycheproof/json_web_key_test.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		TestGroups []struct {
			Public  json.RawMessage `json:"public"`
			Private json.RawMessage `json:"private"`
			Tests   []struct {
				TcID    int    `json:"tcId"`
				Comment string `json:"comment"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	// tcId -> number of usable keys we expect from the group's key set.
	want := map[int]int{
		1: 1, // oct + EC P-256 (kid-ec-sig): only the EC key survives
		4: 0, // two oct keys with the same kid
		6: 0, // RSA key with use "enc"
		8: 0, // 1024-bit RSA
		9: 0, // e = 1
	}
	seen := 0
	for _, g := range f.TestGroups {
		for _, tc := range g.Tests {
			n, ok := want[tc.TcID]
			if !ok {
				continue
			}
			seen++
			doc := g.Public
			if doc == nil {
				doc = g.Private
			}
			s, _, err := ParseSet(doc)
			if err != nil {
				t.Errorf("tc %d (%s): %v", tc.TcID, tc.Comment, err)
				continue
			}
			if s.Len() != n {
				t.Errorf("tc %d (%s): %d usable keys, want %d", tc.TcID, tc.Comment, s.Len(), n)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of %d Wycheproof cases", seen, len(want))
	}
}
