package verify

import (
	"container/list"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jwtguard/jwtguard/jwks"
)

// lruModel is a textbook LRU cache of token names, the yardstick for the
// token cache's eviction policy.
type lruModel struct {
	max   int
	order *list.List // front: most recent
	at    map[string]*list.Element
}

func (m *lruModel) access(tok string) (hit bool) {
	if el, ok := m.at[tok]; ok {
		m.order.MoveToFront(el)
		return true
	}
	if m.order.Len() >= m.max {
		delete(m.at, m.order.Remove(m.order.Back()).(string))
	}
	m.at[tok] = m.order.PushFront(tok)
	return false
}

// fifoModel is first-in first-out eviction, for comparison.
type fifoModel struct {
	max   int
	queue []string
	at    map[string]bool
}

func (m *fifoModel) access(tok string) (hit bool) {
	if m.at[tok] {
		return true
	}
	if len(m.queue) >= m.max {
		delete(m.at, m.queue[0])
		m.queue = m.queue[1:]
	}
	m.queue = append(m.queue, tok)
	m.at[tok] = true
	return false
}

// policyRun replays a request stream through the token cache (a miss adds
// the token, as the Verifier does after verifying it) and the models, and
// returns their hit ratios.
func policyRun(capacity int, stream []string) (cache, lru, fifo float64) {
	tc := newTokenCache(TokenCacheConfig{MaxEntries: capacity})
	key, claims := &jwks.Key{}, &Claims{}
	l := &lruModel{max: capacity, order: list.New(), at: map[string]*list.Element{}}
	f := &fifoModel{max: capacity, at: map[string]bool{}}
	var hc, hl, hf int
	for _, tok := range stream {
		if tc.get(tok) != nil {
			hc++
		} else {
			tc.add(tok, claims, key, nil)
		}
		if l.access(tok) {
			hl++
		}
		if f.access(tok) {
			hf++
		}
	}
	n := float64(len(stream))
	return float64(hc) / n, float64(hl) / n, float64(hf) / n
}

// zipfStream is n requests over a universe of tokens with Zipf-distributed
// popularity (exponent s), optionally interleaved with a scan: every
// scanEvery-th request is a token seen once and never again.
func zipfStream(seed uint64, s float64, universe, n, scanEvery int) []string {
	r := rand.New(rand.NewPCG(seed, seed))
	z := rand.NewZipf(r, s, 1, uint64(universe-1))
	// Popularity must not follow insertion order, so rank i maps to a
	// shuffled token name.
	perm := r.Perm(universe)
	names := make([]string, universe)
	for i := range names {
		names[i] = fmt.Sprintf("token-%08d", perm[i])
	}
	out := make([]string, n)
	for i := range out {
		if scanEvery > 0 && i%scanEvery == 0 {
			out[i] = fmt.Sprintf("scan-%08d", i)
			continue
		}
		out[i] = names[z.Uint64()]
	}
	return out
}

// TestTokenCacheZipf holds the eviction policy to at least LRU's hit ratio
// (within a tolerance) on skewed traffic with a deterministic seed, with
// and without a scan of one-off tokens mixed in.
func TestTokenCacheZipf(t *testing.T) {
	const tolerance = 0.005
	tests := []struct {
		name      string
		s         float64
		scanEvery int
	}{
		{"zipf-1.01", 1.01, 0},
		{"zipf-1.2", 1.2, 0},
		{"zipf-1.01-scan", 1.01, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream := zipfStream(1, tt.s, 100000, 200000, tt.scanEvery)
			cache, lru, fifo := policyRun(2000, stream)
			t.Logf("hit ratio: cache %.4f, LRU %.4f, FIFO %.4f", cache, lru, fifo)
			if cache < lru-tolerance {
				t.Errorf("hit ratio %.4f below LRU's %.4f", cache, lru)
			}
		})
	}
}

// BenchmarkTokenCachePolicy reports the hit ratios of TestTokenCacheZipf's
// first workload for the cache and both models.
func BenchmarkTokenCachePolicy(b *testing.B) {
	stream := zipfStream(1, 1.01, 100000, 200000, 0)
	var cache, lru, fifo float64
	for b.Loop() {
		cache, lru, fifo = policyRun(2000, stream)
	}
	b.ReportMetric(cache, "hit-ratio")
	b.ReportMetric(lru, "lru-hit-ratio")
	b.ReportMetric(fifo, "fifo-hit-ratio")
}

// TestTokenCacheSieve: a full cache evicts the first entry not hit since
// the hand last passed it, the hand moving from older to newer entries and
// wrapping to the oldest; a hit entry survives one pass and loses its mark.
func TestTokenCacheSieve(t *testing.T) {
	tc := newTokenCache(TokenCacheConfig{MaxEntries: 3})
	key, claims := &jwks.Key{}, &Claims{}
	add := func(toks ...string) {
		for _, tok := range toks {
			tc.add(tok, claims, key, nil)
		}
	}
	cached := func() (out []string) {
		for _, tok := range []string{"a", "b", "c", "d", "e", "f"} {
			if tc.find(tc.hash(tok), tok) != nil {
				out = append(out, tok)
			}
		}
		return out
	}
	add("a", "b", "c")
	tc.get("a")
	add("d") // the hand passes a (clearing its mark) and evicts b
	add("e") // the hand goes on towards newer entries: c
	add("f") // then d, never hit
	if got, want := fmt.Sprint(cached()), "[a e f]"; got != want {
		t.Errorf("cached %s, want %s", got, want)
	}
	tc.get("f")
	add("b") // e, never hit
	add("c") // the hand passes f (clearing its mark) and evicts b, never hit
	if got, want := fmt.Sprint(cached()), "[a c f]"; got != want {
		t.Errorf("cached %s, want %s", got, want)
	}
}
