package rsapub

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/jwtguard/jwtguard/internal/interleave"
)

// benchCase loads the first valid signature of a Wycheproof SHA-256 file.
func benchCase(b testing.TB, bits string) (pub *rsa.PublicKey, hashed, sig []byte) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "wycheproof", "rsa_signature_"+bits+"_sha256_test.json"))
	if err != nil {
		b.Fatal(err)
	}
	var f wpFile
	if err := json.Unmarshal(raw, &f); err != nil {
		b.Fatal(err)
	}
	g := f.TestGroups[0]
	for _, tc := range g.Tests {
		if tc.Result != "valid" {
			continue
		}
		msg, _ := hex.DecodeString(tc.Msg)
		sig, _ = hex.DecodeString(tc.Sig)
		h := sha256.Sum256(msg)
		return parsePKIX(b, g.PublicKeyDer), h[:], sig
	}
	b.Fatal("no valid case")
	return nil, nil, nil
}

// BenchmarkBackends alternates crypto/rsa, bigmod and math/big call by
// call on the same key and signature; New picks the faster backend per
// size from these ratios (see bigmodMaxBits).
func BenchmarkBackends(b *testing.B) {
	for _, size := range []string{"2048", "3072", "4096", "8192"} {
		pub, hashed, sig := benchCase(b, size)
		keys := backends(b, pub)
		b.Run("RSA"+size, func(b *testing.B) {
			b.ReportAllocs()
			interleave.Calls(b,
				interleave.Contender{Name: "crypto-rsa", Run: func() error { return rsa.VerifyPKCS1v15(pub, crypto.SHA256, hashed, sig) }},
				interleave.Contender{Name: "bigmod", Run: func() error { return keys["bigmod"].VerifyPKCS1v15(crypto.SHA256, hashed, sig) }},
				interleave.Contender{Name: "math-big", Run: func() error { return keys["math/big"].VerifyPKCS1v15(crypto.SHA256, hashed, sig) }},
			)
		})
	}
}
