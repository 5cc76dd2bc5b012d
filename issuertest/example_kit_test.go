package issuertest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtguard/jwtguard/issuertest"
)

// introspect posts token to the issuer's RFC 7662 endpoint and returns the
// raw answer.
func introspect(iss *issuertest.Server, token string) string {
	resp, err := iss.Client().PostForm(iss.IntrospectURL(), url.Values{"token": {token}})
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// An issuer that hands out opaque tokens, as id.wgtwo.com does, answers for
// them at its introspection endpoint until they are revoked.
func Example_opaqueTokens() {
	iss := issuertest.NewServer(issuertest.Config{AccessTokenFormat: issuertest.TokenFormatHydra})
	defer iss.Close()
	iss.AddClient(issuertest.Client{ID: "my-client", Secret: "my-secret", Scopes: []string{"sms.text:send_from_subscriber"}})

	cc := clientcredentials.Config{ClientID: "my-client", ClientSecret: "my-secret", TokenURL: iss.TokenURL()}
	tok, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, iss.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	shape := regexp.MustCompile(`^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)
	fmt.Println("opaque:", shape.MatchString(tok.AccessToken))

	answer := introspect(iss, tok.AccessToken)
	for _, member := range []string{`"active":true`, `"client_id":"my-client"`, `"scope":"sms.text:send_from_subscriber"`, `"token_type":"Bearer"`, `"token_use":"access_token"`} {
		fmt.Println(member, strings.Contains(answer, member))
	}

	iss.Revoke(tok.AccessToken)
	fmt.Println(introspect(iss, tok.AccessToken))
	// Output:
	// opaque: true
	// "active":true true
	// "client_id":"my-client" true
	// "scope":"sms.text:send_from_subscriber" true
	// "token_type":"Bearer" true
	// "token_use":"access_token" true
	// {"active":false}
}

// The authorization-code flow runs without a browser: the user is logged
// in and consents at once, so a client that does not follow the redirect
// reads the code from the Location header and exchanges it with x/oauth2.
func Example_authorizationCode() {
	iss := issuertest.NewServer(issuertest.Config{AccessTokenFormat: issuertest.TokenFormatHydra, UserPhone: "+4799000000"})
	defer iss.Close()
	iss.AddClient(issuertest.Client{ID: "web", Secret: "web-secret", RedirectURIs: []string{"https://app.example.com/callback"},
		Scopes: []string{"openid", "phone", "offline_access"}})

	cfg := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", RedirectURL: "https://app.example.com/callback",
		Scopes:   []string{"openid", "phone", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: iss.AuthURL(), TokenURL: iss.TokenURL()}}
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("state-1234", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-1"))

	browser := *iss.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := browser.Get(authURL)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println(resp.StatusCode, back.Query().Get("state"))

	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, iss.Client())
	tok, err := cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refresh token:", tok.RefreshToken != "", "id_token:", tok.Extra("id_token") != nil)

	req, _ := http.NewRequest(http.MethodGet, iss.UserinfoURL(), nil)
	tok.SetAuthHeader(req)
	resp, err = iss.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(body), `"phone_number":"+4799000000"`))
	// Output:
	// 302 state-1234
	// refresh token: true id_token: true
	// 200 true
}

// Faults apply per endpoint: here the introspection endpoint is down while
// the rest of the issuer works.
func ExampleServer_SetFaultOn() {
	iss := issuertest.NewServer(issuertest.Config{})
	defer iss.Close()
	iss.SetFaultOn(issuertest.EndpointIntrospect, issuertest.Fault{Status: http.StatusServiceUnavailable, Body: []byte(`{"error":"temporarily_unavailable"}`)})

	fmt.Println(introspect(iss, iss.AccessToken("c")))
	fmt.Println("requests:", iss.Requests(issuertest.EndpointIntrospect))
	// Output:
	// {"error":"temporarily_unavailable"}
	// requests: 1
}

// A token signed by a key the issuer never publishes, under the issuer's
// own kid: the classic "wrong key" test case.
func ExampleServer_ForeignKey() {
	iss := issuertest.NewServer(issuertest.Config{})
	defer iss.Close()
	forged := iss.Mint(iss.AccessTokenClaims("c", "a"), issuertest.MintOptions{Key: iss.ForeignKey()})
	fmt.Println(introspect(iss, forged))
	fmt.Println(strings.HasPrefix(introspect(iss, iss.AccessToken("c", "a")), `{"active":true`))
	// Output:
	// {"active":false}
	// true
}
