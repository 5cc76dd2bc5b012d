package introspect_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

// A Net2Phone-style provider: 32-hex tokens, form-body client credentials
// and a role name as the scope. The endpoint here is a loopback stand-in.
func Example() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("token") != "7332170a208e270bc922d8ca54a5091f" {
			fmt.Fprint(w, `{"active":false}`)
			return
		}
		fmt.Fprint(w, `{"active":true,"sub":"user-1","scope":"Office Manager","token_type":"Bearer"}`)
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	cfg := introspect.Net2Phone(srv.URL+"/introspect", "client-id", "client-secret")
	cfg.RootCAs = roots
	c, err := introspect.New(cfg)
	if err != nil {
		panic(err)
	}
	defer c.Close()

	ctx := context.Background()
	need := verify.ScopeRule{AllOf: []string{"Office Manager"}}
	claims, err := c.Verify(ctx, "7332170a208e270bc922d8ca54a5091f", need)
	fmt.Printf("%s %q %v\n", claims.Subject, claims.Scopes, err)
	_, err = c.Verify(ctx, "00000000000000000000000000000000", need)
	fmt.Println(verify.ReasonOf(err))
	_, err = c.Verify(ctx, "not-a-net2phone-token", need) // refused before any call
	fmt.Println(verify.ReasonOf(err))
	// Output:
	// user-1 ["Office Manager"] <nil>
	// inactive
	// malformed
}
