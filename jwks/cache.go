package jwks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Cache is a background-refreshing cache of one issuer's JWK Set. It
// implements [Source]. A Cache is safe for concurrent use; create it with
// [New] and stop it with [Cache.Close].
//
// Lookups read an immutable [Set] snapshot that refreshes swap atomically;
// a hit takes no lock and allocates nothing. One goroutine owned by the
// Cache performs every fetch (timer, retry, unknown kid, manual Refresh),
// so concurrent triggers coalesce into a single in-flight fetch.
type Cache struct {
	cfg       Config
	client    *http.Client
	ownClient bool
	epoch     time.Time // monotonic base for the atomics below

	snap        atomic.Pointer[Set]
	staleAt     atomic.Int64 // mono time at which the set stops being served; 0 = fresh
	lastUnknown atomic.Int64 // mono time of the last unknown-kid-triggered fetch; 0 = never
	closed      atomic.Bool
	neg         negCache

	// testHookUnknownFetch, if set, runs right after a Key call has taken
	// the unknown-kid cooldown, before it wakes the background goroutine.
	testHookUnknownFetch func()

	kick      chan struct{}
	done      chan struct{} // closed when run returns
	cancel    context.CancelFunc
	closeOnce sync.Once

	// Owned by whoever runs fetches (New before run starts, then run).
	jwksURL string
	etag    string

	mu           sync.Mutex // guards the fields below
	cur          *flight    // fetch requested or in progress
	lastSuccess  time.Time
	lastAttempt  time.Time
	lastErr      error
	failures     int
	firstFailure time.Time
	next         time.Time
}

// flight is one fetch that any number of callers may wait for.
type flight struct {
	trigger Trigger
	done    chan struct{}
	err     error
}

// New validates cfg and starts a Cache. Unless cfg.LazyStart is set, it
// fetches the key set first, bounded by ctx, and returns an error if that
// fails (see [Config.LazyStart] for why). ctx is not used after New
// returns; the background goroutine lives until [Cache.Close].
func New(ctx context.Context, cfg Config) (*Cache, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	client, err := cfg.newHTTPClient()
	if err != nil {
		return nil, err
	}
	c := &Cache{
		cfg:    cfg,
		client: client,
		epoch:  time.Now(),
		kick:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	c.neg.init(negCacheSize, negCacheTTL)
	c.ownClient = cfg.HTTPClient == nil // a caller's transport is the caller's to close
	c.jwksURL = cfg.URL
	if cfg.LazyStart {
		c.cur = &flight{trigger: TriggerInitial, done: make(chan struct{})}
		c.kick <- struct{}{}
	} else {
		f := &flight{trigger: TriggerInitial, done: make(chan struct{})}
		c.execute(ctx, f)
		if f.err != nil {
			if c.ownClient {
				c.client.CloseIdleConnections()
			}
			return nil, fmt.Errorf("jwks: initial fetch: %w", f.err)
		}
	}
	life, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.run(life)
	return c, nil
}

// Close stops the background goroutine, waits for it (and for a fetch in
// progress) to end, and releases idle connections of the Cache's own HTTP
// client. Waiters on a fetch get [ErrClosed]. Close is idempotent and
// always returns nil; Key and Refresh return [ErrClosed] afterwards.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed.Store(true)
		c.mu.Unlock()
		c.cancel()
		<-c.done
		if c.ownClient {
			c.client.CloseIdleConnections()
		}
	})
	return nil
}

// Key implements [Source]. A kid found in the current set is returned
// without locks or allocation. An unknown kid triggers at most one refresh
// per [Config.UnknownKIDCooldown] (joining a fetch already in flight if
// there is one) and is remembered for a minute if still missing after a
// fresh fetch; otherwise the call fails at once with [ErrKeyNotFound]. A
// token without kid never triggers a refresh. ctx bounds only the wait for
// an in-flight fetch.
func (c *Cache) Key(ctx context.Context, kid, alg string) (*Key, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	s := c.snap.Load()
	if s != nil && !c.pastStale() {
		k, err := s.lookup(kid, alg)
		if _, miss := err.(*notFoundError); !miss {
			return k, err
		}
	}
	return c.slowKey(ctx, kid, alg)
}

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
func (c *Cache) afterFetch(ctx context.Context, f *flight, kid, alg string) (*Key, error) {
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

func (c *Cache) unavailable() error {
	c.mu.Lock()
	last := c.lastErr
	loaded := c.snap.Load() != nil
	c.mu.Unlock()
	why := "no key set loaded yet"
	if loaded {
		why = fmt.Sprintf("refreshes have failed for longer than the stale window (%v)", c.cfg.StaleWindow)
	}
	if last != nil {
		return fmt.Errorf("%w: %s; last error: %v", ErrUnavailable, why, last)
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, why)
}

// Refresh fetches the key set now, or joins a fetch already in flight, and
// waits for it until ctx ends. It returns the fetch's error (wrapping
// [ErrFetch]), ctx's error, or [ErrClosed].
func (c *Cache) Refresh(ctx context.Context) error {
	f := c.join(TriggerManual)
	if f == nil {
		return ErrClosed
	}
	return c.wait(ctx, f)
}

// Status reports the cache's health.
func (c *Cache) Status() Status {
	c.mu.Lock()
	st := Status{
		LastSuccess:         c.lastSuccess,
		LastAttempt:         c.lastAttempt,
		LastError:           c.lastErr,
		ConsecutiveFailures: c.failures,
		NextRefresh:         c.next,
	}
	c.mu.Unlock()
	if s := c.snap.Load(); s != nil {
		st.Loaded = true
		st.Keys = s.Len()
		for _, k := range s.keys {
			if k.kid != "" {
				st.KIDs = append(st.KIDs, k.kid)
			}
		}
		past := c.pastStale()
		st.Stale = c.staleAt.Load() != 0 && !past
		st.Available = !past && !c.closed.Load()
	}
	return st
}

// mono returns the monotonic time since epoch in nanoseconds, never 0.
func (c *Cache) mono() int64 { return int64(time.Since(c.epoch)) + 1 }

func (c *Cache) pastStale() bool {
	d := c.staleAt.Load()
	return d != 0 && c.mono() >= d
}

// unknownFetch is the unknown-kid gate. If the unknown-kid cooldown has
// passed, it consumes it and returns the fetch in flight or requests a new
// one, with started true. Otherwise it returns the fetch in flight, if any,
// with started false. Taking the cooldown and registering the fetch happen
// under c.mu, so a caller that finds the cooldown taken also finds the
// taker's fetch (or that fetch has already published its set). It returns
// nil, false after Close. It never waits.
func (c *Cache) unknownFetch(t Trigger) (f *flight, started bool) {
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
		f = &flight{trigger: t, done: make(chan struct{})}
		c.cur = f
	}
	c.mu.Unlock()
	if c.testHookUnknownFetch != nil {
		c.testHookUnknownFetch()
	}
	c.kickRun()
	return f, true
}

func (c *Cache) inflight() *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// join returns the fetch in flight or requests a new one from the
// background goroutine. It returns nil after Close.
func (c *Cache) join(t Trigger) *flight {
	c.mu.Lock()
	if c.closed.Load() {
		c.mu.Unlock()
		return nil
	}
	f := c.cur
	if f == nil {
		f = &flight{trigger: t, done: make(chan struct{})}
		c.cur = f
	}
	c.mu.Unlock()
	c.kickRun()
	return f
}

// kickRun wakes the background goroutine to run c.cur.
func (c *Cache) kickRun() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *Cache) wait(ctx context.Context, f *flight) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return fmt.Errorf("jwks: waiting for key refresh: %w", ctx.Err())
	}
}

// run is the Cache's only goroutine: it performs every fetch.
func (c *Cache) run(ctx context.Context) {
	defer close(c.done)
	timer := time.NewTimer(c.untilNext())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			c.mu.Lock()
			f := c.cur
			c.cur = nil
			c.mu.Unlock()
			if f != nil {
				f.err = ErrClosed
				close(f.done)
			}
			return
		case <-timer.C:
			c.mu.Lock()
			t := TriggerTimer
			if c.failures > 0 {
				t = TriggerRetry
			}
			c.mu.Unlock()
			c.join(t)
		case <-c.kick:
		}
		if f := c.inflight(); f != nil {
			c.execute(ctx, f)
		}
		timer.Reset(c.untilNext())
	}
}

func (c *Cache) untilNext() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(0, time.Until(c.next))
}

// execute runs fetch f, publishes the outcome and releases its waiters.
func (c *Cache) execute(ctx context.Context, f *flight) {
	start := time.Now()
	res := c.fetch(ctx)
	end := time.Now()
	if ctx.Err() != nil && res.err != nil && c.closed.Load() {
		res.err = ErrClosed
	}

	old := c.snap.Load()
	keys := 0
	if res.err == nil && res.set != nil {
		c.snap.Store(res.set)
		keys = res.set.Len()
	} else if old != nil {
		keys = old.Len()
	}

	c.mu.Lock()
	c.lastAttempt = start
	if res.err == nil {
		c.lastSuccess, c.lastErr, c.failures = end, nil, 0
		c.staleAt.Store(0)
		c.next = end.Add(c.refreshDelay(res.header, end))
	} else if !errors.Is(res.err, ErrClosed) {
		if c.failures == 0 {
			c.firstFailure = start
			if old != nil {
				c.staleAt.Store(int64(start.Add(c.cfg.StaleWindow).Sub(c.epoch)) + 1)
			}
		}
		c.failures++
		c.lastErr = res.err
		c.next = end.Add(backoff(c.failures, c.cfg.MaxRefreshInterval))
	}
	if c.cur == f {
		c.cur = nil
	}
	c.mu.Unlock()

	if !errors.Is(res.err, ErrClosed) {
		for _, sk := range res.skipped {
			c.emit(Event{Kind: EventKeySkipped, Trigger: f.trigger, KID: truncKID(sk.KID), Err: sk.Err, Keys: keys})
		}
		kind := EventRefreshed
		if res.err != nil {
			kind = EventRefreshFailed
		}
		c.emit(Event{Kind: kind, Trigger: f.trigger, Duration: end.Sub(start), StatusCode: res.status,
			NotModified: res.notModified, Keys: keys, Err: res.err})
	}
	f.err = res.err
	close(f.done)
}

// refreshDelay picks the next timer refresh after a success: max-age, else
// Expires, else RefreshInterval; jittered by ±10 % and clamped to
// [MinRefreshInterval, MaxRefreshInterval].
func (c *Cache) refreshDelay(h http.Header, now time.Time) time.Duration {
	d, ok := cacheLifetime(h, now)
	if !ok {
		d = c.cfg.RefreshInterval
	}
	return jitterWithin(d, c.cfg.MinRefreshInterval, c.cfg.MaxRefreshInterval)
}

// jitterWithin clamps d to [lo, hi] and then spreads it by ±10 % without
// leaving [lo, hi]. Clamping after jittering would put every cache whose
// issuer sends a long max-age (or none, with a long RefreshInterval) at
// exactly hi, so a fleet would refresh in step.
func jitterWithin(d, lo, hi time.Duration) time.Duration {
	d = clamp(d, lo, hi)
	from := max(lo, time.Duration(float64(d)*(1-jitterFraction)))
	to := min(hi, time.Duration(float64(d)*(1+jitterFraction)))
	return from + time.Duration(rand.Float64()*float64(to-from))
}

// backoff is 1 s doubling per consecutive failure, capped at 1 min (or at
// maxInterval if smaller), with ±10 % jitter.
func backoff(failures int, maxInterval time.Duration) time.Duration {
	limit := min(backoffCap, maxInterval)
	d := backoffBase
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(jitter(min(d, limit)), limit)
}

func jitter(d time.Duration) time.Duration {
	f := 1 - jitterFraction + 2*jitterFraction*rand.Float64()
	return time.Duration(float64(d) * f)
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
