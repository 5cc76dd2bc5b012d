package verify

import (
	"context"
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

// hashTail is how many trailing token bytes pick the bucket.
const hashTail = 32

// bucketSlots is the number of entries per hash bucket.
const bucketSlots = 8

// entryOverhead approximates the memory of a cached entry besides the
// token and payload bytes: the entry, the Claims value and table slots.
const entryOverhead = 512

// tokenCache remembers accepted tokens. Reads take no lock: the table is a
// fixed array of buckets of atomic pointers to immutable entries, so the
// hit path is a hash, a few atomic loads and a full string comparison.
// Writers (misses, evictions, invalidations) serialise on mu; they happen
// at most once per new token, next to an RSA verification.
//
// An entry is found only by full-string equality with its token; the hash
// only picks the bucket, so no collision can admit another token. The
// bucket hash covers the token's last hashTail bytes — signature bytes,
// uniformly distributed for tokens an issuer signed (the only ones ever
// inserted) — so a hit hashes 32 bytes, not the whole token.

type tokenCache struct {
	seed          maphash.Seed
	buckets       []bucket
	mask          uint64
	maxTokenBytes int
	maxEntries    int
	maxBytes      int64

	mu      sync.Mutex // guards the fields below and every slot store
	fifo    []*cacheEntry
	entries int
	bytes   int64
	seq     uint64 // insertion counter: lower is older
}

type bucket [bucketSlots]atomic.Pointer[cacheEntry]

// cacheEntry is immutable once published, except dead (guarded by mu).
type cacheEntry struct {
	hash   uint64
	token  string
	claims *Claims
	key    *jwks.Key   // the key pointer that verified the token
	src    jwks.Source // the issuer's source
	size   int64
	seq    uint64
	dead   bool
}

func newTokenCache(cfg TokenCacheConfig) *tokenCache {
	tc := &tokenCache{
		seed:          maphash.MakeSeed(),
		maxTokenBytes: cfg.MaxTokenBytes,
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
	// Two slots per entry keep buckets sparse. No more entries than
	// MaxBytes/entryOverhead can ever be live, so a huge MaxEntries does
	// not size a huge table.
	live := int64(tc.maxEntries)
	if byBytes := tc.maxBytes / entryOverhead; byBytes < live {
		live = byBytes
	}
	n := int64(1)
	for n*bucketSlots < 2*live {
		n <<= 1
	}
	tc.buckets = make([]bucket, n)
	tc.mask = uint64(n - 1)
	return tc
}

func (tc *tokenCache) hash(token string) uint64 {
	return maphash.String(tc.seed, token[max(0, len(token)-hashTail):])
}

func (tc *tokenCache) find(h uint64, token string) *cacheEntry {
	b := &tc.buckets[h&tc.mask]
	for i := range b {
		if e := b[i].Load(); e != nil && e.hash == h && e.token == token {
			return e
		}
	}
	return nil
}

// lookup answers from the cache. hit is false when the token must be
// verified from scratch (absent, or its key changed). On a hit the time
// claims are checked again against now, the issuer's source must still
// return the very key that verified the token, and the source's own
// availability rules apply; scopes are the caller's business.
func (tc *tokenCache) lookup(ctx context.Context, v *Verifier, token string) (c *Claims, e *Error, hit bool) {
	h := tc.hash(token)
	ent := tc.find(h, token)
	if ent == nil {
		return nil, nil, false
	}
	c = ent.claims
	if e := v.checkTime(c, v.now()); e != nil {
		tc.remove(ent)
		e.Issuer, e.KID = c.Issuer, c.KeyID
		return nil, e, true
	}
	k, err := ent.src.Key(ctx, c.KeyID, c.Algorithm)
	if err != nil {
		if e := keyError(err); e.Reason == ReasonUnavailable {
			e.Issuer, e.KID = c.Issuer, c.KeyID
			return nil, e, true
		}
		tc.remove(ent) // the key left the set: decide from scratch
		return nil, nil, false
	}
	if k != ent.key {
		tc.remove(ent) // the key changed
		return nil, nil, false
	}
	return c, nil, true
}

// add caches an accepted token. It never blocks on readers.
func (tc *tokenCache) add(token string, c *Claims, k *jwks.Key, src jwks.Source) {
	if len(token) > tc.maxTokenBytes || k == nil {
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
		size:   int64(len(token)+len(c.raw)) + entryOverhead,
	}
	if ent.size > tc.maxBytes {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if old := tc.find(ent.hash, token); old != nil {
		tc.removeLocked(old)
	}
	for tc.entries >= tc.maxEntries || tc.bytes+ent.size > tc.maxBytes {
		if !tc.evictOldestLocked() {
			return
		}
	}
	b := &tc.buckets[ent.hash&tc.mask]
	slot := -1
	for i := range b {
		if b[i].Load() == nil {
			slot = i
			break
		}
	}
	if slot < 0 { // bucket full: evict its oldest entry
		oldest := 0
		for i := 1; i < len(b); i++ {
			if b[i].Load().seq < b[oldest].Load().seq {
				oldest = i
			}
		}
		tc.removeLocked(b[oldest].Load())
		slot = oldest
	}
	tc.seq++
	ent.seq = tc.seq
	b[slot].Store(ent)
	tc.fifo = append(tc.fifo, ent)
	tc.entries++
	tc.bytes += ent.size
}

func (tc *tokenCache) remove(ent *cacheEntry) {
	tc.mu.Lock()
	tc.removeLocked(ent)
	tc.mu.Unlock()
}

func (tc *tokenCache) removeLocked(ent *cacheEntry) {
	if ent.dead {
		return
	}
	b := &tc.buckets[ent.hash&tc.mask]
	for i := range b {
		if b[i].Load() == ent {
			b[i].Store(nil)
			break
		}
	}
	ent.dead = true
	tc.entries--
	tc.bytes -= ent.size
	// Dead entries stay in fifo until popped; compact when they dominate.
	if len(tc.fifo) > 2*tc.entries+64 {
		live := tc.fifo[:0]
		for _, e := range tc.fifo {
			if !e.dead {
				live = append(live, e)
			}
		}
		clear(tc.fifo[len(live):])
		tc.fifo = live
	}
}

func (tc *tokenCache) evictOldestLocked() bool {
	for len(tc.fifo) > 0 {
		e := tc.fifo[0]
		tc.fifo[0] = nil
		tc.fifo = tc.fifo[1:]
		if !e.dead {
			tc.removeLocked(e)
			return true
		}
	}
	return false
}

// len returns the number of cached tokens and their estimated bytes.
func (tc *tokenCache) len() (int, int64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.entries, tc.bytes
}

// flight coalesces concurrent verifications of the same token: the first
// caller (the leader) verifies, later callers wait for its result or for
// their own ctx, whichever comes first. Unlike x/sync/singleflight.Do, a
// waiter can give up when its ctx ends; unlike DoChan, it starts no
// goroutine (the Verifier owns none).
type flight struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done chan struct{}
	res  verifyResult
	ok   bool // fn returned (false if it panicked)
}

func (f *flight) do(ctx context.Context, key string, fn func() verifyResult) (res verifyResult, leader bool, err error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			if !c.ok {
				return verifyResult{e: &Error{Reason: ReasonUnavailable, Detail: "the verification in flight failed"}}, false, nil
			}
			return c.res, false, nil
		case <-ctx.Done():
			return verifyResult{}, false, ctx.Err()
		}
	}
	if f.calls == nil {
		f.calls = make(map[string]*flightCall)
	}
	c := &flightCall{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.res = fn()
	c.ok = true
	return c.res, true, nil
}
