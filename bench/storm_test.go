package bench

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"
	jwt3 "github.com/lestrrat-go/jwx/v3/jwt"
)

const (
	// stormSize is the number of distinct random kids; run.sh runs the
	// storm with -benchtime=10000x so each library sees each kid once.
	stormSize = 10000
	// stormCallTimeout bounds every call of a library that takes a ctx, so
	// a library whose limiter waits cannot stall the run; a call it ends
	// is counted in "timeouts".
	stormCallTimeout = 100 * time.Millisecond
)

// A stormLib builds a library against srv (after its first, warm fetch)
// and returns a function rejecting one token; ctx carries the per-call
// timeout.
type stormLib struct {
	name  string
	setup func(b *testing.B, srv *jwksServer) func(ctx context.Context, token string) error
}

// BenchmarkStorm: tokens with random, never-published kids against one
// counting JWKS server per library. ns/op is the cost of one rejection;
// jwks-requests counts the JWKS fetches the storm caused (the warm-up fetch
// excluded); max-us is the slowest single rejection; timeouts counts calls
// ended by stormCallTimeout.
func BenchmarkStorm(b *testing.B) {
	f := env.fixtures[0]
	tokens := stormTokens(f.token, stormSize)
	for _, l := range append(peerStormLibs(), oursStormLibs()...) {
		b.Run("lib="+l.name, func(b *testing.B) {
			srv := newJWKSServer(b)
			reject := l.setup(b, srv)
			// Warm up with the valid token: loads the keys.
			if err := reject(context.Background(), f.token); err != nil {
				b.Fatalf("valid token refused: %v", err)
			}
			before := srv.requests.Load()
			b.ReportAllocs()
			st := stormRun(b, reject, tokens)
			b.ReportMetric(float64(srv.requests.Load()-before), "jwks-requests")
			b.ReportMetric(float64(st.max.Microseconds()), "max-us")
			b.ReportMetric(float64(st.timeouts), "timeouts")
		})
	}
}

type stormStats struct {
	max      time.Duration
	timeouts int
}

// stormRun rejects tokens in turn, b.N times in all.
func stormRun(b *testing.B, reject func(context.Context, string) error, tokens []string) stormStats {
	var st stormStats
	i := 0
	for b.Loop() {
		tok := tokens[i%len(tokens)]
		i++
		start := time.Now()
		err := reject(context.Background(), tok)
		if d := time.Since(start); d > st.max {
			st.max = d
		}
		if err == nil {
			b.Fatal("token with an unknown kid accepted")
		}
		if errors.Is(err, context.DeadlineExceeded) {
			st.timeouts++
		}
	}
	return st
}

// withTimeout adapts a ctx-taking rejection to the per-call bound.
func withTimeout(fn func(ctx context.Context, token string) error) func(ctx context.Context, token string) error {
	return func(ctx context.Context, token string) error {
		ctx, cancel := context.WithTimeout(ctx, stormCallTimeout)
		defer cancel()
		return fn(ctx, token)
	}
}

func peerStormLibs() []stormLib {
	return []stormLib{
		{"keyfunc", func(b *testing.B, srv *jwksServer) func(context.Context, string) error {
			k := newKeyfunc(b, srv)
			opts := golangJWTOptions()
			return withTimeout(func(ctx context.Context, tok string) error {
				_, err := jwt.Parse(tok, k.KeyfuncCtx(ctx), opts...)
				return err
			})
		}},
		{"jwx-v2", func(b *testing.B, srv *jwksServer) func(context.Context, string) error {
			set := newJWXSet(b, srv)
			opts := []jwxjwt.ParseOption{
				jwxjwt.WithKeySet(set), jwxjwt.WithValidate(true),
				jwxjwt.WithIssuer(issuer), jwxjwt.WithAudience(audience),
			}
			// jwx takes no ctx for key lookup and never fetches on a miss;
			// it still pays the per-call context like every library.
			return withTimeout(func(_ context.Context, tok string) error {
				_, err := jwxjwt.ParseString(tok, opts...)
				return err
			})
		}},
		{"jwx-v3", func(b *testing.B, srv *jwksServer) func(context.Context, string) error {
			opts := jwx3Options(newJWX3Set(b, srv))
			// Like v2: no ctx for key lookup, no fetch on a miss.
			return withTimeout(func(_ context.Context, tok string) error {
				_, err := jwt3.ParseString(tok, opts...)
				return err
			})
		}},
		{"go-oidc", func(_ *testing.B, srv *jwksServer) func(context.Context, string) error {
			v := newOIDC(srv)
			return withTimeout(func(ctx context.Context, tok string) error {
				_, err := v.Verify(ctx, tok)
				return err
			})
		}},
		{"auth0", func(b *testing.B, srv *jwksServer) func(context.Context, string) error {
			v := newAuth0Validator(b, srv)
			return withTimeout(func(ctx context.Context, tok string) error {
				_, err := v.ValidateToken(ctx, tok)
				return err
			})
		}},
	}
}
