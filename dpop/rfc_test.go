package dpop_test

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/verify"
)

// The examples of RFC 9449, copied from the RFC. Their signatures verify,
// so the text is exact.
const (
	// §4.1: a proof for a token request.
	rfcTokenProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19" +
		".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ" +
		".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
	rfcTokenIAT = 1562262616
	// §7.1: a proof for a protected resource request with an access token.
	rfcResourceProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19" +
		".eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9" +
		".2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
	rfcResourceIAT   = 1562262618
	rfcResourceToken = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
	// §6.1: the thumbprint of the examples' key.
	rfcJKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
)

func TestRFC9449Examples(t *testing.T) {
	tests := []struct {
		name  string
		proof string
		iat   int64
		req   dpop.Request
		bound bool
	}{
		{"§4.1 token request", rfcTokenProof, rfcTokenIAT,
			dpop.Request{Method: "POST", URL: "https://server.example.com/token"}, false},
		{"§7.1 resource request", rfcResourceProof, rfcResourceIAT,
			dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource", AccessToken: rfcResourceToken}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clockAt(time.Unix(tt.iat, 0))
			v := newVerifier(t, clk, dpop.Config{})
			req := tt.req
			req.Proofs = []string{tt.proof}
			c := boundTo(t, rfcJKT)
			if !tt.bound {
				c = nil
			}
			p, err := v.Check(t.Context(), req, c)
			if err != nil {
				t.Fatal(err)
			}
			if p.JKT != rfcJKT || p.Algorithm != "ES256" || p.IssuedAt.Unix() != tt.iat {
				t.Fatalf("proof %+v", p)
			}
			// The same proof again is a replay.
			if _, err := v.Check(t.Context(), req, c); verify.ReasonOf(err) != verify.ReasonInvalidDPoPProof {
				t.Fatalf("replayed RFC proof: %v", err)
			}
		})
	}
}

// TestThumbprintRFC7638 is the example of RFC 7638 §3.1.
func TestThumbprintRFC7638(t *testing.T) {
	n, err := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	if err != nil {
		t.Fatal(err)
	}
	got, err := dpop.Thumbprint(&rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537})
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want || err != nil {
		t.Fatalf("Thumbprint = %q, %v; want %q", got, err, want)
	}
}
