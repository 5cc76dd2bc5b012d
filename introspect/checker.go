package introspect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/verify"
)

// Checker checks opaque bearer tokens with a remote endpoint and caches the
// answers. It implements verify.Checker, so httpmw and grpcmw take it in
// Config.Checker. It is safe for concurrent use; the goroutines it starts
// for remote calls end by Close.
type Checker struct {
	s       *settings
	client  *http.Client
	store   Store
	mem     *memoryStore // the built-in store, nil when Cache.Store is set
	hashKey [32]byte
	limiter *rate.Limiter

	mu     sync.Mutex
	calls  map[Key]*call
	closed bool
	wg     sync.WaitGroup
}

// call is one remote check in flight, shared by every request for the
// same token. res and err are written before done is closed.
type call struct {
	done   chan struct{}
	cancel context.CancelFunc
	res    Entry
	err    *verify.Error // an unavailable answer, never cached
}

var _ verify.Checker = (*Checker)(nil)

// New validates cfg and returns a Checker. It refuses, with a plain
// "introspect: config: …" error: a URL that is not https (or http to a
// loopback host with InsecureAllowHTTP) or carries credentials; missing
// client credentials for the chosen ClientAuth; audiences neither given
// nor skipped (or given for Userinfo); a Leeway outside [0, 5m]; negative
// limits; a HashKey shorter than 32 bytes.
func New(cfg Config) (*Checker, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	client, err := newHTTPClient(s)
	if err != nil {
		return nil, fmt.Errorf("introspect: config: %w", err)
	}
	c := &Checker{
		s:       s,
		client:  client,
		store:   s.Cache.Store,
		limiter: rate.NewLimiter(rate.Limit(s.MissRate), s.MissBurst),
		calls:   make(map[Key]*call),
	}
	if c.store == nil {
		c.mem = newMemoryStore(s.Cache.MaxEntries, s.Cache.MaxBytes)
		c.store = c.mem
	}
	if s.Cache.HashKey != nil {
		c.hashKey = bindHashKey(s)
	} else {
		rand.Read(c.hashKey[:])
	}
	return c, nil
}

// bindHashKey derives the key that names tokens in a shared Store from
// Cache.HashKey and every setting that decides what an entry says, so that
// Checkers sharing a Store but checking differently (another audience,
// issuer, endpoint, scope reading or lifetime, or another client, since an
// endpoint may answer each protected resource differently) never answer
// from each other's entries. Each field is length-prefixed, so no two
// settings encode alike.
func bindHashKey(s *settings) [32]byte {
	h := sha256.New()
	field := func(v string) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(v))))
		h.Write([]byte(v))
	}
	field(string(s.Cache.HashKey))
	field(strconv.Itoa(int(s.Endpoint)))
	field(s.url.String())
	field(strconv.Itoa(int(s.ClientAuth))) // RFC 7662 §2.2: answers may differ per client
	field(s.ClientID)
	field(s.BearerToken)
	field(s.Issuer)
	field(strconv.FormatBool(s.InsecureSkipAudienceCheck))
	field(strconv.FormatBool(s.WholeScope))
	field(s.Leeway.String())
	field(s.Cache.MaxTTL.String())
	field(s.Cache.NegativeTTL.String())
	field(strconv.Itoa(len(s.Audiences)))
	for _, a := range s.Audiences {
		field(a)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// Close cancels the remote calls in flight, waits for their goroutines and
// closes idle connections. Verify then still answers from the cache (so
// requests draining during shutdown keep their answers) and answers
// ReasonUnavailable for any token it would have to check remotely. Close
// is idempotent.
func (c *Checker) Close() error {
	c.mu.Lock()
	c.closed = true
	for _, cl := range c.calls {
		cl.cancel()
	}
	c.mu.Unlock()
	c.wg.Wait()
	c.client.CloseIdleConnections()
	return nil
}

// Verify checks token and, when it is good, the scope requirement need. A
// cached answer is used while fresh (exp and nbf are checked again on every
// hit); otherwise one remote call is made per token however many requests
// carry it at once. It returns the claims or an *verify.Error; a remote
// outage, an overloaded checker or ctx ending is ReasonUnavailable.
func (c *Checker) Verify(ctx context.Context, token string, need verify.ScopeRule) (*verify.Claims, error) {
	if len(token) > c.s.MaxTokenBytes {
		return nil, &verify.Error{Reason: verify.ReasonTokenTooLarge,
			Detail: strconv.Itoa(len(token)) + " bytes, limit " + strconv.Itoa(c.s.MaxTokenBytes)}
	}
	if !c.shapeOK(token) {
		return nil, &verify.Error{Reason: verify.ReasonMalformed, Detail: "token does not have the shape this provider issues"}
	}
	k := hashKeyed(&c.hashKey, token)
	now := c.s.Now()
	e, ok := c.store.Get(k)
	if !ok || !now.Before(e.Expires) {
		var err *verify.Error
		if e, err = c.join(ctx, k, token, now); err != nil {
			return nil, err
		}
	}
	return c.answer(&e, now, need)
}

func (c *Checker) shapeOK(token string) bool {
	if c.s.TokenShape != nil {
		return c.s.TokenShape(token)
	}
	return bearer.IsToken(token)
}

// answer turns an entry into Verify's result: the refusal, or the claims
// after the time and scope checks that depend on the call.
func (c *Checker) answer(e *Entry, now time.Time, need verify.ScopeRule) (*verify.Claims, error) {
	if e.Claims == nil {
		if e.Reason.Outcome() == "" { // a Store returned a broken entry
			return nil, unavailable("cache entry has neither claims nor a known reason", nil)
		}
		return nil, &verify.Error{Reason: e.Reason, Detail: e.Detail, Issuer: c.s.Issuer}
	}
	if r, detail := c.checkTime(e.Claims, now); r != "" {
		return nil, &verify.Error{Reason: r, Detail: detail, Issuer: e.Claims.Issuer}
	}
	if err := need.Check(e.Claims.Scopes); err != nil {
		var ve *verify.Error
		if errors.As(err, &ve) {
			ve.Issuer = e.Claims.Issuer
			ve.Detail += ", token has " + strconv.Quote(jose.Truncate(strings.Join(e.Claims.Scopes, " "), 256))
		}
		return nil, err
	}
	return e.Claims, nil
}

// join waits for the remote call for k, starting it if none is in flight
// and the bounds allow. The call runs on a goroutine the Checker owns, so
// a caller whose ctx ends leaves without cancelling it for the others.
func (c *Checker) join(ctx context.Context, k Key, token string, now time.Time) (Entry, *verify.Error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return Entry{}, unavailable("checker closed", nil)
	}
	cl, ok := c.calls[k]
	if !ok {
		// A call may have finished between the caller's miss and now;
		// its result was stored before it left calls.
		if e, ok := c.store.Get(k); ok && now.Before(e.Expires) {
			c.mu.Unlock()
			return e, nil
		}
		if len(c.calls) >= c.s.MaxInFlight {
			c.mu.Unlock()
			return Entry{}, unavailable(strconv.Itoa(c.s.MaxInFlight)+" remote checks already in flight (Config.MaxInFlight)", nil)
		}
		if !c.limiter.AllowN(now, 1) {
			c.mu.Unlock()
			return Entry{}, unavailable("cache misses over Config.MissRate", nil)
		}
		cctx, cancel := context.WithTimeout(context.Background(), c.s.Timeout)
		cl = &call{done: make(chan struct{}), cancel: cancel}
		c.calls[k] = cl
		c.wg.Add(1)
		go c.run(cctx, cl, k, strings.Clone(token))
	}
	c.mu.Unlock()
	select {
	case <-cl.done:
		return cl.res, cl.err
	case <-ctx.Done():
		return Entry{}, unavailable("context ended while the token was being checked remotely", ctx.Err())
	}
}

// run makes one remote call, stores a cacheable result, and releases the
// waiters.
func (c *Checker) run(ctx context.Context, cl *call, k Key, token string) {
	defer c.wg.Done()
	defer cl.cancel()
	cl.res, cl.err = c.check(ctx, token)
	if cl.err == nil {
		c.store.Set(k, cl.res)
	}
	c.mu.Lock()
	delete(c.calls, k)
	c.mu.Unlock()
	close(cl.done)
}

// check asks the endpoint and applies the checks that do not depend on the
// call, returning a cacheable entry, or the unavailable error.
func (c *Checker) check(ctx context.Context, token string) (Entry, *verify.Error) {
	d, raw, err := c.remote(ctx, token)
	if err != nil {
		return Entry{}, err
	}
	now := c.s.Now()
	refuse := func(r verify.Reason, detail string) (Entry, *verify.Error) {
		return Entry{Reason: r, Detail: detail, Expires: now.Add(c.s.Cache.NegativeTTL), Bytes: entryOverhead + len(detail)}, nil
	}
	if !d.active {
		if c.s.Endpoint == Userinfo {
			return refuse(verify.ReasonInactive, "the userinfo endpoint refused the token")
		}
		return refuse(verify.ReasonInactive, `the introspection endpoint answered "active": false`)
	}
	cl := &d.claims
	if d.use != "" && d.use != "access_token" {
		return refuse(verify.ReasonInvalidType, "token_use "+strconv.Quote(jose.Truncate(d.use, 64))+" is not access_token")
	}
	if c.s.Issuer != "" {
		if d.hasIss && cl.Issuer != c.s.Issuer {
			return refuse(verify.ReasonInvalidIssuer, "iss "+strconv.Quote(jose.Truncate(cl.Issuer, 128))+" is not "+strconv.Quote(c.s.Issuer))
		}
		cl.Issuer = c.s.Issuer
	}
	if !c.s.InsecureSkipAudienceCheck {
		if !d.hasAud {
			return refuse(verify.ReasonMissingClaim, "no aud")
		}
		if !slices.ContainsFunc(cl.Audience, func(a string) bool { return slices.Contains(c.s.Audiences, a) }) {
			return refuse(verify.ReasonInvalidAudience, "aud has none of "+strconv.Quote(strings.Join(c.s.Audiences, " ")))
		}
	}
	if r, detail := c.checkTime(cl, now); r != "" {
		return refuse(r, detail)
	}
	claims, nerr := verify.NewClaims(*cl, raw)
	if nerr != nil { // decoded strictly above, so not expected
		return Entry{}, unavailable("response is not one JSON object", nerr)
	}
	exp := now.Add(c.s.Cache.MaxTTL)
	if until := cl.ExpiresAt; !until.IsZero() {
		if !now.Before(until) {
			// Accepted within the leeway only (the provider's clock is
			// behind ours): an entry ending at exp would be stale at once,
			// and every request would ask the provider again until the
			// leeway ends. The provider has just said the token is active
			// past exp, so keep that to the end of the leeway.
			until = until.Add(c.s.Leeway)
		}
		if until.Before(exp) {
			exp = until
		}
	}
	return Entry{Claims: claims, Expires: exp, Bytes: entryOverhead + len(raw)}, nil
}

// entryOverhead approximates an entry's memory besides the response body.
const entryOverhead = 512

// checkTime checks exp, nbf and iat against now with the leeway, as the
// JWT verifier does; exp is optional in an introspection answer.
func (c *Checker) checkTime(cl *verify.Claims, now time.Time) (verify.Reason, string) {
	late, early := now.Add(-c.s.Leeway), now.Add(c.s.Leeway)
	switch {
	case !cl.ExpiresAt.IsZero() && !late.Before(cl.ExpiresAt):
		return verify.ReasonExpired, "exp " + cl.ExpiresAt.UTC().Format(time.RFC3339Nano) + " is " + now.Sub(cl.ExpiresAt).String() + " in the past"
	case !cl.NotBefore.IsZero() && cl.NotBefore.After(early):
		return verify.ReasonNotYetValid, "nbf " + cl.NotBefore.UTC().Format(time.RFC3339Nano) + " is in the future"
	case !cl.IssuedAt.IsZero() && cl.IssuedAt.After(early):
		return verify.ReasonIssuedInFuture, "iat " + cl.IssuedAt.UTC().Format(time.RFC3339Nano) + " is in the future"
	}
	return "", ""
}

func unavailable(detail string, err error) *verify.Error {
	if err != nil {
		detail += ": " + err.Error()
	}
	return &verify.Error{Reason: verify.ReasonUnavailable, Detail: detail, Err: err}
}
