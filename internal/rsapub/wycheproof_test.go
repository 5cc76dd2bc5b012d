package rsapub

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// wycheproofFiles are the RSASSA-PKCS1-v1_5 vector files of Project
// Wycheproof (testvectors_v1) in the repository's testdata.
var wycheproofFiles = []string{
	"rsa_signature_2048_sha256_test.json",
	"rsa_signature_2048_sha384_test.json",
	"rsa_signature_2048_sha512_test.json",
	"rsa_signature_3072_sha256_test.json",
	"rsa_signature_4096_sha256_test.json",
	"rsa_signature_4096_sha512_test.json",
	"rsa_signature_8192_sha256_test.json",
}

type wpFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		PublicKeyDer string `json:"publicKeyDer"`
		SHA          string `json:"sha"`
		Tests        []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Flags   []string `json:"flags"`
			Msg     string   `json:"msg"`
			Sig     string   `json:"sig"`
			Result  string   `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

var wpHashes = map[string]crypto.Hash{"SHA-256": crypto.SHA256, "SHA-384": crypto.SHA384, "SHA-512": crypto.SHA512}

// TestWycheproof decides every case of every file with both backends and
// requires the verdict of rsa.VerifyPKCS1v15: "valid" accepted, "invalid"
// refused, and "acceptable" (legacy encodings crypto/rsa refuses) as
// crypto/rsa decides.
func TestWycheproof(t *testing.T) {
	for _, file := range wycheproofFiles {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "wycheproof", file))
			if err != nil {
				t.Fatal(err)
			}
			var f wpFile
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			ran := 0
			for gi, g := range f.TestGroups {
				h, ok := wpHashes[g.SHA]
				if !ok {
					t.Fatalf("group %d: hash %q", gi, g.SHA)
				}
				pub := parsePKIX(t, g.PublicKeyDer)
				keys := backends(t, pub)
				for _, tc := range g.Tests {
					ran++
					msg, err1 := hex.DecodeString(tc.Msg)
					sig, err2 := hex.DecodeString(tc.Sig)
					if err := errors.Join(err1, err2); err != nil {
						t.Fatal(err)
					}
					hw := h.New()
					hw.Write(msg)
					hashed := hw.Sum(nil)
					std := rsa.VerifyPKCS1v15(pub, h, hashed, sig) == nil
					if tc.Result == "valid" && !std || tc.Result == "invalid" && std {
						t.Fatalf("tc%d: crypto/rsa accepted=%v, Wycheproof says %s", tc.TcID, std, tc.Result)
					}
					for name, k := range keys {
						if got := k.VerifyPKCS1v15(h, hashed, sig) == nil; got != std {
							t.Errorf("tc%d %s (%s %v): accepted=%v, crypto/rsa %v", tc.TcID, name, tc.Comment, tc.Flags, got, std)
						}
					}
				}
			}
			if ran != f.NumberOfTests {
				t.Fatalf("ran %d cases, file has %d", ran, f.NumberOfTests)
			}
		})
	}
}

func parsePKIX(t testing.TB, derHex string) *rsa.PublicKey {
	t.Helper()
	der, err := hex.DecodeString(derHex)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	return pk.(*rsa.PublicKey)
}

// backends prepares pub for New's choice and for each backend forced.
func backends(t testing.TB, pub *rsa.PublicKey) map[string]*PublicKey {
	t.Helper()
	keys := map[string]*PublicKey{}
	for name, f := range map[string]func() (*PublicKey, error){
		"New":      func() (*PublicKey, error) { return New(pub) },
		"bigmod":   func() (*PublicKey, error) { return newKey(pub, true) },
		"math/big": func() (*PublicKey, error) { return newKey(pub, false) },
	} {
		k, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		keys[name] = k
	}
	return keys
}
