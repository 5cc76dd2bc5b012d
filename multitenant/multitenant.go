package multitenant

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// Defaults applied to zero Config fields.
const (
	DefaultMaxIssuers          = 100
	DefaultNewIssuersPerMinute = 10
	// FailureMemory is how long an issuer whose setup failed is answered
	// from memory, without a fetch.
	FailureMemory = time.Minute
)

// Sentinel errors. Every error Resolve returns wraps one of them, a setup
// failure (wrapping a jwks error such as [jwks.ErrFetch]), or the caller's
// ctx error.
var (
	// ErrNoMatch: the issuer matches no pattern. It wraps
	// verify.ErrInvalidIssuer, so the Verifier refuses the token as
	// invalid_issuer (401).
	ErrNoMatch = fmt.Errorf("multitenant: issuer matches no pattern: %w", verify.ErrInvalidIssuer)
	// ErrTooManyNew: the issuer matches but is not set up, and the budget
	// of new issuers (Config.NewIssuersPerMinute) is spent. It wraps
	// jwks.ErrUnavailable: the Verifier answers unavailable (503), since
	// the token may well be good.
	ErrTooManyNew = fmt.Errorf("multitenant: too many new issuers: %w", jwks.ErrUnavailable)
)

// Config configures a [Resolver]. Patterns is required; every other zero
// field means the documented default.
type Config struct {
	// Patterns lists the accepted issuers, each an issuer URL with
	// exactly one "{tenant}" path segment, e.g.
	// "https://login.example.com/{tenant}/v2.0" or
	// "https://kc.example.com/realms/{tenant}". An issuer matches when it
	// equals the pattern byte for byte with {tenant} replaced by 1 to 64
	// characters of [A-Za-z0-9._-] other than "." and "..": one path
	// segment, never "/", never another host. Scheme and host are fixed;
	// the trailing slash, or its absence, is significant. Required.
	Patterns []string

	// Keys is the template of every matched issuer's [jwks.Cache]: its
	// Issuer is set to the matched issuer (discovery) and LazyStart is
	// ignored (an issuer is admitted once its keys are loaded). URL and
	// Issuer must be empty. InsecureAllowHTTP also admits http patterns.
	Keys jwks.Config

	// OnEvent, if set, receives every cache's events with the issuer they
	// concern; Keys.OnEvent must then be nil. Same rules as
	// jwks.Config.OnEvent: fast, non-blocking, concurrent.
	OnEvent func(iss string, e jwks.Event)

	// MaxIssuers bounds the caches held at once; setting up one more
	// closes the least recently resolved. Zero means
	// DefaultMaxIssuers (100).
	MaxIssuers int

	// NewIssuersPerMinute bounds how many issuers not held may be set up
	// per minute, with bursts of that many; each setup fetches the
	// discovery document and the key set. Beyond it Resolve fails at
	// once with ErrTooManyNew. Issuers already held are not affected.
	// Zero means DefaultNewIssuersPerMinute (10).
	NewIssuersPerMinute int
}

// Resolver implements [verify.Resolver] for issuers that match patterns:
// it sets up one [jwks.Cache] per matched issuer on first use, holds at
// most Config.MaxIssuers of them (least recently used closed first) and
// sets up at most Config.NewIssuersPerMinute. It is safe for concurrent
// use; [Resolver.Close] stops every cache and setup and waits for them.
type Resolver struct {
	patterns []pattern
	keys     jwks.Config
	onEvent  func(string, jwks.Event)
	max      int
	limit    *rate.Limiter
	now      func() time.Time // a seam for tests
	life     context.Context  // ends at Close; bounds setups
	cancel   context.CancelFunc
	wg       sync.WaitGroup // setups in flight

	mu      sync.Mutex // guards the fields below
	closed  bool
	held    map[string]*list.Element // value *heldIssuer
	lru     *list.List               // front: most recently resolved
	pending map[string]*setup
	failed  map[string]failure
}

type heldIssuer struct {
	iss   string
	cache *jwks.Cache
}

// setup is one issuer's first fetch, shared by every Resolve that waits.
type setup struct {
	done  chan struct{} // closed when cache or err is set
	cache *jwks.Cache
	err   error
}

type failure struct {
	err   error
	until time.Time
}

// New validates cfg and returns a Resolver. It refuses, with a plain
// "multitenant: …" error: no Patterns; a pattern that is not an https
// URL (http with Keys.InsecureAllowHTTP) with one "{tenant}" path segment
// after its host and no query, fragment, user information or dot
// segment; a repeated pattern; Keys.URL or Keys.Issuer set; OnEvent with
// Keys.OnEvent; negative MaxIssuers or NewIssuersPerMinute. Other Keys
// fields are checked as jwks.New checks them, when an issuer is set up.
func New(cfg Config) (*Resolver, error) {
	switch {
	case len(cfg.Patterns) == 0:
		return nil, errors.New("multitenant: Config.Patterns is required")
	case cfg.Keys.URL != "" || cfg.Keys.Issuer != "":
		return nil, errors.New("multitenant: Config.Keys.URL and Keys.Issuer must be empty (each matched issuer is discovered)")
	case cfg.OnEvent != nil && cfg.Keys.OnEvent != nil:
		return nil, errors.New("multitenant: set at most one of Config.OnEvent and Keys.OnEvent")
	case cfg.MaxIssuers < 0 || cfg.NewIssuersPerMinute < 0:
		return nil, errors.New("multitenant: negative Config.MaxIssuers or NewIssuersPerMinute")
	}
	r := &Resolver{
		keys:    cfg.Keys,
		onEvent: cfg.OnEvent,
		max:     cfg.MaxIssuers,
		now:     time.Now,
		held:    map[string]*list.Element{},
		lru:     list.New(),
		pending: map[string]*setup{},
		failed:  map[string]failure{},
	}
	r.keys.LazyStart = false
	for i, raw := range cfg.Patterns {
		p, err := parsePattern(raw, cfg.Keys.InsecureAllowHTTP)
		if err != nil {
			return nil, err
		}
		for _, prev := range r.patterns[:i] {
			if prev == p {
				return nil, fmt.Errorf("multitenant: Config.Patterns entry %q is repeated", raw)
			}
		}
		r.patterns = append(r.patterns, p)
	}
	if r.max == 0 {
		r.max = DefaultMaxIssuers
	}
	perMin := cfg.NewIssuersPerMinute
	if perMin == 0 {
		perMin = DefaultNewIssuersPerMinute
	}
	r.limit = rate.NewLimiter(rate.Limit(float64(perMin)/60), perMin)
	r.life, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// match reports whether iss matches one of the patterns. It allocates
// nothing and never fetches.
func (r *Resolver) match(iss string) bool {
	for _, p := range r.patterns {
		if _, ok := p.match(iss); ok {
			return true
		}
	}
	return false
}

// Resolve implements [verify.Resolver]. An issuer that matches no pattern
// fails at once with ErrNoMatch, without any fetch. A held issuer's cache
// is returned at once. Otherwise the issuer is set up: its discovery
// document and key set are fetched by a goroutine of the Resolver (bounded
// by the HTTP client's timeout and by Close, not by ctx), and Resolve
// waits for that until ctx ends; concurrent calls for one issuer share one
// setup. A setup needs a token of the NewIssuersPerMinute budget
// (ErrTooManyNew without one); a failed setup is remembered for
// FailureMemory and its error returned again without a fetch. After Close,
// Resolve fails with jwks.ErrClosed.
func (r *Resolver) Resolve(ctx context.Context, iss string) (jwks.Source, error) {
	if !r.match(iss) {
		return nil, ErrNoMatch
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, jwks.ErrClosed
	}
	if el, ok := r.held[iss]; ok {
		r.lru.MoveToFront(el)
		c := el.Value.(*heldIssuer).cache
		r.mu.Unlock()
		return c, nil
	}
	s, ok := r.pending[iss]
	if !ok {
		now := r.now()
		if f, ok := r.failed[iss]; ok && now.Before(f.until) {
			r.mu.Unlock()
			return nil, f.err
		}
		if !r.limit.AllowN(now, 1) {
			r.mu.Unlock()
			return nil, ErrTooManyNew
		}
		s = &setup{done: make(chan struct{})}
		r.pending[iss] = s
		r.wg.Add(1)
		go r.setUp(iss, s)
	}
	r.mu.Unlock()
	select {
	case <-s.done:
		if s.err != nil {
			return nil, s.err
		}
		return s.cache, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("multitenant: waiting for %q to be set up: %w", iss, ctx.Err())
	}
}

// setUp creates iss's cache, publishes the outcome to s and holds the
// cache, closing the least recently used ones beyond MaxIssuers.
func (r *Resolver) setUp(iss string, s *setup) {
	defer r.wg.Done()
	cfg := r.keys
	cfg.Issuer = iss
	if r.onEvent != nil {
		cfg.OnEvent = func(e jwks.Event) { r.onEvent(iss, e) }
	}
	c, err := jwks.New(r.life, cfg)
	if err != nil {
		err = fmt.Errorf("multitenant: setting up %q: %w", iss, err)
	}
	var evicted []*jwks.Cache
	r.mu.Lock()
	delete(r.pending, iss)
	switch {
	case r.closed:
		evicted = append(evicted, c) // nil when New failed
		err = jwks.ErrClosed
	case err != nil:
		r.remember(iss, err)
	default:
		r.held[iss] = r.lru.PushFront(&heldIssuer{iss: iss, cache: c})
		for r.lru.Len() > r.max {
			old := r.lru.Remove(r.lru.Back()).(*heldIssuer)
			delete(r.held, old.iss)
			evicted = append(evicted, old.cache)
		}
	}
	s.cache, s.err = c, err
	r.mu.Unlock()
	// Evicted caches are closed (and their goroutines gone) before the
	// callers waiting for this setup are released, so an eviction is
	// complete when Resolve returns.
	for _, c := range evicted {
		if c != nil {
			c.Close()
		}
	}
	close(s.done)
}

// remember records a failed setup, keeping at most max failures: expired
// ones go first, then arbitrary ones. r.mu is held.
func (r *Resolver) remember(iss string, err error) {
	now := r.now()
	if len(r.failed) >= r.max {
		for k, f := range r.failed {
			if !now.Before(f.until) {
				delete(r.failed, k)
			}
		}
		for k := range r.failed {
			if len(r.failed) < r.max {
				break
			}
			delete(r.failed, k)
		}
	}
	r.failed[iss] = failure{err: err, until: now.Add(FailureMemory)}
}

// Len returns the number of issuers held (set up and not evicted).
func (r *Resolver) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lru.Len()
}

// Close cancels setups in flight, closes every held cache and waits for
// all of their goroutines to end. Sources returned earlier then fail with
// jwks.ErrClosed. Close is idempotent and always returns nil.
func (r *Resolver) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	var caches []*jwks.Cache
	for el := r.lru.Front(); el != nil; el = el.Next() {
		caches = append(caches, el.Value.(*heldIssuer).cache)
	}
	r.lru.Init()
	clear(r.held)
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	for _, c := range caches {
		c.Close()
	}
	return nil
}

var _ verify.Resolver = (*Resolver)(nil)
