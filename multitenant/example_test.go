package multitenant_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/multitenant"
	"github.com/jwtguard/jwtguard/verify"
)

// A Keycloak-style realm issuer: any realm on the host is accepted, each
// with its own discovered keys, and issuers of any other shape are
// refused before any fetch.
func Example() {
	const audience = "https://api.example.com/"
	realm := issuertest.NewServer(issuertest.Config{Path: "/realms/demo", NoTrailingSlash: true, Audience: []string{audience}})
	defer realm.Close()
	host := strings.TrimSuffix(realm.URL(), "/realms/demo")

	r, err := multitenant.New(multitenant.Config{
		Patterns: []string{host + "/realms/{tenant}"},
		Keys:     jwks.Config{InsecureAllowHTTP: true}, // a loopback test issuer
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close() // closes every realm's cache and waits
	v, err := verify.New(verify.Config{Resolver: r, Audiences: []string{audience}})
	if err != nil {
		log.Fatal(err)
	}

	c, err := v.Verify(context.Background(), realm.AccessToken("client-1", "read"), verify.ScopeRule{})
	fmt.Println(strings.TrimPrefix(c.Issuer, host), err)

	other := realm.AccessTokenClaims("client-1", "read")
	other["iss"] = host + "/realms/demo/extra"
	_, err = v.Verify(context.Background(), realm.Mint(other, issuertest.MintOptions{}), verify.ScopeRule{})
	fmt.Println(verify.ReasonOf(err), realm.Requests(issuertest.EndpointDiscovery))
	// Output:
	// /realms/demo <nil>
	// invalid_issuer 1
}
