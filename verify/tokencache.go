package verify

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jwtguard/jwtguard/jwks"
)

// Token cache defaults (TokenCacheConfig zero values).
const (
	DefaultTokenCacheEntries  = 10000
	DefaultTokenCacheBytes    = 32 << 20
	DefaultTokenCacheMaxToken = 8 << 10
)

// hashTail is how many trailing token bytes pick the chain.
const hashTail = 32

// entryOverhead approximates the memory of a cached entry besides the
// token and payload bytes: the entry, the Claims value and its table slot.
const entryOverhead = 512

// tokenCache holds accepted tokens; it is data only and decides nothing:
// the Verifier re-checks every entry it gets back (time claims, key) and
// removes the ones that no longer pass.
//
// Reads take no lock. The table is a fixed array of chain heads, each an
// atomic pointer to an immutable entry whose atomic next pointer leads to
// the following one; writers (add, remove, evict) serialise on mu and
// unlink an entry without touching its own next pointer, so a reader
// standing on it still reaches the end of the chain. A reader racing a
// writer may miss an entry (the caller then verifies from scratch) or
// return one that was just removed (still a token that passed every
// check, and re-checked by the Verifier); it never returns an entry for
// another token. The table has one chain per allowed entry, rounded up to
// a power of two, so chains stay about one entry long at any occupancy and
// nothing is evicted before the cache is full.
//
// An entry is found only by full-string equality with its token; the hash
// only picks the chain, so no collision can admit another token. The hash
// covers the token's last hashTail bytes — signature bytes, uniformly
// distributed for tokens an issuer signed (the only ones ever inserted) —
// so a hit hashes 32 bytes, not the whole token.
//
// Eviction is SIEVE (Zhang et al., NSDI 2024): a hit sets the entry's
// visited bit (one atomic load, and a store only the first time); when
// full, a hand walks from older entries towards newer ones, starting where
// it last stopped and wrapping from the newest to the oldest, clears the
// visited bits it passes and evicts the first unvisited entry it finds. It keeps
// popular tokens like LRU does, without reordering anything on a hit, and
// a burst of one-off tokens (a scan) is evicted before tokens in use
// (TestTokenCacheZipf compares it with LRU).
type tokenCache struct {
	seed          maphash.Seed
	table         []atomic.Pointer[cacheEntry] // chain heads
	mask          uint64
	maxTokenBytes int
	maxEntries    int
	maxBytes      int64

	mu      sync.Mutex // guards the fields below, every table and next store
	newest  *cacheEntry
	oldest  *cacheEntry
	hand    *cacheEntry // next eviction candidate; nil means oldest
	entries int
	bytes   int64
}

// cacheEntry is immutable once published, except for visited (set by
// readers) and the fields marked as guarded by tokenCache.mu.
type cacheEntry struct {
	hash    uint64
	token   string
	claims  *Claims
	key     *jwks.Key   // the key pointer that verified the token
	src     jwks.Source // the issuer's source
	next    atomic.Pointer[cacheEntry]
	visited atomic.Bool
	dead    bool // guarded by tokenCache.mu, like the fields below

	newer, older *cacheEntry // insertion order
	size         int64
}

func newTokenCache(cfg TokenCacheConfig) *tokenCache {
	tc := &tokenCache{
		seed:          maphash.MakeSeed(),
		maxTokenBytes: cfg.MaxCachedTokenBytes,
		maxEntries:    cfg.MaxEntries,
		maxBytes:      cfg.MaxBytes,
	}
	if tc.maxTokenBytes == 0 {
		tc.maxTokenBytes = DefaultTokenCacheMaxToken
	}
	if tc.maxEntries == 0 {
		tc.maxEntries = DefaultTokenCacheEntries
	}
	if tc.maxBytes == 0 {
		tc.maxBytes = DefaultTokenCacheBytes
	}
	// No more entries than MaxBytes/entryOverhead can ever be live, so a
	// huge MaxEntries does not size a huge table.
	live := min(int64(tc.maxEntries), tc.maxBytes/entryOverhead)
	n := int64(1)
	for n < live {
		n <<= 1
	}
	tc.table = make([]atomic.Pointer[cacheEntry], n)
	tc.mask = uint64(n - 1)
	return tc
}

func (tc *tokenCache) hash(token string) uint64 {
	return maphash.String(tc.seed, token[max(0, len(token)-hashTail):])
}

// find returns the entry for token, or nil.
func (tc *tokenCache) find(h uint64, token string) *cacheEntry {
	for e := tc.table[h&tc.mask].Load(); e != nil; e = e.next.Load() {
		if e.hash == h && e.token == token {
			return e
		}
	}
	return nil
}

// get is find for a use of the entry: it marks the entry visited, so that
// eviction passes over it once. It takes no lock and allocates nothing.
func (tc *tokenCache) get(token string) *cacheEntry {
	e := tc.find(tc.hash(token), token)
	if e != nil && !e.visited.Load() { // no store, and no cache-line write, once set
		e.visited.Store(true)
	}
	return e
}

// add caches an accepted token, evicting as needed. It never blocks on
// readers. Tokens longer than the cache's MaxCachedTokenBytes and entries larger
// than MaxBytes are not cached.
func (tc *tokenCache) add(token string, c *Claims, k *jwks.Key, src jwks.Source) {
	if len(token) > tc.maxTokenBytes || k == nil {
		return
	}
	size := int64(len(token)+len(c.raw)) + entryOverhead
	if size > tc.maxBytes {
		return
	}
	ent := &cacheEntry{
		hash: tc.hash(token),
		// A copy: token is usually a substring of a larger request string
		// (an HTTP/2 Authorization value with trailing whitespace, the
		// query string, the Cookie header) that the client can pad to the
		// header limit; keeping the substring would pin all of it, beyond
		// what MaxBytes accounts for.
		token:  strings.Clone(token),
		claims: c,
		key:    k,
		src:    src,
		size:   size,
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if old := tc.find(ent.hash, token); old != nil {
		tc.removeLocked(old)
	}
	for tc.entries >= tc.maxEntries || tc.bytes+size > tc.maxBytes {
		if !tc.evictLocked() {
			return
		}
	}
	head := &tc.table[ent.hash&tc.mask]
	ent.next.Store(head.Load())
	head.Store(ent) // publishes ent: every field above is set
	ent.older = tc.newest
	if tc.newest != nil {
		tc.newest.newer = ent
	} else {
		tc.oldest = ent
	}
	tc.newest = ent
	tc.entries++
	tc.bytes += size
}

// remove drops ent unless it is already gone.
func (tc *tokenCache) remove(ent *cacheEntry) {
	tc.mu.Lock()
	tc.removeLocked(ent)
	tc.mu.Unlock()
}

func (tc *tokenCache) removeLocked(ent *cacheEntry) {
	if ent.dead {
		return
	}
	ent.dead = true
	// Unlink from the chain; ent.next stays, for readers standing on ent.
	link := &tc.table[ent.hash&tc.mask]
	for e := link.Load(); e != nil; e = e.next.Load() {
		if e == ent {
			link.Store(ent.next.Load())
			break
		}
		link = &e.next
	}
	if tc.hand == ent {
		tc.hand = ent.newer
	}
	if ent.newer != nil {
		ent.newer.older = ent.older
	} else {
		tc.newest = ent.older
	}
	if ent.older != nil {
		ent.older.newer = ent.newer
	} else {
		tc.oldest = ent.newer
	}
	ent.newer, ent.older = nil, nil
	tc.entries--
	tc.bytes -= ent.size
}

// evictLocked removes one entry by SIEVE and reports whether there was one.
func (tc *tokenCache) evictLocked() bool {
	e := tc.hand
	// Readers may set visited bits while the hand moves; after a full lap
	// plus one the hand evicts whatever it stands on, so a flood of hits
	// cannot stall a writer.
	for n := tc.entries + 1; e == nil || (n > 0 && e.visited.Load()); n-- {
		if e == nil {
			if e = tc.oldest; e == nil {
				return false
			}
			continue
		}
		e.visited.Store(false)
		e = e.newer
	}
	tc.hand = e
	tc.removeLocked(e) // moves the hand to e.newer
	return true
}

// len returns the number of cached tokens and their estimated bytes.
func (tc *tokenCache) len() (int, int64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.entries, tc.bytes
}
