package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
)

// fetchCall is one fetch of the JWK Set, requested or running, that any
// number of callers may wait for: every trigger joins the Cache's one
// fetchCall (Cache.cur) if there is one, and [Cache.refresh] performs it.
type fetchCall struct {
	trigger Trigger
	done    chan struct{} // closed when the fetch has ended
	err     error         // set before done is closed
}

func (c *Cache) inflight() *fetchCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// join returns the fetch in flight or requests a new one from the
// background goroutine. It returns nil after Close.
func (c *Cache) join(t Trigger) *fetchCall {
	c.mu.Lock()
	if c.closed.Load() {
		c.mu.Unlock()
		return nil
	}
	fc := c.cur
	if fc == nil {
		fc = &fetchCall{trigger: t, done: make(chan struct{})}
		c.cur = fc
	}
	c.mu.Unlock()
	c.kickRun()
	return fc
}

// kickRun wakes the background goroutine to run c.cur.
func (c *Cache) kickRun() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *Cache) wait(ctx context.Context, fc *fetchCall) error {
	select {
	case <-fc.done:
		return fc.err
	case <-ctx.Done():
		return fmt.Errorf("jwks: waiting for key refresh: %w", ctx.Err())
	}
}

// refresh performs fc: it downloads the JWK Set, parses it against the
// set in use (an unchanged key keeps its *Key and is not built again),
// merges the pinned keys, publishes it (or, after a failed first fetch, the
// set in Config.PersistPath), records the outcome and schedules the next
// refresh, reports events, releases fc's waiters and then saves the set to
// Config.PersistPath. Only New (before run starts) and run call it, so
// fetches never overlap.
func (c *Cache) refresh(ctx context.Context, fc *fetchCall) {
	start := time.Now()
	prev := c.snap.Load()

	// Fetch; a 304 keeps prev.
	resp := c.download(ctx, prev != nil)
	err := resp.err

	// Parse and check the new set.
	var next *Set
	var skipped []Skipped
	if err == nil && !resp.notModified {
		next, skipped, err = parseSet(resp.body, prev)
		switch {
		case err != nil:
			next, err = nil, fmt.Errorf("%w (from %s)", err, c.jwksURL)
		case next.Len() == 0:
			next, err = nil, fmt.Errorf("%w: %s has no usable keys (%d skipped)", ErrFetch, c.jwksURL, len(skipped))
		}
	}
	end := time.Now()
	if ctx.Err() != nil && err != nil && c.closed.Load() {
		err = ErrClosed
	}

	// Nothing loaded and the first fetch failed: try the persisted set.
	var loadEvent *Event // reported after the refresh's
	var persistedAt time.Time
	if err != nil && prev == nil && c.cfg.PersistPath != "" && !c.loadTried && !errors.Is(err, ErrClosed) {
		c.loadTried = true
		var ev Event
		next, persistedAt, ev = c.loadPersisted(end)
		loadEvent = &ev
	}

	// Publish.
	keys := 0
	var shadowed []string
	switch {
	case next != nil:
		next, shadowed = c.withPinned(next)
		c.snap.Store(next)
		c.etag = resp.header.Get("ETag")
		keys = next.Len()
	case prev != nil:
		keys = prev.Len()
	}

	// Record the outcome and schedule the next refresh.
	c.mu.Lock()
	c.lastAttempt = start
	if err == nil {
		c.lastSuccess, c.lastErr, c.failures = end, nil, 0
		c.staleAt.Store(0)
		c.next = end.Add(c.refreshDelay(resp.header, end))
	} else if !errors.Is(err, ErrClosed) {
		if c.failures == 0 {
			c.firstFailure = start
			if prev != nil {
				c.staleAt.Store(c.monoAt(start.Add(c.cfg.StaleWindow)))
			}
		}
		if next != nil { // persisted: served within the stale window of its own fetch
			c.staleAt.Store(c.monoAt(persistedAt.Add(c.cfg.StaleWindow)))
		}
		c.failures++
		c.lastErr = err
		c.next = end.Add(backoff(c.failures, c.cfg.MaxRefreshInterval))
	}
	if c.cur == fc {
		c.cur = nil
	}
	c.mu.Unlock()

	// Report, then release the waiters.
	if !errors.Is(err, ErrClosed) {
		for _, sk := range skipped {
			c.emit(Event{Kind: EventKeySkipped, Trigger: fc.trigger, KID: truncKID(sk.KID), Err: sk.Err, Keys: keys})
		}
		for _, kid := range shadowed {
			c.emit(Event{Kind: EventKeySkipped, Trigger: fc.trigger, KID: truncKID(kid), Keys: keys,
				Err: fmt.Errorf("%w: kid %q is pinned; the pinned key is used", ErrInvalidKey, truncKID(kid))})
		}
		kind := EventRefreshed
		if err != nil {
			kind = EventRefreshFailed
		}
		c.emit(Event{Kind: kind, Trigger: fc.trigger, Duration: end.Sub(start), StatusCode: resp.status,
			NotModified: resp.notModified, Keys: keys, Err: err})
		if loadEvent != nil {
			loadEvent.Trigger = fc.trigger
			c.emit(*loadEvent)
		}
	}
	fc.err = err
	close(fc.done)

	// Save last: the new set is in use and no waiter waits for the disk.
	if err == nil && c.cfg.PersistPath != "" {
		if ev, ok := c.savePersisted(resp.body, end); ok {
			ev.Trigger = fc.trigger
			c.emit(ev)
		}
	}
}

// jwksResponse is what download got: a body to parse, a 304, or an error.
type jwksResponse struct {
	body        []byte
	status      int // 0 when no response arrived
	header      http.Header
	notModified bool
	err         error // wraps ErrFetch
}

// download GETs the JWK Set, discovering its URL first if needed, with
// If-None-Match when haveSet and an ETag is known. Only the goroutine
// running fetches calls it.
func (c *Cache) download(ctx context.Context, haveSet bool) jwksResponse {
	if c.jwksURL == "" {
		u, err := c.discover(ctx)
		if err != nil {
			return jwksResponse{err: err}
		}
		c.jwksURL = u
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.jwksURL, nil)
	if err != nil {
		return jwksResponse{err: fmt.Errorf("%w: %w", ErrFetch, err)}
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	req.Header.Set("Cache-Control", "no-cache")
	if c.etag != "" && haveSet {
		req.Header.Set("If-None-Match", c.etag)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return jwksResponse{err: fmt.Errorf("%w: GET %s: %w", ErrFetch, c.jwksURL, err)}
	}
	defer resp.Body.Close()
	res := jwksResponse{status: resp.StatusCode, header: resp.Header}
	switch {
	case resp.StatusCode == http.StatusNotModified && haveSet && c.etag != "":
		res.notModified = true
	case resp.StatusCode != http.StatusOK:
		_, _ = io.CopyN(io.Discard, resp.Body, errorBodyDiscard)
		res.err = fmt.Errorf("%w: GET %s: unexpected status %s", ErrFetch, c.jwksURL, resp.Status)
	default:
		res.body, err = readCapped(resp.Body, c.cfg.MaxBodyBytes)
		if err != nil {
			res.err = fmt.Errorf("%w: GET %s: %w", ErrFetch, c.jwksURL, err)
		}
	}
	return res
}

// readCapped reads at most limit bytes and fails if there are more.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("body exceeds %d bytes", limit)
	}
	return b, nil
}

// discover fetches the OpenID Connect discovery document and returns its
// jwks_uri after checking its issuer.
func (c *Cache) discover(ctx context.Context) (string, error) {
	u := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrFetch, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: discovery: GET %s: %w", ErrFetch, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.CopyN(io.Discard, resp.Body, errorBodyDiscard)
		return "", fmt.Errorf("%w: discovery: GET %s: unexpected status %s", ErrFetch, u, resp.Status)
	}
	body, err := readCapped(resp.Body, c.cfg.MaxBodyBytes)
	if err != nil {
		return "", fmt.Errorf("%w: discovery: GET %s: %w", ErrFetch, u, err)
	}
	// JSON v2: "ISSUER" is not "issuer", and a member named twice (say,
	// two jwks_uri) refuses the document instead of letting the last win.
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("%w: discovery document %s: %v", ErrFetch, u, err)
	}
	if doc.Issuer != c.cfg.Issuer {
		return "", fmt.Errorf("%w: discovery document %s names issuer %q, want %q", ErrFetch, u, doc.Issuer, c.cfg.Issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("%w: discovery document %s has no jwks_uri", ErrFetch, u)
	}
	if err := checkURL(doc.JWKSURI, c.cfg.InsecureAllowHTTP); err != nil {
		return "", fmt.Errorf("%w: discovered jwks_uri: %w", ErrFetch, err)
	}
	return doc.JWKSURI, nil
}
