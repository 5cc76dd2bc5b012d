package jwks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/pquerna/cachecontrol/cacheobject"
)

type fetchResult struct {
	set         *Set // nil on 304 or error
	skipped     []Skipped
	status      int
	notModified bool
	header      http.Header
	err         error // wraps ErrFetch (or ErrClosed)
}

// fetch downloads and parses the JWKS, discovering its URL first if needed.
// Only the goroutine running fetches calls it.
func (c *Cache) fetch(ctx context.Context) fetchResult {
	if c.jwksURL == "" {
		u, err := c.discover(ctx)
		if err != nil {
			return fetchResult{err: err}
		}
		c.jwksURL = u
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.jwksURL, nil)
	if err != nil {
		return fetchResult{err: fmt.Errorf("%w: %w", ErrFetch, err)}
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	req.Header.Set("Cache-Control", "no-cache")
	prev := c.snap.Load()
	haveSet := prev != nil
	if c.etag != "" && haveSet {
		req.Header.Set("If-None-Match", c.etag)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fetchResult{err: fmt.Errorf("%w: GET %s: %w", ErrFetch, c.jwksURL, err)}
	}
	defer resp.Body.Close()
	res := fetchResult{status: resp.StatusCode, header: resp.Header}
	switch {
	case resp.StatusCode == http.StatusNotModified && haveSet && c.etag != "":
		res.notModified = true
		return res
	case resp.StatusCode != http.StatusOK:
		_, _ = io.CopyN(io.Discard, resp.Body, errorBodyDiscard)
		res.err = fmt.Errorf("%w: GET %s: unexpected status %s", ErrFetch, c.jwksURL, resp.Status)
		return res
	}
	body, err := readCapped(resp.Body, c.cfg.MaxBodyBytes)
	if err != nil {
		res.err = fmt.Errorf("%w: GET %s: %w", ErrFetch, c.jwksURL, err)
		return res
	}
	set, skipped, err := parseSet(body, prev)
	res.skipped = skipped
	if err != nil {
		res.err = fmt.Errorf("%w (from %s)", err, c.jwksURL)
		return res
	}
	if set.Len() == 0 {
		res.err = fmt.Errorf("%w: %s has no usable keys (%d skipped)", ErrFetch, c.jwksURL, len(skipped))
		return res
	}
	res.set = set
	c.etag = resp.Header.Get("ETag")
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

// cacheLifetime returns how long a response may be reused according to
// Cache-Control max-age or, failing that, Expires (relative to Date when
// present). no-store and no-cache are deliberately ignored: they say
// nothing useful about when an issuer rotates keys.
func cacheLifetime(h http.Header, now time.Time) (time.Duration, bool) {
	if cc := h.Values("Cache-Control"); len(cc) > 0 {
		d, err := cacheobject.ParseResponseCacheControl(strings.Join(cc, ", "))
		if err == nil && d.MaxAge >= 0 {
			return time.Duration(d.MaxAge) * time.Second, true
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		t, err := http.ParseTime(exp)
		if err != nil {
			return 0, false
		}
		base := now
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			base = date
		}
		return t.Sub(base), true
	}
	return 0, false
}
