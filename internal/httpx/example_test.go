package httpx_test

import (
	"crypto/tls"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/httpx"
)

// A client from NewClient refuses a plain-http URL before sending anything.
func ExampleNewClient() {
	c, err := httpx.NewClient(httpx.Config{})
	if err != nil {
		panic(err)
	}
	_, err = c.Get("http://id.example/.well-known/jwks.json")
	fmt.Println(err)
	fmt.Println(c.Timeout)
	// Output:
	// Get "http://id.example/.well-known/jwks.json": http URL http://id.example/.well-known/jwks.json refused (https only)
	// 10s
}

// Settings that would silently drop certificate verification are refused.
func ExampleNewClient_refused() {
	_, err := httpx.NewClient(httpx.Config{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	fmt.Println(err)
	// Output: TLSConfig.InsecureSkipVerify is not allowed: pass the server's CA in RootCAs instead
}
