package dpopproof_test

import (
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard/internal/dpopproof"
)

// The proof of RFC 9449 §4.1, checked against its token request.
func ExampleParse() {
	const proof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19" +
		".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ" +
		".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
	p, err := dpopproof.Parse(proof, 8<<10, []string{"ES256"})
	if err != nil {
		panic(err)
	}
	now := time.Unix(1562262616, 0)
	fmt.Println(p.CheckRequest("POST", "https://server.example.com/token", "", now, time.Minute, 0))
	fmt.Println(p.CheckRequest("POST", "https://server.example.com/token", "", now.Add(2*time.Minute), time.Minute, 0))
	jkt, _ := dpopproof.Thumbprint(p.Key.Public())
	fmt.Println(jkt)
	// Output:
	// <nil>
	// iat is 2m0s old, more than 1m0s
	// 0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I
}
