package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// newOursCache starts a jwks.Cache on srv with its defaults (first fetch in
// New, 15 s unknown-kid cooldown); b's cleanup closes it.
func newOursCache(tb testing.TB, srv *jwksServer) *jwks.Cache {
	tb.Helper()
	c, err := jwks.New(context.Background(), jwks.Config{
		URL:               srv.JWKSURL(),
		HTTPClient:        srv.Client(),
		InsecureAllowHTTP: true, // loopback httptest server
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// newOurs returns a verifier for the benchmark token over a jwks.Cache on
// srv, with the verified-token cache on or off.
func newOurs(tb testing.TB, srv *jwksServer, tokenCache bool) *verify.Verifier {
	tb.Helper()
	return newOursWith(tb, srv, verify.Config{TokenCache: verify.TokenCacheConfig{Disable: !tokenCache}})
}

// newOursWith is newOurs with cfg's other fields (hooks, cache knobs) kept.
func newOursWith(tb testing.TB, srv *jwksServer, cfg verify.Config) *verify.Verifier {
	tb.Helper()
	cfg.Issuers = []verify.Issuer{{Name: issuer, Keys: newOursCache(tb, srv)}}
	cfg.Audiences = []string{audience}
	v, err := verify.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func oursVerifyLibs() []lib {
	return []lib{
		// Cold: the token cache is off, so every call checks the signature
		// (the key is cached by jwks.Cache).
		{"jwtguard-cold", func(b *testing.B, f *fixture) func() func() error {
			return verifyOp(newOurs(b, newJWKSServer(b), false), f.token)
		}},
		// Warm: the same token again, answered by the token cache.
		{"jwtguard-warm", func(b *testing.B, f *fixture) func() func() error {
			return verifyOp(newOurs(b, newJWKSServer(b), true), f.token)
		}},
	}
}

func verifyOp(v *verify.Verifier, token string) func() func() error {
	ctx := context.Background()
	return same(func() error {
		_, err := v.Verify(ctx, token, verify.ScopeRule{})
		return err
	})
}

func oursStormLibs() []stormLib {
	return []stormLib{
		// The same per-call timeout as every library, so each call pays
		// the same context.WithTimeout; Verify never waits on a limiter
		// (a call that did would show in max-us).
		{"jwtguard", func(b *testing.B, srv *jwksServer) func(context.Context, string) error {
			v := newOurs(b, srv, true)
			return withTimeout(func(ctx context.Context, tok string) error {
				_, err := v.Verify(ctx, tok, verify.ScopeRule{})
				return err
			})
		}},
	}
}

// TestStormOurs: 10 000 tokens with random kids cost at most one JWKS
// request (the default cooldown is 15 s; the storm takes far less) and
// every one is refused as unknown_key. The first unknown kid may wait for
// the one fetch it triggers; every later call runs with an already
// cancelled ctx, so a call that waited for anything (a limiter, a fetch)
// would fail with "unavailable" instead.
func TestStormOurs(t *testing.T) {
	f := env.fixtures[0]
	srv := newJWKSServer(t)
	v := newOurs(t, srv, true)
	before := srv.requests.Load()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := context.Background()
	for i, tok := range stormTokens(f.token, stormSize) {
		_, err := v.Verify(ctx, tok, verify.ScopeRule{})
		if r := verify.ReasonOf(err); r != verify.ReasonUnknownKey {
			t.Fatalf("token %d: reason %q (err %v), want %q", i, r, err, verify.ReasonUnknownKey)
		}
		ctx = done
	}
	if got := srv.requests.Load() - before; got > 1 {
		t.Errorf("storm caused %d JWKS requests, want ≤ 1", got)
	}
	if _, err := v.Verify(context.Background(), f.token, verify.ScopeRule{}); err != nil {
		t.Errorf("valid token refused after the storm: %v", err)
	}
}

// memTokens are distinct valid tokens (jti differs) for the memory
// benchmark, signed once per process: RSA signing is slow.
var memTokens = sync.OnceValue(func() []string {
	f := env.fixtures[0]
	out := make([]string, 1000)
	for i := range out {
		out[i] = sign(f.priv, f.kid, accessClaims(env.now, fmt.Sprintf("00000000-0000-4000-8000-%012d", i)))
	}
	return out
})

// BenchmarkTokenCacheMemory: fill a fresh verifier's token cache with N
// distinct tokens and report the live heap it grew by, per token. Run it
// with -benchtime=1x (each op verifies N tokens cold).
func BenchmarkTokenCacheMemory(b *testing.B) {
	tokens := memTokens()
	b.Run(fmt.Sprintf("tokens=%d", len(tokens)), func(b *testing.B) {
		b.ReportAllocs()
		srv := newJWKSServer(b)
		ctx := context.Background()
		var perToken float64
		var hits atomic.Int64
		cfg := verify.Config{OnDecision: func(d verify.Decision) {
			if d.Cached {
				hits.Add(1)
			}
		}}
		for b.Loop() {
			v := newOursWith(b, srv, cfg)
			if _, err := v.Verify(ctx, tokens[0], verify.ScopeRule{}); err != nil {
				b.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for _, tok := range tokens[1:] {
				if _, err := v.Verify(ctx, tok, verify.ScopeRule{}); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			// Every token must now be a hit, or the cache did not keep them.
			hits.Store(0)
			for _, tok := range tokens {
				if _, err := v.Verify(ctx, tok, verify.ScopeRule{}); err != nil {
					b.Fatal(err)
				}
			}
			if n := hits.Load(); n != int64(len(tokens)) {
				b.Fatalf("%d of %d tokens answered from the cache", n, len(tokens))
			}
			perToken = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(len(tokens)-1)
			runtime.KeepAlive(v)
		}
		b.ReportMetric(perToken, "bytes/token")
	})
}
