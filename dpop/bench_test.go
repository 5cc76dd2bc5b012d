package dpop_test

import (
	"context"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
)

// acceptAll is a ReplayStore that remembers nothing, so a benchmark can
// check one proof many times.
type acceptAll struct{}

func (acceptAll) Claim(context.Context, string, time.Time) (bool, error) { return true, nil }

// BenchmarkCheck is the cost a DPoP request adds to a resource server:
// parsing and verifying an ES256 proof (RFC 9449 §7.1's example), the
// binding and the replay-store call (here a no-op).
func BenchmarkCheck(b *testing.B) {
	clk := clockAt(time.Unix(rfcResourceIAT, 0))
	v := newVerifier(b, clk, dpop.Config{Replay: acceptAll{}})
	c := boundTo(b, rfcJKT)
	req := dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource",
		AccessToken: rfcResourceToken, Proofs: []string{rfcResourceProof}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Check(b.Context(), req, c); err != nil {
			b.Fatal(err)
		}
	}
}
