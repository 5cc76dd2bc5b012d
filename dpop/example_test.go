package dpop_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/verify"
)

// A resource server checks the proof of RFC 9449 §7.1's example request
// against the claims its Checker returned for the access token, which
// say the token is bound to the proof's key (cnf.jkt). The same proof
// sent again is a replay.
func ExampleVerifier_Check() {
	v, err := dpop.NewVerifier(dpop.Config{
		Now: func() time.Time { return time.Unix(1562262618, 0) }, // the proof's iat
	})
	if err != nil {
		panic(err)
	}
	claims, err := verify.NewClaims(verify.Claims{Subject: "someone"},
		[]byte(`{"sub":"someone","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}`))
	if err != nil {
		panic(err)
	}
	req := dpop.Request{
		Method:      "GET",
		URL:         "https://resource.example.org/protectedresource",
		AccessToken: "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU",
		Proofs:      []string{rfcResourceProof},
	}
	p, err := v.Check(context.Background(), req, claims)
	fmt.Println(p.JKT, p.Algorithm, err)
	_, err = v.Check(context.Background(), req, claims)
	fmt.Println(verify.ReasonOf(err))
	// Output:
	// 0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I ES256 <nil>
	// invalid_dpop_proof
}

func ExampleNormalizeHTU() {
	for _, u := range []string{
		"HTTPS://Resource.Example.ORG:443/protected%7eresource?page=2#top",
		"https://resource.example.org/a/../protectedresource",
		"https://user@resource.example.org/",
	} {
		fmt.Println(dpop.NormalizeHTU(u))
	}
	// Output:
	// https://resource.example.org/protected~resource <nil>
	// https://resource.example.org/protectedresource <nil>
	//  dpop: URI carries user information
}
