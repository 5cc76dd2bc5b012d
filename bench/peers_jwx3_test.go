package bench

import (
	"context"
	"testing"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	jwk3 "github.com/lestrrat-go/jwx/v3/jwk"
	jwt3 "github.com/lestrrat-go/jwx/v3/jwt"
)

// jwx v3 (the current jwx): jwk.Cache over an httprc v3 client with the
// loopback server's http.Client, a registered and pre-fetched URL, read
// through the cache's CachedSet, as its README shows.
func setupJWX3(b *testing.B, f *fixture) func() func() error {
	set := newJWX3Set(b, newJWKSServer(b))
	opts := jwx3Options(set)
	return same(func() error {
		_, err := jwt3.ParseString(f.token, opts...)
		return err
	})
}

func jwx3Options(set jwk3.Set) []jwt3.ParseOption {
	return []jwt3.ParseOption{
		jwt3.WithKeySet(set),
		jwt3.WithValidate(true),
		jwt3.WithIssuer(issuer),
		jwt3.WithAudience(audience),
	}
}

func newJWX3Set(b *testing.B, srv *jwksServer) jwk3.Set {
	ctx := context.Background()
	c, err := jwk3.NewCache(ctx, httprc.NewClient(httprc.WithHTTPClient(srv.Client())))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { // ends httprc's workers and waits for them
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(sctx)
	})
	u := srv.JWKSURL()
	if err := c.Register(ctx, u); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Refresh(ctx, u); err != nil {
		b.Fatal(err)
	}
	set, err := c.CachedSet(u)
	if err != nil {
		b.Fatal(err)
	}
	return set
}
