package bench

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/interleave"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// Scale figures: how one Verifier behaves with many distinct tokens and
// many issuers. run.sh raises the sizes; CI runs them small.
var (
	scaleOut    = flag.String("scale.out", "", "append the scale figures as JSON lines to this file")
	scaleTokens = flag.Int("scale.tokens", 3000, "distinct tokens sent through one Verifier")
	scaleZipf   = flag.Int("scale.zipf", 20000, "requests in the Zipf-skewed stream of repeats")
)

// scaleResult is one scale figure set, as run.sh's report reads it.
type scaleResult struct {
	Name    string             `json:"name"`
	Metrics map[string]float64 `json:"metrics"`
}

func writeScale(b *testing.B, r scaleResult) {
	for k, v := range r.Metrics {
		b.ReportMetric(v, k)
	}
	if *scaleOut == "" {
		return
	}
	interleaveMu.Lock()
	defer interleaveMu.Unlock()
	f, err := os.OpenFile(*scaleOut, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := json.NewEncoder(f).Encode(r); err != nil {
		b.Fatal(err)
	}
}

// edTokens signs distinct EdDSA tokens on demand: Ed25519 signing is fast
// and deterministic, so token i is rebuilt instead of kept (a million
// tokens would otherwise hold hundreds of MB outside the Verifier).
type edTokens struct {
	priv ed25519.PrivateKey
	kid  string
	now  time.Time
}

func (e edTokens) token(i int) string {
	h := b64.EncodeToString([]byte(`{"alg":"EdDSA","kid":"` + e.kid + `","typ":"JWT"}`))
	p := b64.EncodeToString([]byte(accessClaims(e.now, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))))
	input := h + "." + p
	return input + "." + b64.EncodeToString(ed25519.Sign(e.priv, []byte(input)))
}

func edVerifier(b *testing.B, e edTokens, cfg verify.Config, issuers ...string) *verify.Verifier {
	k, err := jwks.NewKey(e.kid, "EdDSA", "sig", e.priv.Public())
	if err != nil {
		b.Fatal(err)
	}
	set, err := jwks.NewSet(k)
	if err != nil {
		b.Fatal(err)
	}
	if len(issuers) == 0 {
		issuers = []string{issuer}
	}
	for _, name := range issuers {
		cfg.Issuers = append(cfg.Issuers, verify.Issuer{Name: name, Keys: set})
	}
	cfg.Audiences = []string{audience}
	cfg.Algorithms = []string{"EdDSA"}
	v, err := verify.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// BenchmarkScaleDistinctTokens sends -scale.tokens distinct valid tokens
// through one Verifier with its default token cache, then a Zipf-skewed
// stream of repeats. It reports the live heap after 10 %, 50 % and 100 %
// of the tokens (flat once the cache is full: its bounds hold), and the
// hit ratio on the Zipf stream beside what an exact LRU of the same
// capacity would get on the same stream. Run with -benchtime=1x.
func BenchmarkScaleDistinctTokens(b *testing.B) {
	n := *scaleTokens
	e := edTokens{priv: testkeys.Ed25519(), kid: "ed-1", now: env.now}
	const capacity = 10000 // verify's default MaxEntries
	for b.Loop() {
		var hits int
		v := edVerifier(b, e, verify.Config{OnDecision: func(d verify.Decision) {
			if d.Cached {
				hits++
			}
		}})
		ctx := context.Background()
		base := heapMB()
		m := map[string]float64{}
		start := time.Now()
		for i := range n {
			if _, err := v.Verify(ctx, e.token(i), verify.ScopeRule{}); err != nil {
				b.Fatal(err)
			}
			switch i + 1 {
			case n / 10:
				m["heap-MB-10pct"] = heapMB() - base
			case n / 2:
				m["heap-MB-50pct"] = heapMB() - base
			}
		}
		m["heap-MB-100pct"] = heapMB() - base
		m["fill-us/token"] = float64(time.Since(start).Microseconds()) / float64(n)
		// Zipf stream over all n tokens.
		rng := rand.New(rand.NewPCG(7, 11))
		z := rand.NewZipf(rng, 1.1, 1, uint64(n-1))
		lru := newLRU(capacity)
		hits = 0
		reqs := *scaleZipf
		lruHits := 0
		for range reqs {
			i := int(z.Uint64())
			if lru.touch(i) {
				lruHits++
			}
			if _, err := v.Verify(ctx, e.token(i), verify.ScopeRule{}); err != nil {
				b.Fatal(err)
			}
		}
		m["zipf-hit-ratio"] = float64(hits) / float64(reqs)
		m["zipf-lru-hit-ratio"] = float64(lruHits) / float64(reqs)
		m["tokens"] = float64(n)
		writeScale(b, scaleResult{Name: "distinct-tokens", Metrics: m})
	}
}

// lru is an exact LRU model over token indices, the yardstick for the
// cache's eviction policy. It starts cold, like the Zipf stream's view of
// the cache after the fill (which holds none of the hot tokens: the fill
// ends with the highest indices).
type lru struct {
	cap        int
	prev, next map[int]int
	head, tail int // sentinel -1 when empty
	size       int
}

func newLRU(capacity int) *lru {
	return &lru{cap: capacity, prev: map[int]int{}, next: map[int]int{}, head: -1, tail: -1}
}

// touch reports whether i was present, and makes it the most recent.
func (l *lru) touch(i int) bool {
	_, hit := l.next[i]
	if hit {
		l.unlink(i)
	} else if l.size == l.cap {
		old := l.tail
		l.unlink(old)
		delete(l.next, old)
		delete(l.prev, old)
	} else {
		l.size++
	}
	l.next[i], l.prev[i] = l.head, -1
	if l.head >= 0 {
		l.prev[l.head] = i
	}
	l.head = i
	if l.tail < 0 {
		l.tail = i
	}
	return hit
}

func (l *lru) unlink(i int) {
	p, n := l.prev[i], l.next[i]
	if p >= 0 {
		l.next[p] = n
	} else {
		l.head = n
	}
	if n >= 0 {
		l.prev[n] = p
	} else {
		l.tail = p
	}
}

func TestLRUModel(t *testing.T) {
	l := newLRU(2)
	steps := []struct {
		i   int
		hit bool
	}{{1, false}, {2, false}, {1, true}, {3, false}, {2, false}, {1, false}, {3, false}, {1, true}}
	for n, s := range steps {
		if got := l.touch(s.i); got != s.hit {
			t.Fatalf("step %d touch(%d) = %v, want %v", n, s.i, got, s.hit)
		}
	}
}

// BenchmarkScaleIssuers: a cold verification (token cache off) by a
// Verifier configured with 100 issuers, for a token of the last one,
// interleaved with a Verifier configured with that issuer alone.
func BenchmarkScaleIssuers(b *testing.B) {
	e := edTokens{priv: testkeys.Ed25519(), kid: "ed-1", now: env.now}
	names := make([]string, 100)
	for i := range names {
		names[i] = fmt.Sprintf("https://tenant-%03d.example/", i)
	}
	names[99] = issuer // the token's iss
	off := verify.Config{TokenCache: verify.TokenCacheConfig{Disable: true}}
	one := edVerifier(b, e, off)
	hundred := edVerifier(b, e, off, names...)
	tok := e.token(0)
	ctx := context.Background()
	vop := func(v *verify.Verifier) func() error {
		return func() error { _, err := v.Verify(ctx, tok, verify.ScopeRule{}); return err }
	}
	for b.Loop() {
		interleaveTable(b, "issuers", []interleave.Contender{
			{Name: "1-issuer", Run: vop(one)},
			{Name: "100-issuers", Note: "token of the 100th configured issuer", Run: vop(hundred)},
		})
	}
}

// BenchmarkParseJWKS1000: jwks.ParseSet of a 1 000-key RSA-2048 set (the
// test pool's moduli under distinct kids), time and memory per parse.
func BenchmarkParseJWKS1000(b *testing.B) {
	var fs []*fixture
	for i := range 1000 {
		k := testkeys.RSA2048(i % testkeys.RSA2048Count)
		fs = append(fs, &fixture{kid: fmt.Sprintf("public:%04d", i), pub: &k.PublicKey})
	}
	doc := jwksJSON(fs...)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		set, skipped, err := jwks.ParseSet(doc)
		if err != nil || len(skipped) != 0 || set == nil {
			b.Fatalf("ParseSet: %v, %d skipped", err, len(skipped))
		}
	}
}
