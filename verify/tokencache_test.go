package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// verifyCached runs Verify and reports whether the cache answered.
func verifyCached(t *testing.T, v *Verifier, tok string, need ScopeRule) (*Claims, error, bool) {
	t.Helper()
	var cached bool
	old := v.onDecision
	v.onDecision = func(d Decision) { cached = d.Cached }
	defer func() { v.onDecision = old }()
	c, err := v.Verify(context.Background(), tok, need)
	return c, err, cached
}

func TestTokenCacheHit(t *testing.T) {
	src := defaultSource(t)
	v := newVerifier(t, src, nil)
	tok := mint(t, hydraClaims(testNow))
	c1, err, cached := verifyCached(t, v, tok, ScopeRule{})
	if err != nil || cached {
		t.Fatalf("first: %v cached=%v", err, cached)
	}
	c2, err, cached := verifyCached(t, v, tok, ScopeRule{})
	if err != nil || !cached {
		t.Fatalf("second: %v cached=%v", err, cached)
	}
	if c1 != c2 {
		t.Error("hit returned different claims")
	}
	// Scopes are evaluated per call, also on hits.
	if _, err, cached := verifyCached(t, v, tok, ScopeRule{AllOf: []string{"admin"}}); ReasonOf(err) != ReasonInsufficientScope || !cached {
		t.Errorf("scope on hit: %v cached=%v", err, cached)
	}
	if _, err, cached := verifyCached(t, v, tok, ScopeRule{AnyOf: []string{testScope2}}); err != nil || !cached {
		t.Errorf("other scope on hit: %v cached=%v", err, cached)
	}
	// A token differing in one signature character is not a hit.
	k := len(tok) - 10
	repl := "A"
	if tok[k] == 'A' {
		repl = "B"
	}
	forged := tok[:k] + repl + tok[k+1:]
	if _, err, cached := verifyCached(t, v, forged, ScopeRule{}); err == nil || cached {
		t.Errorf("forged: %v cached=%v", err, cached)
	}
}

func TestTokenCacheRechecksTime(t *testing.T) {
	clk := &clock{now: testNow}
	tests := []struct {
		name    string
		claims  map[string]any
		edit    func(*Config)
		advance time.Duration
		want    Reason
	}{
		{"still-valid", hydraClaims(testNow), nil, 59 * time.Minute, ""},
		{"expired", hydraClaims(testNow), nil, time.Hour, ReasonExpired},
		{"expired-leeway", hydraClaims(testNow), func(c *Config) { c.Leeway = time.Minute }, time.Hour + time.Minute, ReasonExpired},
		{"max-age", hydraClaims(testNow), func(c *Config) { c.MaxTokenAge = 10 * time.Minute }, 11 * time.Minute, ReasonExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.now = testNow
			src := defaultSource(t)
			v := newVerifier(t, src, func(c *Config) {
				c.Now = clk.Now
				if tt.edit != nil {
					tt.edit(c)
				}
			})
			tok := mint(t, tt.claims)
			if _, err, _ := verifyCached(t, v, tok, ScopeRule{}); err != nil {
				t.Fatal(err)
			}
			clk.Advance(tt.advance)
			_, err, cached := verifyCached(t, v, tok, ScopeRule{})
			if ReasonOf(err) != tt.want || !cached {
				t.Fatalf("after %v: %v cached=%v, want %q", tt.advance, err, cached, tt.want)
			}
			if tt.want != "" {
				if n, _ := v.cache.len(); n != 0 {
					t.Errorf("expired entry kept: %d entries", n)
				}
			}
		})
	}
}

func TestTokenCacheKeyChanges(t *testing.T) {
	pub := testkeys.RSA2048(0).Public()
	k1 := testKey(t, testKID, "RS256", pub)
	tests := []struct {
		name       string
		src        jwks.Source
		err        error
		want       Reason
		wantCached bool
		wantLen    int
	}{
		{"same-key", testSet(t, k1), nil, "", true, 1},
		{"key-removed", testSet(t, testKey(t, testKID2, "RS256", testkeys.RSA2048(1).Public())), nil, ReasonUnknownKey, false, 0},
		{"key-replaced-same-material", testSet(t, testKey(t, testKID, "RS256", pub)), nil, "", false, 1},
		{"kid-reused-other-key", testSet(t, testKey(t, testKID, "RS256", testkeys.RSA2048(1).Public())), nil, ReasonInvalidSignature, false, 0},
		{"key-alg-changed", testSet(t, testKey(t, testKID, "PS256", pub)), nil, ReasonUnsupportedAlgorithm, false, 0},
		{"source-stale", nil, fmt.Errorf("%w: stale", jwks.ErrUnavailable), ReasonUnavailable, true, 1},
		{"source-closed-decided-again", nil, jwks.ErrClosed, ReasonUnavailable, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &countingSource{src: testSet(t, k1)}
			v := newVerifier(t, src, nil)
			tok := mint(t, hydraClaims(testNow))
			if _, err, _ := verifyCached(t, v, tok, ScopeRule{}); err != nil {
				t.Fatal(err)
			}
			src.set(tt.src, tt.err)
			_, err, cached := verifyCached(t, v, tok, ScopeRule{})
			if ReasonOf(err) != tt.want || cached != tt.wantCached {
				t.Fatalf("got %v cached=%v, want %q cached=%v", err, cached, tt.want, tt.wantCached)
			}
			if n, _ := v.cache.len(); n != tt.wantLen {
				t.Errorf("cache holds %d, want %d", n, tt.wantLen)
			}
		})
	}
}

func TestTokenCacheOnlyAccepted(t *testing.T) {
	v := newVerifier(t, defaultSource(t), nil)
	for _, tok := range []string{
		mint(t, with(hydraClaims(testNow), "exp", testNow.Add(-time.Minute).Unix())),
		mintRaw(t, testkeys.RSA2048(1), "RS256", hdrRS256, mustJSON(t, hydraClaims(testNow))),
	} {
		for range 2 {
			if _, err, cached := verifyCached(t, v, tok, ScopeRule{}); err == nil || cached {
				t.Fatalf("err %v cached=%v", err, cached)
			}
		}
	}
	if n, _ := v.cache.len(); n != 0 {
		t.Errorf("%d refused tokens cached", n)
	}
	// A token refused only for scope is still cached: scopes are per call.
	tok := mint(t, hydraClaims(testNow))
	if _, err, _ := verifyCached(t, v, tok, ScopeRule{AllOf: []string{"admin"}}); ReasonOf(err) != ReasonInsufficientScope {
		t.Fatal(err)
	}
	if _, err, cached := verifyCached(t, v, tok, ScopeRule{}); err != nil || !cached {
		t.Errorf("scope-refused token not cached: %v %v", err, cached)
	}
}

func TestTokenCacheOversizeNotCached(t *testing.T) {
	tok := mint(t, with(hydraClaims(testNow), "ext", map[string]any{"pad": strings.Repeat("x", 200)}))
	tests := []struct {
		name   string
		tc     TokenCacheConfig
		cached bool
	}{
		{"fits", TokenCacheConfig{MaxCachedTokenBytes: len(tok)}, true},
		{"too-long", TokenCacheConfig{MaxCachedTokenBytes: len(tok) - 1}, false},
		{"default-8KiB", TokenCacheConfig{}, true},
		{"larger-than-MaxBytes", TokenCacheConfig{MaxBytes: int64(len(tok))}, false},
		{"disabled", TokenCacheConfig{Disable: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, defaultSource(t), func(c *Config) { c.TokenCache = tt.tc })
			verifyCached(t, v, tok, ScopeRule{})
			if _, err, cached := verifyCached(t, v, tok, ScopeRule{}); err != nil || cached != tt.cached {
				t.Errorf("cached=%v err=%v, want cached=%v", cached, err, tt.cached)
			}
		})
	}
	big := mint(t, with(hydraClaims(testNow), "ext", map[string]any{"pad": strings.Repeat("x", 9<<10)}))
	v := newVerifier(t, defaultSource(t), nil)
	verifyCached(t, v, big, ScopeRule{})
	if _, err, cached := verifyCached(t, v, big, ScopeRule{}); err != nil || cached {
		t.Errorf("9 KiB token: cached=%v err=%v", cached, err)
	}
}

func TestTokenCacheBounds(t *testing.T) {
	toks := make([]string, 40)
	for i := range toks {
		toks[i] = mint(t, with(hydraClaims(testNow), "jti", fmt.Sprintf("jti-%d", i)))
	}
	entry := int64(len(toks[0])) + int64(len(decodeSeg(t, strings.Split(toks[0], ".")[1]))) + entryOverhead
	tests := []struct {
		name       string
		tc         TokenCacheConfig
		maxEntries int
	}{
		{"entries-5", TokenCacheConfig{MaxEntries: 5}, 5},
		{"entries-1", TokenCacheConfig{MaxEntries: 1}, 1},
		{"bytes-3-entries", TokenCacheConfig{MaxBytes: 3*entry + entry/2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, defaultSource(t), func(c *Config) { c.TokenCache = tt.tc })
			for i, tok := range toks {
				if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil {
					t.Fatal(err)
				}
				n, b := v.cache.len()
				if n > tt.maxEntries || (tt.tc.MaxBytes > 0 && b > tt.tc.MaxBytes) {
					t.Fatalf("after %d tokens: %d entries, %d bytes", i+1, n, b)
				}
			}
			// Without hits, eviction is first-in first-out: the newest token
			// is cached, the oldest is not.
			if n, _ := v.cache.len(); n != tt.maxEntries {
				t.Errorf("%d entries, want %d", n, tt.maxEntries)
			}
			if _, _, cached := verifyCached(t, v, toks[len(toks)-1], ScopeRule{}); !cached {
				t.Error("newest token not cached")
			}
			if _, _, cached := verifyCached(t, v, toks[0], ScopeRule{}); cached {
				t.Error("oldest token still cached")
			}
		})
	}
}

// gateSource blocks every Key call until gate is closed.
type gateSource struct {
	*countingSource
	gate chan struct{}
}

func (g gateSource) Key(ctx context.Context, kid, alg string) (*jwks.Key, error) {
	<-g.gate
	return g.countingSource.Key(ctx, kid, alg)
}

// TestTokenCacheBurstVerifiesOnce: 50 concurrent requests with the same new
// token look the key up and check the signature once.
func TestTokenCacheBurstVerifiesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := gateSource{countingSource: defaultSource(t), gate: make(chan struct{})}
		var mu sync.Mutex
		var cachedN, okN int
		v := newVerifier(t, src, func(c *Config) {
			c.Now = nil // the bubble's clock
			c.OnDecision = func(d Decision) {
				mu.Lock()
				defer mu.Unlock()
				if d.Reason == "" {
					okN++
				}
				if d.Cached {
					cachedN++
				}
			}
		})
		tok := mint(t, hydraClaims(time.Now()))
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait() // all 50 are blocked: one in Key, 49 waiting for it
		close(src.gate)
		wg.Wait()
		if n := src.calls.Load(); n != 1 {
			t.Errorf("key looked up %d times, want 1", n)
		}
		if okN != 50 || cachedN != 0 {
			t.Errorf("ok=%d cached=%d", okN, cachedN)
		}
		if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil || src.calls.Load() != 2 {
			t.Errorf("after burst: %v, %d calls", err, src.calls.Load())
		}
	})
}

// TestTokenCacheLeaderCancelled: a follower whose own context is alive is
// not failed by the leader's cancelled context.
func TestTokenCacheLeaderCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		first := true
		var mu sync.Mutex
		src := &countingSource{}
		inner := defaultSource(t)
		src.set(sourceFunc(func(ctx context.Context, kid, alg string) (*jwks.Key, error) {
			mu.Lock()
			leader := first
			first = false
			mu.Unlock()
			if leader {
				<-gate
				return nil, context.Canceled
			}
			return inner.Key(ctx, kid, alg)
		}), nil)
		v := newVerifier(t, src, func(c *Config) { c.Now = nil })
		tok := mint(t, hydraClaims(time.Now()))
		leaderCtx, cancel := context.WithCancel(context.Background())
		leaderErr, followerErr := make(chan error, 1), make(chan error, 1)
		go func() { _, err := v.Verify(leaderCtx, tok, ScopeRule{}); leaderErr <- err }()
		synctest.Wait()
		go func() { _, err := v.Verify(context.Background(), tok, ScopeRule{}); followerErr <- err }()
		synctest.Wait()
		cancel()
		close(gate)
		if err := <-leaderErr; ReasonOf(err) != ReasonUnavailable {
			t.Errorf("leader: %v", err)
		}
		if err := <-followerErr; err != nil {
			t.Errorf("follower: %v", err)
		}
	})
}

type sourceFunc func(ctx context.Context, kid, alg string) (*jwks.Key, error)

func (f sourceFunc) Key(ctx context.Context, kid, alg string) (*jwks.Key, error) {
	return f(ctx, kid, alg)
}

// TestTokenCacheConcurrent hammers one verifier from many goroutines with
// overlapping tokens, key swaps and a small cache, for the race detector.
func TestTokenCacheConcurrent(t *testing.T) {
	src := defaultSource(t)
	k1 := testKey(t, testKID, "RS256", testkeys.RSA2048(0).Public())
	v := newVerifier(t, src, func(c *Config) { c.TokenCache.MaxEntries = 4 })
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = mint(t, with(hydraClaims(testNow), "jti", fmt.Sprint(i)))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 40 {
				if _, err := v.Verify(context.Background(), toks[(g+i)%len(toks)], ScopeRule{}); err != nil {
					t.Error(err)
					return
				}
				if g == 0 && i%10 == 0 {
					src.set(testSet(t, k1), nil) // same key, new pointer
				}
			}
		})
	}
	wg.Wait()
	if n, _ := v.cache.len(); n > 4 {
		t.Errorf("%d entries", n)
	}
}

// TestTokenCacheFollowerGivesUp: a request waiting for another's
// verification of the same token stops waiting when its own ctx ends.
func TestTokenCacheFollowerGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := gateSource{countingSource: defaultSource(t), gate: make(chan struct{})}
		v := newVerifier(t, src, func(c *Config) { c.Now = nil })
		tok := mint(t, hydraClaims(time.Now()))
		leaderErr := make(chan error, 1)
		go func() { _, err := v.Verify(context.Background(), tok, ScopeRule{}); leaderErr <- err }()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := v.Verify(ctx, tok, ScopeRule{})
		if ReasonOf(err) != ReasonUnavailable || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("follower: %v after %v", err, time.Since(start))
		}
		close(src.gate)
		if err := <-leaderErr; err != nil {
			t.Errorf("leader: %v", err)
		}
	})
}

// TestTokenCacheNoEarlyEviction: entries that share a chain (here a
// one-chain table) are all kept until MaxEntries is reached, and every one
// of them is found.
func TestTokenCacheNoEarlyEviction(t *testing.T) {
	tc := newTokenCache(TokenCacheConfig{MaxEntries: 1}) // one chain
	tc.maxEntries = 64                                   // so only the bound limits
	if len(tc.table) != 1 {
		t.Fatalf("%d chains", len(tc.table))
	}
	key := testKey(t, testKID, "RS256", testkeys.RSA2048(0).Public())
	toks := make([]string, tc.maxEntries+2)
	for i := range toks {
		toks[i] = fmt.Sprintf("token-%02d", i)
		tc.add(toks[i], &Claims{}, key, nil)
	}
	if n, _ := tc.len(); n != tc.maxEntries {
		t.Fatalf("%d entries, want %d", n, tc.maxEntries)
	}
	for i, tok := range toks {
		if got, want := tc.find(tc.hash(tok), tok) != nil, i >= 2; got != want {
			t.Errorf("token %d cached=%v, want %v", i, got, want)
		}
	}
}

// TestTokenCacheTableSize: the table has one chain per entry that can be
// live, rounded up to a power of two, so an enormous MaxEntries does not
// allocate an enormous table.
func TestTokenCacheTableSize(t *testing.T) {
	tests := []struct {
		name string
		tc   TokenCacheConfig
		want int // chains
	}{
		{"default", TokenCacheConfig{}, 16384},
		{"huge-entries", TokenCacheConfig{MaxEntries: 1 << 40}, DefaultTokenCacheBytes / entryOverhead},
		{"small-bytes", TokenCacheConfig{MaxEntries: 1 << 20, MaxBytes: 64 << 10}, 128},
		{"one", TokenCacheConfig{MaxEntries: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := len(newTokenCache(tt.tc).table); n != tt.want {
				t.Errorf("%d chains, want %d", n, tt.want)
			}
		})
	}
}

// TestTokenCacheOwnsTokenMemory: the cache keeps its own copy of a token,
// not the caller's string. Transports pass a substring of a request string
// (an HTTP/2 Authorization value with trailing whitespace, the query
// string, the Cookie header) that a client can pad up to the header limit:
// holding the substring would pin that whole string, far beyond the bytes
// MaxBytes accounts for.
func TestTokenCacheOwnsTokenMemory(t *testing.T) {
	v := newVerifier(t, defaultSource(t), nil)
	tok := mint(t, hydraClaims(testNow))
	header := "Bearer " + tok + strings.Repeat(" ", 1<<20)
	sub := header[len("Bearer ") : len("Bearer ")+len(tok)]
	if _, err := v.Verify(context.Background(), sub, ScopeRule{}); err != nil {
		t.Fatal(err)
	}
	ent := v.cache.find(v.cache.hash(tok), tok)
	if ent == nil {
		t.Fatal("token not cached")
	}
	if unsafe.StringData(ent.token) == unsafe.StringData(sub) {
		t.Fatal("the cache entry shares the caller's string (and pins its 1 MiB backing array)")
	}
}
