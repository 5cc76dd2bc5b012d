package issuertest_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard/issuertest"
)

// A client holding a DPoP key gets an access token bound to it: the token
// endpoint checks the client's proof, and introspection names the key's
// thumbprint (cnf.jkt). The client then signs a proof for every request
// it sends with the token.
func ExampleDPoPClient() {
	iss := issuertest.NewServer(issuertest.Config{AccessTokenFormat: issuertest.TokenFormatHydra})
	defer iss.Close()
	iss.AddClient(issuertest.Client{ID: "my-client", Secret: "my-secret", Scopes: []string{"read"}})

	client := issuertest.NewDPoPClient(nil)
	tok, err := client.Token(iss.Client(), iss, "my-client", "my-secret")
	if err != nil {
		fmt.Println(err)
		return
	}
	answer := introspect(iss, tok)
	fmt.Println(strings.Contains(answer, `"token_type":"DPoP"`), strings.Contains(answer, `"cnf":{"jkt":"`+client.JKT()+`"}`))

	// What Do sends to a resource server.
	api := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		fmt.Println(r.Header.Get("Authorization") == "DPoP "+tok, strings.Count(r.Header.Get("DPoP"), "."))
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})}
	req, _ := http.NewRequest("GET", "https://api.example.com/v1/things", nil)
	resp, err := client.Do(api, req, tok)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	// Output:
	// true true
	// true 2
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
