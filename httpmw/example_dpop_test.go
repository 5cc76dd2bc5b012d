package httpmw_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// DPoP-bound tokens: the client obtains a token bound to its key from the
// issuer, then signs a proof for each request. The same token sent as a
// Bearer token, or without a proof, is refused. The second challenge
// names the DPoP scheme and its algorithms (RFC 9449 §7.1).
func ExampleConfig_dPoP() {
	iss, v, done := exampleSetup()
	defer done()
	iss.AddClient(issuertest.Client{ID: "app", Secret: "secret", Scopes: []string{"sms.send"}})

	dv, err := dpop.NewVerifier(dpop.Config{Algorithms: []string{"ES256"}})
	if err != nil {
		log.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: v, DPoP: dv})
	if err != nil {
		log.Fatal(err)
	}
	api := httptest.NewServer(mw.Require(verify.ScopeRule{AllOf: []string{"sms.send"}})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := dpop.FromContext(r.Context())
			fmt.Println("handler: proof by", p.Algorithm, "key")
		})))
	defer api.Close()

	client := issuertest.NewDPoPClient(nil)
	token, err := client.Token(iss.Client(), iss, "app", "secret")
	if err != nil {
		log.Fatal(err)
	}
	send := func(name string, prepare func(*http.Request) (*http.Response, error)) {
		req, _ := http.NewRequest("POST", api.URL+"/v1/sms", nil)
		resp, err := prepare(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s: %d %s", name, resp.StatusCode, strings.Join(resp.Header.Values("WWW-Authenticate"), " | "))))
	}
	send("DPoP with proof", func(r *http.Request) (*http.Response, error) { return client.Do(http.DefaultClient, r, token) })
	send("as Bearer", func(r *http.Request) (*http.Response, error) {
		r.Header.Set("Authorization", "Bearer "+token)
		return http.DefaultClient.Do(r)
	})
	send("no proof", func(r *http.Request) (*http.Response, error) {
		r.Header.Set("Authorization", "DPoP "+token)
		return http.DefaultClient.Do(r)
	})
	// Output:
	// handler: proof by ES256 key
	// DPoP with proof: 200
	// as Bearer: 401 Bearer realm="api", error="invalid_token" | DPoP realm="api", algs="ES256"
	// no proof: 401 Bearer realm="api" | DPoP realm="api", error="invalid_dpop_proof", algs="ES256"
}
