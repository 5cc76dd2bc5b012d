package promguard_test

import (
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/jwtguard/jwtguard/integrations/promguard"
	"github.com/jwtguard/jwtguard/verify"
)

func Example() {
	m := promguard.New(promguard.Config{Issuers: []string{"https://id.wgtwo.com/"}})
	reg := prometheus.NewRegistry() // or prometheus.MustRegister(m)
	reg.MustRegister(m)
	cfg := verify.Config{OnDecision: m.OnDecision} // and Issuers, Audiences, ...

	// What the verifier reports for a token from an issuer it does not
	// trust: its unverified iss is not a label.
	cfg.OnDecision(verify.Decision{Reason: verify.ReasonInvalidIssuer, Issuer: "https://evil.test/"})

	want := `
# HELP jwtguard_verify_decisions_total Token verifications, by outcome.
# TYPE jwtguard_verify_decisions_total counter
jwtguard_verify_decisions_total{cache="miss",issuer="other",reason="invalid_issuer"} 1
`
	fmt.Println(testutil.GatherAndCompare(reg, strings.NewReader(want), "jwtguard_verify_decisions_total"))
	// Output:
	// <nil>
}
