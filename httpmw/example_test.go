package httpmw_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// exampleSetup starts a local test issuer and a verifier for its tokens,
// as a service would for id.wgtwo.com. The returned func closes both.
func exampleSetup() (*issuertest.Server, *verify.Verifier, func()) {
	const audience = "https://api.example.com/"
	iss := issuertest.NewServer(issuertest.Config{Audience: []string{audience}})
	keys, err := jwks.New(context.Background(), jwks.Config{URL: iss.JWKSURL(), InsecureAllowHTTP: true})
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: iss.Issuer(), Keys: keys}},
		Audiences: []string{audience},
	})
	if err != nil {
		log.Fatal(err)
	}
	return iss, v, func() { keys.Close(); iss.Close() }
}

// show sends one request through h and prints the answer.
func show(h http.Handler, method, path, token string) {
	r := httptest.NewRequest(method, path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Printf("%s %s: %d", method, path, w.Code)
	if c := w.Header().Get("WWW-Authenticate"); c != "" {
		fmt.Printf(" WWW-Authenticate: %s", c)
	}
	fmt.Println()
}

// A whole ServeMux behind Handler, with a scope per route. Missing
// credentials get a bare challenge, a valid token reaches the handler
// with its claims, and a token without the route's scope gets 403 with
// the scope it needs.
func Example() {
	iss, v, done := exampleSetup()
	defer done()

	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		log.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := verify.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", c.Subject)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /v1/hello", hello)
	mux.Handle("POST /v1/sms", mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})(hello))
	h := mw.Handler(mux)

	tok := iss.AccessToken("my-client", "subscription.read")
	show(h, "GET", "/v1/hello", "")
	show(h, "GET", "/v1/hello", tok)
	show(h, "POST", "/v1/sms", tok)
	// Output:
	// GET /v1/hello: 401 WWW-Authenticate: Bearer realm="api"
	// GET /v1/hello: 200
	// POST /v1/sms: 403 WWW-Authenticate: Bearer realm="api", error="insufficient_scope", scope="sms.text:send_to_subscriber"
}

// Skip lets CORS preflight requests through without a token; every other
// request still needs one. OnReject receives the exact reason, which the
// client never sees.
func ExampleConfig_skip() {
	_, v, done := exampleSetup()
	defer done()

	mw, err := httpmw.New(httpmw.Config{
		Checker: v,
		Realm:   "sms-api",
		Skip: func(r *http.Request) bool {
			return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		},
		OnReject: func(_ context.Context, r verify.Rejection) {
			fmt.Printf("rejected %s: %s, reason %s\n", r.Method, r.Outcome, r.Reason)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	pre := httptest.NewRequest("OPTIONS", "/v1/sms", nil)
	pre.Header.Set("Origin", "https://app.example.com")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, pre)
	fmt.Println("OPTIONS /v1/sms:", w.Code)

	show(h, "POST", "/v1/sms", "eyJhbGciOiJub25lIn0.e30.")
	// Output:
	// OPTIONS /v1/sms: 200
	// rejected POST /v1/sms: invalid_token, reason malformed
	// POST /v1/sms: 401 WWW-Authenticate: Bearer realm="sms-api", error="invalid_token"
}

// Require composes with any func(http.Handler) http.Handler chain; behind
// Handler it checks scopes against the claims Handler verified.
func ExampleMiddleware_Require() {
	iss, v, done := exampleSetup()
	defer done()

	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		log.Fatal(err)
	}
	logRequests := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := verify.FromContext(r.Context())
			fmt.Println("request from", c.ClientID)
			next.ServeHTTP(w, r)
		})
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, m := range []func(http.Handler) http.Handler{
		mw.Require(verify.ScopeRule{AnyOf: []string{"events.voice:subscribe", "events.sms:subscribe"}}),
		logRequests,
		mw.Handler,
	} {
		h = m(h) // innermost first
	}
	show(h, "GET", "/v1/events", iss.AccessToken("events-client", "events.sms:subscribe"))
	// Output:
	// request from events-client
	// GET /v1/events: 200
}
