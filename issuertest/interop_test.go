package issuertest

import (
	"testing"

	jwxjwk "github.com/lestrrat-go/jwx/v2/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"
)

// TestInteropJWX checks that an independent JOSE library (lestrrat-go/jwx)
// reads the JWKS and accepts the issuer's tokens by kid, across a rotation.
func TestInteropJWX(t *testing.T) {
	for _, cfg := range []Config{{}, {BareUUIDKIDs: true, TLS: true}} {
		s := newTestServer(t, cfg)
		old := s.AccessToken("c", "a")
		s.Rotate()
		_, _, body := get(t, s, s.JWKSURL())
		set, err := jwxjwk.Parse(body)
		if err != nil {
			t.Fatalf("jwxjwk.Parse: %v", err)
		}
		if set.Len() != 2 {
			t.Fatalf("jwx sees %d keys, want 2", set.Len())
		}
		for name, tok := range map[string]string{"old": old, "new": s.AccessToken("c", "a"), "id": s.IDToken("c", "n", "+4799999999")} {
			parsed, err := jwxjwt.ParseString(tok, jwxjwt.WithKeySet(set), jwxjwt.WithValidate(true),
				jwxjwt.WithClock(jwxjwt.ClockFunc(clock)), jwxjwt.WithIssuer(s.Issuer()))
			if err != nil {
				t.Errorf("%v %s token: jwx: %v", cfg, name, err)
				continue
			}
			if name != "id" && parsed.Subject() != "c" {
				t.Errorf("%s token: sub = %q", name, parsed.Subject())
			}
		}
		// A token under a published kid but signed by another key must fail.
		bad := s.Mint(s.AccessTokenClaims("c"), MintOptions{Key: s.ForeignKey()})
		if _, err := jwxjwt.ParseString(bad, jwxjwt.WithKeySet(set)); err == nil {
			t.Errorf("jwx accepted a token signed by the wrong key")
		}
	}
}
