package verify

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/jwks"
)

// TestTokenCacheReadersDuringWrites runs lock-free readers against writers
// that add, evict and remove entries sharing one chain, for the race
// detector: a reader may miss, but whatever it finds is the entry for the
// very token it asked about.
func TestTokenCacheReadersDuringWrites(t *testing.T) {
	tc := newTokenCache(TokenCacheConfig{MaxEntries: 1}) // one chain
	tc.maxEntries = 6                                    // evictions and chain edits
	key := &jwks.Key{}
	toks := make([]string, 12)
	claims := make(map[string]*Claims, len(toks))
	for i := range toks {
		toks[i] = fmt.Sprintf("token-%02d", i)
		claims[toks[i]] = &Claims{ID: toks[i]}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				tok := toks[(g*7+i)%len(toks)]
				switch e := tc.get(tok); {
				case e == nil && g%2 == 0:
					tc.add(tok, claims[tok], key, nil)
				case e == nil:
				case e.token != tok || e.claims != claims[tok]:
					t.Errorf("asked for %q, got the entry of %q", tok, e.token)
					return
				case i%5 == 0:
					tc.remove(e)
				}
			}
		})
	}
	wg.Wait()
	n, _ := tc.len()
	queued := 0
	for e := tc.oldest; e != nil; e = e.newer {
		queued++
	}
	found := 0
	for _, tok := range toks {
		if tc.find(tc.hash(tok), tok) != nil {
			found++
		}
	}
	if n > tc.maxEntries || found != n || queued != n {
		t.Errorf("%d entries counted, %d found, %d queued, bound %d", n, found, queued, tc.maxEntries)
	}
}
