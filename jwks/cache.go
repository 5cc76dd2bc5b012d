package jwks

import (
	"context"
	"fmt"
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
	pinned    *Set      // Config.Pinned; nil when none

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
	jwksURL   string
	etag      string
	savedDoc  []byte    // the document last written to or read from PersistPath
	savedAt   time.Time // its fetch time
	loadTried bool      // PersistPath was read (only ever after the first failed fetch)

	mu           sync.Mutex // guards the fields below
	cur          *fetchCall // fetch requested or in progress
	lastSuccess  time.Time
	lastAttempt  time.Time
	lastErr      error
	failures     int
	firstFailure time.Time
	next         time.Time
}

// New validates cfg and starts a Cache. Unless cfg.LazyStart is set, it
// fetches the key set first, bounded by ctx, and returns an error if that
// fails and no usable [Config.PersistPath] file stands in (see
// [Config.LazyStart] for why). ctx is not used after New returns; the
// background goroutine lives until [Cache.Close].
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
	if len(cfg.Pinned) > 0 {
		if c.pinned, err = NewSet(cfg.Pinned...); err != nil {
			return nil, fmt.Errorf("jwks: Config.Pinned: %w", err)
		}
	}
	c.neg.init(negCacheSize, negCacheTTL)
	c.ownClient = cfg.HTTPClient == nil // a caller's transport is the caller's to close
	c.jwksURL = cfg.URL
	if cfg.LazyStart {
		c.cur = &fetchCall{trigger: TriggerInitial, done: make(chan struct{})}
		c.kick <- struct{}{}
	} else {
		fc := &fetchCall{trigger: TriggerInitial, done: make(chan struct{})}
		c.refresh(ctx, fc)
		if fc.err != nil && c.snap.Load() == nil { // not even a persisted set
			if c.ownClient {
				c.client.CloseIdleConnections()
			}
			return nil, fmt.Errorf("jwks: initial fetch: %w", fc.err)
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
// without locks or allocation, a pinned key ([Config.Pinned]) also before
// the first fetch and after the stale window. An unknown kid triggers at
// most one refresh per [Config.UnknownKIDCooldown] (joining a fetch
// already in flight if there is one) and is remembered for a minute if
// still missing after a fresh fetch; otherwise the call fails at once with
// [ErrKeyNotFound]. A token without kid never triggers a refresh. ctx
// bounds only the wait for an in-flight fetch.
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
	} else if c.pinned != nil { // nothing fetched yet, or past the stale window
		if k, err := c.pinned.lookup(kid, alg); err == nil {
			return k, nil
		}
	}
	return c.slowKey(ctx, kid, alg)
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
	fc := c.join(TriggerManual)
	if fc == nil {
		return ErrClosed
	}
	return c.wait(ctx, fc)
}

// mono returns the monotonic time since epoch in nanoseconds, never 0.
func (c *Cache) mono() int64 { return int64(time.Since(c.epoch)) + 1 }

// monoAt returns t as a mono time, never 0 (which means fresh).
func (c *Cache) monoAt(t time.Time) int64 { return max(1, int64(t.Sub(c.epoch))+1) }

func (c *Cache) pastStale() bool {
	d := c.staleAt.Load()
	return d != 0 && c.mono() >= d
}
