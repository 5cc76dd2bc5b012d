package dpop_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/verify"
)

// FuzzProof feeds arbitrary DPoP header values to Verifier.Check. It must
// never panic, refuse only with invalid_dpop_proof, and accept a proof
// only once, reporting the thumbprint of the key it was verified with.
// Seeds (testdata/fuzz/FuzzProof) hold the RFC 9449 examples and
// near-misses of them.
func FuzzProof(f *testing.F) {
	f.Add(rfcResourceProof)
	f.Add(rfcTokenProof)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, proof string) {
		clk := clockAt(time.Unix(rfcResourceIAT, 0))
		v, err := dpop.NewVerifier(dpop.Config{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		req := dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource",
			AccessToken: rfcResourceToken, Proofs: []string{proof}}
		p, err := v.Check(t.Context(), req, nil)
		if err != nil {
			var ve *verify.Error
			if p != nil || !errors.As(err, &ve) || ve.Reason != verify.ReasonInvalidDPoPProof {
				t.Fatalf("Check(%q) = %v, %v", proof, p, err)
			}
			return
		}
		if jkt, err := dpop.Thumbprint(p.Key); err != nil || jkt != p.JKT {
			t.Fatalf("accepted proof's JKT %q, thumbprint of its key %q, %v", p.JKT, jkt, err)
		}
		if _, err := v.Check(t.Context(), req, nil); verify.ReasonOf(err) != verify.ReasonInvalidDPoPProof {
			t.Fatalf("accepted proof %q twice: %v", proof, err)
		}
	})
}
