package verify

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// TestAllocs guards the allocation budget: a token-cache hit
// allocates nothing, and a cold verification allocates at most two objects
// (the string holding header and payload, and the Claims) beyond what
// crypto/rsa itself allocates.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	priv := testkeys.RSA2048(0)
	tok := benchToken(t, priv)
	need := ScopeRule{AllOf: []string{testScope1}}
	i := strings.LastIndexByte(tok, '.')
	hashed := sha256.Sum256([]byte(tok[:i]))
	sig := decodeSeg(t, tok[i+1:])
	floor := testing.AllocsPerRun(20, func() {
		if err := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA256, hashed[:], sig); err != nil {
			t.Fatal(err)
		}
	})
	tests := []struct {
		name  string
		cache bool
		max   float64
	}{
		{"warm", true, 0},
		{"cold", false, floor + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := benchVerifier(t, priv, tt.cache)
			if _, err := v.Verify(context.Background(), tok, need); err != nil {
				t.Fatal(err)
			}
			got := testing.AllocsPerRun(50, func() {
				if _, err := v.Verify(context.Background(), tok, need); err != nil {
					t.Fatal(err)
				}
			})
			if got > tt.max {
				t.Errorf("%v allocs per Verify, want ≤ %v (crypto/rsa: %v)", got, tt.max, floor)
			}
		})
	}
}
