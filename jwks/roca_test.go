package jwks

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// The fingerprint's first masks as published with the ROCA detector
// (crocs-muni/roca, "prints"); the rest follow from the same definition.
func TestROCAMasksMatchPublished(t *testing.T) {
	published := []int64{6, 30, 126, 1026, 5658, 107286, 199410, 8388606}
	for i, want := range published {
		if got := rocaMasks[i]; got.Cmp(big.NewInt(want)) != 0 {
			t.Errorf("mask for p=%d = %v, want %d", rocaPrimes[i], got, want)
		}
	}
}

func wycheproofROCAModulus(t *testing.T) *big.Int {
	t.Helper()
	b, err := os.ReadFile("../testdata/wycheproof/json_web_key_test.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		TestGroups []struct {
			Comment string `json:"comment"`
			Public  struct {
				Keys []struct {
					N string `json:"n"`
				} `json:"keys"`
			} `json:"public"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, g := range f.TestGroups {
		if g.Comment == "jws_rsa_roca_key" {
			n, err := base64.RawURLEncoding.DecodeString(g.Public.Keys[0].N)
			if err != nil {
				t.Fatal(err)
			}
			return new(big.Int).SetBytes(n)
		}
	}
	t.Fatal("no jws_rsa_roca_key group in the Wycheproof JWK file")
	return nil
}

func TestROCA(t *testing.T) {
	tests := []struct {
		name string
		n    *big.Int
		want bool
	}{
		{"wycheproof ROCA key", wycheproofROCAModulus(t), true},
		{"rsa4096-0", testkeys.RSA4096(0).N, false},
		{"rsa1024-weak", testkeys.RSA1024Weak().N, false},
	}
	for i := range testkeys.RSA2048Count {
		tests = append(tests, struct {
			name string
			n    *big.Int
			want bool
		}{"rsa2048-" + string(rune('0'+i)), testkeys.RSA2048(i).N, false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rocaVulnerable(tt.n); got != tt.want {
				t.Errorf("rocaVulnerable = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewKeyRefusesROCA(t *testing.T) {
	_, err := NewKey("roca", "RS256", "sig", &rsa.PublicKey{N: wycheproofROCAModulus(t), E: 65537})
	if !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("NewKey(ROCA modulus) error = %v, want ErrInvalidKey", err)
	}
}
