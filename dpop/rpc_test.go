package dpop_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/verify"
)

// TestCheckRPC checks the htm and htu of a gRPC or Connect call: POST to
// "https://" + authority + procedure, or Config.Origin + procedure.
func TestCheckRPC(t *testing.T) {
	const proc = "/pkg.Service/Method"
	tests := []struct {
		name      string
		origin    string
		authority string
		method    string // the proof's htm
		htu       string
		ok        bool
	}{
		{"authority", "", "api.example.com", "POST", "https://api.example.com" + proc, true},
		{"authority with port", "", "api.example.com:8443", "POST", "https://api.example.com:8443" + proc, true},
		{"default port", "", "api.example.com:443", "POST", "https://API.example.com" + proc, true},
		{"origin replaces authority", "https://api.example.com", "10.0.0.7:9000", "POST", "https://api.example.com" + proc, true},
		{"proof for the authority behind an origin", "https://api.example.com", "10.0.0.7:9000", "POST", "https://10.0.0.7:9000" + proc, false},
		{"http scheme", "", "api.example.com", "POST", "http://api.example.com" + proc, false},
		{"other method", "", "api.example.com", "POST", "https://api.example.com/pkg.Service/Other", false},
		{"other authority", "", "api.example.com", "POST", "https://evil.example.com" + proc, false},
		{"no authority", "", "", "POST", "https://api.example.com" + proc, false},
		{"htm GET", "", "api.example.com", "GET", "https://api.example.com" + proc, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			v := newVerifier(t, clk, dpop.Config{Origin: tc.origin})
			cl := newClient(clk)
			proof := cl.Proof(tc.method, tc.htu, apiToken)
			ctx, err := v.CheckRPC(t.Context(), tc.authority, proc, []string{proof}, apiToken, boundTo(t, cl.JKT()))
			if !tc.ok {
				if verify.ReasonOf(err) != verify.ReasonInvalidDPoPProof {
					t.Fatalf("err %v, want %s", err, verify.ReasonInvalidDPoPProof)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := dpop.FromContext(ctx); !ok || p.JKT != cl.JKT() {
				t.Fatalf("context proof %v, %v; want jkt %s", p, ok, cl.JKT())
			}
		})
	}
}
