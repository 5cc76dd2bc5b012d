package multitenant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/multitenant"
	"github.com/jwtguard/jwtguard/verify"
)

// TestIssuertestTenants runs a Resolver against two test issuers on
// loopback shaped like a multi-tenant provider ("/{tenant}/v2.0", no
// trailing slash) and a Keycloak realm ("/realms/{tenant}"). Each issuer's
// tokens verify with its own discovered keys, one setup each; a token
// naming the other issuer is refused by that issuer's keys, and a tenant
// the provider does not have is unavailable.
func TestIssuertestTenants(t *testing.T) {
	const audience = "https://api.example.com/"
	entra := issuertest.NewServer(issuertest.Config{Path: "/t1/v2.0", NoTrailingSlash: true, Audience: []string{audience}})
	t.Cleanup(entra.Close)
	kc := issuertest.NewServer(issuertest.Config{Path: "/realms/demo", NoTrailingSlash: true, Audience: []string{audience}})
	t.Cleanup(kc.Close)
	host := func(s *issuertest.Server, path string) string { return strings.TrimSuffix(s.URL(), path) }

	r, err := multitenant.New(multitenant.Config{
		Patterns: []string{host(entra, "/t1/v2.0") + "/{tenant}/v2.0", host(kc, "/realms/demo") + "/realms/{tenant}"},
		Keys:     jwks.Config{InsecureAllowHTTP: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	v, err := verify.New(verify.Config{Resolver: r, Audiences: []string{audience}})
	if err != nil {
		t.Fatal(err)
	}
	claimsAs := func(s *issuertest.Server, iss string) string {
		c := s.AccessTokenClaims("client-1", "read")
		c["iss"] = iss
		return s.Mint(c, issuertest.MintOptions{})
	}
	for _, tt := range []struct {
		name string
		tok  string
		want verify.Reason
	}{
		{"tenant", entra.AccessToken("client-1", "read"), ""},
		{"tenant again", entra.AccessToken("client-1", "read"), ""},
		{"realm", kc.AccessToken("client-1", "read"), ""},
		{"realm token naming the tenant", claimsAs(kc, entra.Issuer()), verify.ReasonUnknownKey},
		{"unknown tenant", claimsAs(entra, host(entra, "/t1/v2.0")+"/t2/v2.0"), verify.ReasonUnavailable},
		{"no pattern", claimsAs(entra, entra.Issuer()+"/"), verify.ReasonInvalidIssuer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tt.tok, verify.ScopeRule{})
			if verify.ReasonOf(err) != tt.want {
				t.Fatalf("reason %q, want %q (%v)", verify.ReasonOf(err), tt.want, err)
			}
			if err == nil && c.Subject != "client-1" {
				t.Errorf("subject %q", c.Subject)
			}
		})
	}
	for _, s := range []*issuertest.Server{entra, kc} {
		if d := s.Requests(issuertest.EndpointDiscovery); d != 1 {
			t.Errorf("%s: %d discovery requests, want 1", s.Issuer(), d)
		}
	}
	if r.Len() != 2 {
		t.Errorf("%d issuers held, want 2", r.Len())
	}
}
