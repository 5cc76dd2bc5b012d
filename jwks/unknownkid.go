package jwks

import (
	"context"
	"errors"
	"sync"
	"time"
)

// slowKey is Key when the current set cannot answer: nothing loaded yet
// (firstUse), past the stale window, or kid unknown. An unknown kid is
// answered from the negative cache, waits for a fetch in flight, or takes
// the unknown-kid cooldown (unknownFetch) and waits for the fetch it
// started; a kid still missing after a fresh fetch is remembered.
func (c *Cache) slowKey(ctx context.Context, kid, alg string) (*Key, error) {
	s := c.snap.Load()
	if s == nil {
		return c.firstUse(ctx, kid, alg)
	}
	if c.pastStale() {
		return nil, c.unavailable()
	}
	// kid is not empty here: kid-less misses never reach slowKey.
	if c.neg.has(kid, c.mono()) {
		c.emit(Event{Kind: EventUnknownKIDSuppressed, KID: truncKID(kid), Reason: "negative cache", Keys: s.Len()})
		return s.lookup(kid, alg)
	}
	// A fetch already in flight may bring the kid; its start predates the
	// request, so fall through to the cooldown gate if it does not.
	if f := c.inflight(); f != nil {
		if err := c.wait(ctx, f); err != nil && !errors.Is(err, ErrFetch) {
			return nil, err
		}
		if k, err, done := c.retryLookup(kid, alg); done {
			return k, err
		}
	}
	f, started := c.unknownFetch(TriggerUnknownKID)
	if started {
		c.emit(Event{Kind: EventUnknownKIDFetch, Trigger: TriggerUnknownKID, KID: truncKID(kid), Keys: s.Len()})
		return c.afterFetch(ctx, f, kid, alg)
	}
	// Within the cooldown. If another caller just won it, its fetch is in
	// flight (unknownFetch registers it together with taking the
	// cooldown): wait for it rather than fail a request it would serve.
	if f != nil {
		return c.afterFetch(ctx, f, kid, alg)
	}
	if k, err, done := c.retryLookup(kid, alg); done {
		return k, err
	}
	c.emit(Event{Kind: EventUnknownKIDSuppressed, KID: truncKID(kid), Reason: "cooldown", Keys: s.Len()})
	return c.snap.Load().lookup(kid, alg)
}

// afterFetch waits for f, then looks kid up in the fresh set and remembers
// it as missing if the fetch succeeded without it.
func (c *Cache) afterFetch(ctx context.Context, f *fetchCall, kid, alg string) (*Key, error) {
	err := c.wait(ctx, f)
	if err != nil && !errors.Is(err, ErrFetch) {
		return nil, err // ctx ended or closed
	}
	if k, lerr, done := c.retryLookup(kid, alg); done {
		return k, lerr
	}
	if err == nil {
		c.neg.add(kid, c.mono())
	}
	return c.snap.Load().lookup(kid, alg)
}

// retryLookup looks kid up in the current snapshot; done is false when it
// is still missing.
func (c *Cache) retryLookup(kid, alg string) (*Key, error, bool) {
	if c.closed.Load() {
		return nil, ErrClosed, true
	}
	if c.pastStale() {
		return nil, c.unavailable(), true
	}
	k, err := c.snap.Load().lookup(kid, alg)
	if _, miss := err.(*notFoundError); miss {
		return nil, nil, false
	}
	return k, err, true
}

// firstUse handles Key before any set was loaded.
func (c *Cache) firstUse(ctx context.Context, kid, alg string) (*Key, error) {
	f := c.inflight()
	if f == nil {
		f, _ = c.unknownFetch(TriggerFirstUse)
	}
	if f == nil {
		if c.closed.Load() {
			return nil, ErrClosed
		}
		return nil, c.unavailable()
	}
	if err := c.wait(ctx, f); err != nil && !errors.Is(err, ErrFetch) {
		return nil, err
	}
	if c.snap.Load() == nil {
		return nil, c.unavailable()
	}
	if k, err, done := c.retryLookup(kid, alg); done {
		return k, err
	}
	return c.snap.Load().lookup(kid, alg)
}

// unknownFetch is the unknown-kid gate. If the unknown-kid cooldown has
// passed, it consumes it and returns the fetch in flight or requests a new
// one, with started true. Otherwise it returns the fetch in flight, if any,
// with started false. Taking the cooldown and registering the fetch happen
// under c.mu, so a caller that finds the cooldown taken also finds the
// taker's fetch (or that fetch has already published its set). It returns
// nil, false after Close. It never waits.
func (c *Cache) unknownFetch(t Trigger) (f *fetchCall, started bool) {
	c.mu.Lock()
	if c.closed.Load() {
		c.mu.Unlock()
		return nil, false
	}
	f = c.cur
	now := c.mono()
	if last := c.lastUnknown.Load(); last != 0 && now-last < int64(c.cfg.UnknownKIDCooldown) {
		c.mu.Unlock()
		return f, false
	}
	c.lastUnknown.Store(now)
	if f == nil {
		f = &fetchCall{trigger: t, done: make(chan struct{})}
		c.cur = f
	}
	c.mu.Unlock()
	if c.testHookUnknownFetch != nil {
		c.testHookUnknownFetch()
	}
	c.kickRun()
	return f, true
}

// negCache remembers kids that were missing after a fresh fetch.
type negCache struct {
	mu   sync.Mutex
	m    map[string]int64 // kid -> expiry (mono ns)
	size int
	ttl  int64
}

func (n *negCache) init(size int, ttl time.Duration) {
	n.m = make(map[string]int64)
	n.size, n.ttl = size, int64(ttl)
}

func (n *negCache) has(kid string, now int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	exp, ok := n.m[kid]
	if ok && now >= exp {
		delete(n.m, kid)
		return false
	}
	return ok
}

func (n *negCache) add(kid string, now int64) {
	if len(kid) > negCacheMaxKID {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= n.size {
		for k, exp := range n.m {
			if now >= exp {
				delete(n.m, k)
			}
		}
		for k := range n.m { // still full: evict an arbitrary entry
			if len(n.m) < n.size {
				break
			}
			delete(n.m, k)
		}
	}
	n.m[kid] = now + n.ttl
}

func (n *negCache) len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.m)
}
