package issuertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtguard/jwtguard/issuertest"
)

// A service under test fetches a token exactly as it would from
// id.wgtwo.com: x/oauth2 client credentials with HTTP Basic.
func Example() {
	iss := issuertest.NewServer(issuertest.Config{TLS: true})
	defer iss.Close()
	iss.AddClient(issuertest.Client{
		ID:     "my-client",
		Secret: "my-secret",
		Scopes: []string{"sms.text:send_from_subscriber", "subscription.handset_details:read"},
	})

	cc := clientcredentials.Config{
		ClientID:     "my-client",
		ClientSecret: "my-secret",
		TokenURL:     iss.TokenURL(),
		Scopes:       []string{"sms.text:send_from_subscriber"},
	}
	// Trust the issuer's self-signed certificate.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, iss.Client())
	tok, err := cc.Token(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("token_type:", tok.TokenType)
	fmt.Println("scope:", tok.Extra("scope"))
	fmt.Println("expires_in:", tok.Extra("expires_in"))
	fmt.Println("JWT segments:", strings.Count(tok.AccessToken, ".")+1)
	// Output:
	// token_type: bearer
	// scope: sms.text:send_from_subscriber
	// expires_in: 3599
	// JWT segments: 3
}

// Rotation publishes the new key first and signs with it at once; the old
// key stays published until retired.
func ExampleServer_Rotate() {
	iss := issuertest.NewServer(issuertest.Config{})
	defer iss.Close()
	first := iss.SigningKID()
	second := iss.Rotate()

	resp, err := iss.Client().Get(iss.JWKSURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("published:", len(jwks.Keys))
	fmt.Println("newest first:", jwks.Keys[0].Kid == second, jwks.Keys[1].Kid == first)

	iss.Retire(first)
	fmt.Println("after Retire:", len(iss.KIDs()))
	// Output:
	// published: 2
	// newest first: true true
	// after Retire: 1
}

// Fault injection lets a test watch its key cache ride out an outage.
func ExampleServer_SetFault() {
	iss := issuertest.NewServer(issuertest.Config{})
	defer iss.Close()

	iss.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable, Body: []byte("upstream down")})
	resp, err := iss.Client().Get(iss.JWKSURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)

	iss.SetFault(issuertest.Fault{}) // recovered
	resp, err = iss.Client().Get(iss.JWKSURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "after", iss.JWKSRequests(), "requests")
	// Output:
	// 503 Service Unavailable
	// 200 OK after 2 requests
}

// Mint signs whatever a test needs: here an access token with a changed
// audience, and an expired PS256 token.
func ExampleServer_Mint() {
	iss := issuertest.NewServer(issuertest.Config{})
	defer iss.Close()

	claims := iss.AccessTokenClaims("my-client", "a")
	claims["aud"] = []string{"https://api.example.com/"}
	tok := iss.Mint(claims, issuertest.MintOptions{})
	expired := iss.Mint(map[string]any{"sub": "x"}, issuertest.MintOptions{Expired: true, Alg: "PS256"})
	fmt.Println(strings.Count(tok, "."), strings.Count(expired, "."))
	// Output: 2 2
}
