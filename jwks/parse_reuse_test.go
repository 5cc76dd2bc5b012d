package jwks

import (
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// TestParseSetReusesUnchangedKeys: a refresh's parse hands back the
// previous *Key exactly when kid, kty, alg, use, key_ops and public
// material are unchanged, and a new *Key when any of them changed.
func TestParseSetReusesUnchangedKeys(t *testing.T) {
	base := with(hydraJWK(0), "key_ops", []string{"verify"})
	ed := jwkMap("", "", "", testkeysEd())
	prev, _, err := ParseSet(jwksDoc(t, base, ed))
	if err != nil {
		t.Fatal(err)
	}
	old, _ := prev.lookup(hydraKID(0), "RS256")
	oldEd, _ := prev.lookup("", "EdDSA")

	tests := []struct {
		name  string
		jwk   map[string]any
		reuse bool
	}{
		{name: "unchanged", jwk: base, reuse: true},
		{name: "unrelated member added", jwk: with(base, "x5t", "dGh1bWI"), reuse: true},
		{name: "alg dropped", jwk: with(base, "alg", nil), reuse: false},
		{name: "use dropped", jwk: with(base, "use", nil), reuse: false},
		{name: "key_ops changed", jwk: with(base, "key_ops", []string{"verify", "sign"}), reuse: false},
		{name: "key_ops dropped", jwk: with(base, "key_ops", nil), reuse: false},
		{name: "material changed", jwk: with(jwkMap(hydraKID(0), "RS256", "sig", testkeys.RSA2048(1).Public()), "key_ops", []string{"verify"}), reuse: false},
		{name: "kid changed", jwk: with(base, "kid", "other"), reuse: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next, skipped, err := parseSet(jwksDoc(t, tc.jwk, ed), prev)
			if err != nil || len(skipped) != 0 {
				t.Fatalf("parseSet = %v, %+v", err, skipped)
			}
			keys := next.Keys()
			if got := keys[0] == old; got != tc.reuse {
				t.Errorf("reused the previous *Key = %v, want %v", got, tc.reuse)
			}
			if keys[1] != oldEd {
				t.Errorf("unchanged kid-less key got a new *Key")
			}
		})
	}
}
