package issuertest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// BenchmarkAccessToken measures minting one Hydra-shaped RS256 access token
// (2048-bit key): the cost a load test pays per token it mints up front.
func BenchmarkAccessToken(b *testing.B) {
	s := newTestServer(b, Config{})
	b.ReportAllocs()
	for b.Loop() {
		_ = s.AccessToken("client", "a", "b")
	}
}

// BenchmarkTokenEndpoint measures a client_credentials round trip over
// loopback HTTP, in-process (Transport) and over the network.
func BenchmarkTokenEndpoint(b *testing.B) {
	s := newTestServer(b, Config{})
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"a"}})
	cc := clientcredentials.Config{ClientID: "c", ClientSecret: "s", TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
	for _, bc := range []struct {
		name string
		c    *http.Client
	}{{"network", s.Client()}, {"transport", &http.Client{Transport: s.Transport()}}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.WithValue(b.Context(), oauth2.HTTPClient, bc.c)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cc.Token(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJWKS measures serving the key set (two keys) over loopback.
func BenchmarkJWKS(b *testing.B) {
	s := newTestServer(b, Config{})
	s.Rotate()
	c := s.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Get(s.JWKSURL())
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // drain so the connection is reused
		resp.Body.Close()
	}
}

// BenchmarkIntrospect measures one in-process introspection of an opaque
// token (a table lookup) and of a JWT (an RS256 verification): what a
// checker's load test costs the issuer per uncached call.
func BenchmarkIntrospect(b *testing.B) {
	s := newTestServer(b, Config{AccessTokenFormat: TokenFormatHydra})
	c := &http.Client{Transport: s.Transport()}
	for _, bc := range []struct{ name, token string }{
		{"opaque", s.IssueAccessToken("c", "a")},
		{"jwt", s.AccessToken("c", "a")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			form := url.Values{"token": {bc.token}}
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.PostForm(s.IntrospectURL(), form)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
