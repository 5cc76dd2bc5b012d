package bench

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	auth0jwks "github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v2/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"
)

// A lib is one way to verify the benchmark token. setup builds it against
// a loopback JWKS (closing everything in b.Cleanup) and returns the
// operation factory for seqPar; the operation must return an error for a
// refused token so that a misconfigured peer cannot look fast.
type lib struct {
	name  string
	setup func(b *testing.B, f *fixture) func() func() error
}

// BenchmarkVerify: one valid token through each library (the floor first),
// sequentially and in parallel, for RSA-2048 and RSA-4096.
func BenchmarkVerify(b *testing.B) {
	libs := append(peerVerifyLibs(), oursVerifyLibs()...)
	forEachKey(b, func(b *testing.B, f *fixture) {
		for _, l := range libs {
			b.Run("lib="+l.name, func(b *testing.B) { seqPar(b, l.setup(b, f)) })
		}
	})
}

// BenchmarkHTTP: a full request through each library's net/http
// middleware with the token, against the bare handler.
func BenchmarkHTTP(b *testing.B) {
	libs := append(peerHTTPLibs(), oursHTTPLibs()...)
	forEachKey(b, func(b *testing.B, f *fixture) {
		for _, l := range libs {
			b.Run("lib="+l.name, func(b *testing.B) { seqPar(b, l.setup(b, f)) })
		}
	})
}

func peerVerifyLibs() []lib {
	return []lib{
		{"floor", setupFloor},
		{"golang-jwt", setupGolangJWT},
		{"keyfunc", setupKeyfunc},
		{"jwx-v2", setupJWX},
		{"jwx-v3", setupJWX3},
		{"go-oidc", setupOIDC},
		{"auth0", setupAuth0Validator},
	}
}

func peerHTTPLibs() []lib {
	return []lib{
		{"bare", setupBareHTTP},
		{"auth0", setupAuth0HTTP},
	}
}

// Floor: the RSA signature check alone, over the precomputed SHA-256 of the
// signing input. No library can be faster and still check the signature.
func setupFloor(_ *testing.B, f *fixture) func() func() error {
	return same(func() error {
		return rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, f.digest, f.sig)
	})
}

// golang-jwt v5 with a static key, as its README shows.
func setupGolangJWT(_ *testing.B, f *fixture) func() func() error {
	opts := golangJWTOptions()
	kf := func(*jwt.Token) (any, error) { return f.pub, nil }
	return same(func() error {
		_, err := jwt.Parse(f.token, kf, opts...)
		return err
	})
}

func golangJWTOptions() []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
	}
}

// keyfunc v3 (jwkset storage, default options: 1 h refresh, unknown-kid
// refresh limited to 1 per 5 min) feeding golang-jwt.
func setupKeyfunc(b *testing.B, f *fixture) func() func() error {
	k := newKeyfunc(b, newJWKSServer(b))
	opts := golangJWTOptions()
	return same(func() error {
		_, err := jwt.Parse(f.token, k.Keyfunc, opts...)
		return err
	})
}

func newKeyfunc(b *testing.B, srv *jwksServer) keyfunc.Keyfunc {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel) // ends jwkset's refresh goroutine
	k, err := keyfunc.NewDefaultCtx(ctx, []string{srv.JWKSURL()})
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// jwx v2: jwk.Cache (httprc) with a registered, pre-fetched URL, read
// through jwk.NewCachedSet.
func setupJWX(b *testing.B, f *fixture) func() func() error {
	set := newJWXSet(b, newJWKSServer(b))
	opts := []jwxjwt.ParseOption{
		jwxjwt.WithKeySet(set),
		jwxjwt.WithValidate(true),
		jwxjwt.WithIssuer(issuer),
		jwxjwt.WithAudience(audience),
	}
	return same(func() error {
		_, err := jwxjwt.ParseString(f.token, opts...)
		return err
	})
}

func newJWXSet(b *testing.B, srv *jwksServer) jwk.Set {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel) // ends httprc's workers
	c := jwk.NewCache(ctx)
	u := srv.JWKSURL()
	if err := c.Register(u); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Refresh(ctx, u); err != nil {
		b.Fatal(err)
	}
	return jwk.NewCachedSet(c, u)
}

// go-oidc v3: RemoteKeySet + IDTokenVerifier with ClientID = the audience.
func setupOIDC(b *testing.B, f *fixture) func() func() error {
	v := newOIDC(newJWKSServer(b))
	ctx := context.Background()
	return same(func() error {
		_, err := v.Verify(ctx, f.token)
		return err
	})
}

func newOIDC(srv *jwksServer) *oidc.IDTokenVerifier {
	ks := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), srv.Client()), srv.JWKSURL())
	return oidc.NewVerifier(issuer, ks, &oidc.Config{ClientID: audience})
}

// auth0 go-jwt-middleware v2: validator.New over jwks.CachingProvider with
// the JWKS URL given directly (no discovery), TTL 5 min as its README.
func setupAuth0Validator(b *testing.B, f *fixture) func() func() error {
	v := newAuth0Validator(b, newJWKSServer(b))
	ctx := context.Background()
	return same(func() error {
		_, err := v.ValidateToken(ctx, f.token)
		return err
	})
}

func newAuth0Validator(b *testing.B, srv *jwksServer) *validator.Validator {
	iss, err := url.Parse(issuer)
	if err != nil {
		b.Fatal(err)
	}
	ju, err := url.Parse(srv.JWKSURL())
	if err != nil {
		b.Fatal(err)
	}
	p := auth0jwks.NewCachingProvider(iss, 5*time.Minute,
		auth0jwks.WithCustomJWKSURI(ju), auth0jwks.WithCustomClient(srv.Client()))
	v, err := validator.New(p.KeyFunc, validator.RS256, issuer, []string{audience})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// bareHandler is the protected handler every HTTP benchmark ends in.
var bareHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
})

// serve returns an operation sending one GET with the token through h into
// a fresh httptest.ResponseRecorder, requiring 204. Each goroutine gets its
// own request.
func serve(h http.Handler, token string) func() func() error {
	return func() func() error {
		r := httptest.NewRequest(http.MethodGet, "/v1/sms", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return func() error {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusNoContent {
				return errors.New(http.StatusText(w.Code) + ": " + w.Body.String())
			}
			return nil
		}
	}
}

func setupBareHTTP(_ *testing.B, f *fixture) func() func() error {
	return serve(bareHandler, f.token)
}

// auth0's CheckJWT around the bare handler, validating as above.
func setupAuth0HTTP(b *testing.B, f *fixture) func() func() error {
	v := newAuth0Validator(b, newJWKSServer(b))
	return serve(jwtmiddleware.New(v.ValidateToken).CheckJWT(bareHandler), f.token)
}
