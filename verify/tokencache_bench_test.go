package verify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/interleave"
	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// BenchmarkWarmOccupancy is a token-cache hit through Verify, with the real
// clock, while 1, 1 000 or 10 000 tokens are cached. The three verifiers
// are measured alternately in batches of warmBatch hits and the median
// batch is reported per occupancy (ns/hit@N), with the spread between the
// 10th and 90th percentile batches relative to the median
// (spread@N): on a shared machine this compares the occupancies under the
// same load. "same" asks for one token every time: the cost of the
// table itself. "rotating" asks for the next cached token in a shuffled
// order, so with many entries the entry, its claims and both copies of
// the token come from main memory: what a server with that many live
// clients pays on top. The extra tokens share the real token's claims
// (copied per entry) and differ in their last signature characters; a hit
// compares strings only, so they need no signature of their own.
func BenchmarkWarmOccupancy(b *testing.B) {
	priv := testkeys.RSA2048(0)
	src := testSet(b, testKey(b, testKID, "RS256", priv.Public()))
	claims := with(hydraClaims(time.Now()), "sub", "4c42b5ebd4a7c3e2f1b0a9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8")
	tok := mintRaw(b, priv, "RS256", mustJSON(b, hydraHeader(testKID)), mustJSON(b, claims))
	need := ScopeRule{AllOf: []string{testScope1}}
	ctx := context.Background()
	occupancies := []int{1, 1000, 10000}
	vs := make([]*Verifier, len(occupancies))
	toks := make([][]string, len(occupancies))
	for i, n := range occupancies {
		vs[i] = newVerifier(b, src, func(c *Config) { c.Now = nil })
		toks[i] = occupy(b, vs[i], tok, n)
	}
	for _, rotate := range []bool{false, true} {
		name := "same"
		if rotate {
			name = "rotating"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			samples := make([][]float64, len(occupancies))
			next := make([]int, len(occupancies))
			for b.Loop() {
				for i, v := range vs {
					samples[i] = append(samples[i], interleave.Time(warmBatch, func() {
						t := tok
						if rotate {
							t = toks[i][next[i]]
							next[i] = (next[i] + 1) % len(toks[i])
						}
						if _, err := v.Verify(ctx, t, need); err != nil {
							b.Fatal(err)
						}
					}))
				}
			}
			for i, n := range occupancies {
				med, spread := interleave.MedianSpread(samples[i])
				b.ReportMetric(med, fmt.Sprintf("ns/hit@%d", n))
				b.ReportMetric(spread, fmt.Sprintf("spread@%d", n))
			}
		})
	}
}

// warmBatch is the number of hits timed together: long enough for the
// clock's resolution, short enough to fit between the scheduler's
// interruptions.
const warmBatch = 256

// occupy verifies tok with v and caches n-1 more tokens like it; it returns
// all n in a shuffled order.
func occupy(b *testing.B, v *Verifier, tok string, n int) []string {
	b.Helper()
	if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil {
		b.Fatal(err)
	}
	ent := v.cache.find(v.cache.hash(tok), tok)
	if ent == nil {
		b.Fatal("token not cached")
	}
	toks := []string{tok}
	for i := 1; i < n; i++ {
		t := fmt.Sprintf("%s%06x", tok[:len(tok)-6], i)
		c := *ent.claims
		v.cache.add(t, &c, ent.key, ent.src)
		toks = append(toks, t)
	}
	if got, _ := v.cache.len(); got != n {
		b.Fatalf("%d entries cached, want %d", got, n)
	}
	r := rand.New(rand.NewPCG(1, 1))
	r.Shuffle(len(toks), func(i, j int) { toks[i], toks[j] = toks[j], toks[i] })
	return toks
}
