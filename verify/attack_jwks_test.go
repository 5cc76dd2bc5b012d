package verify

// Attack rows for the key set itself (threat model T5): JWKs whose members
// are spelt in another case, named twice, or encoded leniently must never
// lend a key to a token. Each row parses a JWK Set document with
// jwks.ParseSet, as a jwks.Cache does after every fetch, and verifies a
// token signed with the matching private key against that set.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

func TestAttackJWKSMembers(t *testing.T) {
	priv := testkeys.RSA2048(0)
	nBytes := priv.N.Bytes()
	n := base64.RawURLEncoding.EncodeToString(nBytes)
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(priv.E)).Bytes())
	std := base64.StdEncoding.EncodeToString(nBytes) // padded, + and /
	jwk := func(members string) string {
		return `{"keys":[{` + members + `}]}`
	}
	base := fmt.Sprintf(`"kty":"RSA","n":%q,"e":%q`, n, e)
	tests := []struct {
		name   string
		doc    string
		kid    string // the token's kid
		reason Reason // "" means accepted
	}{
		{"control: plain signing key", jwk(base + `,"kid":"k1","use":"sig"`), "k1", ""},
		{"USE upper case cannot turn an encryption key into a signing key", jwk(base + `,"kid":"k1","use":"enc","USE":"sig"`), "k1", ReasonUnknownKey},
		{"duplicate use member refuses the key", jwk(base + `,"kid":"k1","use":"sig","use":"enc"`), "k1", ReasonUnknownKey},
		{"duplicate use member, same value, still refused", jwk(base + `,"kid":"k1","use":"sig","use":"sig"`), "k1", ReasonUnknownKey},
		{"KID upper case does not rename the key", jwk(base + `,"kid":"k1","KID":"evil"`), "evil", ReasonUnknownKey},
		{"KID upper case leaves the real kid", jwk(base + `,"kid":"k1","KID":"evil"`), "k1", ""},
		{"escaped duplicate kid refuses the key", jwk(base + `,"kid":"k1","k\u0069d":"evil"`), "evil", ReasonUnknownKey},
		{"KEY_OPS upper case does not override key_ops", jwk(base + `,"kid":"k1","key_ops":["encrypt"],"KEY_OPS":["verify"]`), "k1", ReasonUnknownKey},
		{"ALG upper case does not rebind the key", jwk(base + `,"kid":"k1","alg":"PS256","ALG":"RS256"`), "k1", ReasonUnsupportedAlgorithm},
		{"n with padding", jwk(fmt.Sprintf(`"kty":"RSA","kid":"k1","n":%q,"e":%q`, n+"=", e)), "k1", ReasonUnknownKey},
		{"n in the standard alphabet", jwk(fmt.Sprintf(`"kty":"RSA","kid":"k1","n":%q,"e":%q`, strings.TrimRight(std, "="), e)), "k1", ReasonUnknownKey},
		{"n with a leading zero octet", jwk(fmt.Sprintf(`"kty":"RSA","kid":"k1","n":%q,"e":%q`, base64.RawURLEncoding.EncodeToString(append([]byte{0}, nBytes...)), e)), "k1", ReasonUnknownKey},
		{"n with a line break", jwk(fmt.Sprintf(`"kty":"RSA","kid":"k1","n":%q,"e":%q`, n[:40]+"\r\n"+n[40:], e)), "k1", ReasonUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, _, err := jwks.ParseSet([]byte(tt.doc))
			if err != nil {
				t.Fatalf("ParseSet refused the whole document: %v", err)
			}
			v := atkVerifier(t, set, nil)
			tok := signRS256(priv, fmt.Sprintf(`{"alg":"RS256","kid":%q}`, tt.kid), claimsJSON(""))
			_, err = v.Verify(t.Context(), tok, ScopeRule{})
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("control token refused: %v", err)
				}
				return
			}
			if !errors.Is(err, sentinels[tt.reason]) {
				t.Fatalf("Verify = %v, want %s", err, tt.reason)
			}
		})
	}
}
