package verify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/jwks"
)

// Verify checks token (the compact JWS, without "Bearer ") and, when it is
// valid, the scope requirement need. It returns the claims or an *Error.
// ctx bounds only the wait for a key fetch already in flight; Verify never
// waits on a rate limiter.
func (v *Verifier) Verify(ctx context.Context, token string, need ScopeRule) (*Claims, error) {
	if v.onDecision == nil {
		c, e, _ := v.verify(ctx, token, need)
		if e != nil {
			return nil, e
		}
		return c, nil
	}
	start := time.Now()
	c, e, cached := v.verify(ctx, token, need)
	d := Decision{Latency: time.Since(start), Cached: cached}
	if e != nil {
		d.Reason, d.Issuer, d.KID, d.Err = e.Reason, e.Issuer, e.KID, e
	} else {
		d.Issuer, d.KID = c.Issuer, c.KeyID
	}
	v.onDecision(d)
	if e != nil {
		return nil, e
	}
	return c, nil
}

// verify runs the cache, then the full check, then the per-call scopes.
func (v *Verifier) verify(ctx context.Context, token string, need ScopeRule) (*Claims, *Error, bool) {
	var c *Claims
	var e *Error
	cached := false
	if v.cache != nil && len(token) <= v.cache.maxTokenBytes {
		c, e, cached = v.cachedVerify(ctx, token)
	} else {
		c, e = v.verifyFull(ctx, token, nil)
	}
	if e != nil {
		return nil, e, cached
	}
	if !need.satisfiedBy(c.Scopes) {
		return nil, need.error(c), cached
	}
	return c, nil, cached
}

// verifyResult carries a verifyFull outcome to every caller sharing its flight.
type verifyResult struct {
	c   *Claims
	e   *Error
	key *jwks.Key
	src jwks.Source
}

// cachedVerify answers from the token cache or verifies once per burst of
// identical tokens and caches the result.
func (v *Verifier) cachedVerify(ctx context.Context, token string) (*Claims, *Error, bool) {
	if ent := v.cache.get(token); ent != nil {
		if c, e, ok := v.recheck(ctx, ent); ok {
			return c, e, true
		}
	}
	r, leader, err := v.joins.do(ctx, token, func() (r verifyResult) {
		r.c, r.e = v.verifyFull(ctx, token, &r)
		if r.e == nil {
			v.cache.add(token, r.c, r.key, r.src)
		}
		return r
	})
	switch {
	case err != nil: // our ctx ended while another call verified the token
		return nil, &Error{Reason: ReasonUnavailable, Err: err,
			Detail: "context ended while the same token was being verified: " + err.Error()}, false
	case !leader && r.e != nil && r.e.Reason == ReasonUnavailable && isCtxErr(r.e.Err) && ctx.Err() == nil:
		// The leader's context ended, not ours: try on our own.
		c, e := v.verifyFull(ctx, token, nil)
		return c, e, false
	}
	return r.c, r.e, false
}

// recheck decides a cached token again without its signature: the time
// claims against now, and the issuer's source must still return the very
// key that verified it (its own availability rules apply); scopes are the
// caller's business. ok is false when the token must be verified from
// scratch (its key left the set or changed). Entries that fail are
// removed.
func (v *Verifier) recheck(ctx context.Context, ent *cacheEntry) (c *Claims, e *Error, ok bool) {
	c = ent.claims
	if e := v.checkTime(c, v.now()); e != nil {
		v.cache.remove(ent)
		e.Issuer, e.KID = c.Issuer, c.KeyID
		return nil, e, true
	}
	k, err := ent.src.Key(ctx, c.KeyID, c.Algorithm)
	if err != nil {
		// A closed source (a Resolver's evicted cache) is not an outage:
		// decide from scratch, which resolves the issuer again.
		if e := keyError(err); e.Reason == ReasonUnavailable && !errors.Is(err, jwks.ErrClosed) {
			e.Issuer, e.KID = c.Issuer, c.KeyID
			return nil, e, true
		}
		v.cache.remove(ent) // the key left the set: decide from scratch
		return nil, nil, false
	}
	if k != ent.key {
		v.cache.remove(ent) // the key changed
		return nil, nil, false
	}
	return c, nil, true
}

// verifyFull runs every check except the per-call scope requirement, in
// the documented order. When res is not nil it receives the key and source
// that verified the token.
func (v *Verifier) verifyFull(ctx context.Context, token string, res *verifyResult) (*Claims, *Error) {
	pt := parsed{sc: v.getScratch()}
	defer v.putScratch(pt.sc)
	if e := v.parse(token, &pt); e != nil {
		return nil, e
	}
	c := &Claims{KeyID: pt.kid, Algorithm: pt.alg.Name, Type: pt.typ, raw: pt.payload}
	e := v.checkClaims(ctx, c, &pt, res)
	if e != nil {
		e.KID = pt.kid
		e.Issuer = c.Issuer
		return nil, e
	}
	c.cnf = c.decideCnf()
	return c, nil
}

// checkClaims runs steps 4–10 for a parsed token.
func (v *Verifier) checkClaims(ctx context.Context, c *Claims, pt *parsed, res *verifyResult) *Error {
	// 4. Payload, decoded once.
	var rawBuf [8]string
	raws := rawBuf[:]
	if n := 2 + len(v.scopeClaims); n <= len(raws) {
		raws = raws[:n]
	} else {
		raws = make([]string, n)
	}
	facts, bad := v.decodePayload(pt.payload, c, raws)
	if bad != "" {
		return malformed(bad)
	}
	c.Scopes, bad = normalizeScopes(c.scopeBuf[:0], raws)
	if bad != "" {
		return malformed(bad)
	}
	// 5. Issuer.
	keys, e := v.selectIssuer(c, facts.hasIss)
	if e != nil {
		return e
	}
	// 6. Time.
	if e := v.checkTime(c, v.now()); e != nil {
		return e
	}
	// 7. Audience.
	if e := v.checkAudience(c, facts.hasAud); e != nil {
		return e
	}
	// 8. Kind.
	if e := v.checkKind(pt.typ, facts.kind, raws); e != nil {
		return e
	}
	// 9–10. Key (from the Resolver when step 5 left it to it) and signature.
	if keys == nil {
		if keys, e = v.resolve(ctx, c.Issuer); e != nil {
			return e
		}
	}
	k, e := v.checkKeyAndSignature(ctx, keys, pt)
	if e != nil {
		return e
	}
	if res != nil {
		res.key, res.src = k, keys
	}
	return nil
}

// verifySignatureOnly runs every check that is not about claims: size,
// shape, header (alg allow-list, crit, b64, enc, kid), the key lookup in
// the first configured issuer's source, key binding and signature. It
// returns the *Error Verify would. Conformance vectors whose payloads are
// not JWT claims sets are decided here; Verify runs the same functions.
func (v *Verifier) verifySignatureOnly(ctx context.Context, token string) error {
	pt := parsed{sc: v.getScratch()}
	defer v.putScratch(pt.sc)
	if e := v.parse(token, &pt); e != nil {
		return e
	}
	if _, e := v.checkKeyAndSignature(ctx, v.issuers[0].Keys, &pt); e != nil {
		e.KID = pt.kid
		return e
	}
	return nil
}

// selectIssuer is step 5: the unverified iss picks the configured issuer's
// keys. With a Resolver, an unlisted iss returns nil keys and no error:
// step 9 resolves it, so that nothing fetches before steps 6–8 pass.
func (v *Verifier) selectIssuer(c *Claims, hasIss bool) (jwks.Source, *Error) {
	if v.skipIssuer {
		return v.issuers[0].Keys, nil
	}
	if !hasIss {
		return nil, &Error{Reason: ReasonMissingClaim, Detail: "no iss"}
	}
	for i := range v.issuers {
		if v.issuers[i].Name == c.Issuer {
			return v.issuers[i].Keys, nil
		}
	}
	if v.resolver != nil {
		return nil, nil
	}
	detail := "iss " + strconv.Quote(jose.Truncate(c.Issuer, 128)) + " is not a configured issuer"
	for i := range v.issuers {
		if strings.TrimSuffix(v.issuers[i].Name, "/") == strings.TrimSuffix(c.Issuer, "/") {
			detail += " (configured " + strconv.Quote(v.issuers[i].Name) + ": issuers compare exactly, trailing slash included)"
			break
		}
	}
	return nil, &Error{Reason: ReasonInvalidIssuer, Detail: detail}
}

// resolve asks the Resolver for iss's keys.
func (v *Verifier) resolve(ctx context.Context, iss string) (jwks.Source, *Error) {
	src, err := v.resolver.Resolve(ctx, iss)
	switch {
	case err == nil && src != nil:
		return src, nil
	case err == nil:
		return nil, &Error{Reason: ReasonUnavailable, Detail: "resolver returned no key source"}
	case errors.Is(err, ErrInvalidIssuer):
		return nil, &Error{Reason: ReasonInvalidIssuer, Err: err, Detail: err.Error()}
	}
	return nil, &Error{Reason: ReasonUnavailable, Err: err, Detail: err.Error()}
}

// checkTime is step 6. The token cache calls it again on every hit.
func (v *Verifier) checkTime(c *Claims, now time.Time) *Error {
	if c.ExpiresAt.IsZero() {
		return &Error{Reason: ReasonMissingClaim, Detail: "no exp"}
	}
	late, early := now.Add(-v.leeway), now.Add(v.leeway)
	if !late.Before(c.ExpiresAt) { // now ≥ exp + leeway
		return &Error{Reason: ReasonExpired,
			Detail: "exp " + c.ExpiresAt.UTC().Format(time.RFC3339Nano) + " is " + now.Sub(c.ExpiresAt).String() + " in the past" + v.leewayNote()}
	}
	if !c.NotBefore.IsZero() && c.NotBefore.After(early) {
		return &Error{Reason: ReasonNotYetValid,
			Detail: "nbf " + c.NotBefore.UTC().Format(time.RFC3339Nano) + " is " + c.NotBefore.Sub(now).String() + " in the future" + v.leewayNote()}
	}
	if !c.IssuedAt.IsZero() && c.IssuedAt.After(early) {
		return &Error{Reason: ReasonIssuedInFuture,
			Detail: "iat " + c.IssuedAt.UTC().Format(time.RFC3339Nano) + " is " + c.IssuedAt.Sub(now).String() + " in the future" + v.leewayNote()}
	}
	if v.maxAge > 0 {
		if c.IssuedAt.IsZero() {
			return &Error{Reason: ReasonMissingClaim, Detail: "no iat (required by MaxTokenAge)"}
		}
		if age := now.Sub(c.IssuedAt); age > v.maxAge+v.leeway {
			return &Error{Reason: ReasonExpired,
				Detail: "token age " + age.String() + " exceeds max age " + v.maxAge.String() + v.leewayNote()}
		}
	}
	if v.maxLifetime > 0 {
		if c.IssuedAt.IsZero() {
			return &Error{Reason: ReasonMissingClaim, Detail: "no iat (required by MaxLifetime)"}
		}
		if life := c.ExpiresAt.Sub(c.IssuedAt); life > v.maxLifetime {
			return &Error{Reason: ReasonLifetimeTooLong,
				Detail: "lifetime exp−iat " + life.String() + " exceeds max lifetime " + v.maxLifetime.String()}
		}
	}
	return nil
}

func (v *Verifier) leewayNote() string {
	if v.leeway == 0 {
		return ""
	}
	return " (leeway " + v.leeway.String() + ")"
}

// checkAudience is step 7: any-of.
func (v *Verifier) checkAudience(c *Claims, hasAud bool) *Error {
	if v.skipAudience {
		return nil
	}
	if !hasAud {
		return &Error{Reason: ReasonMissingClaim, Detail: "no aud"}
	}
	for _, have := range c.Audience {
		for _, want := range v.audiences {
			if have == want {
				return nil
			}
		}
	}
	return &Error{Reason: ReasonInvalidAudience,
		Detail: fmt.Sprintf("aud %q has none of %q", truncateList(c.Audience), v.audiences)}
}

func truncateList(l []string) []string {
	if len(l) > 8 {
		l = l[:8]
	}
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = jose.Truncate(s, 128)
	}
	return out
}

// checkKeyAndSignature is steps 9–10: key lookup, key binding, signature.
// When the signature fails under a kid and src is a [jwks.Refresher], it
// asks src once whether the issuer republished the kid with another key,
// and checks the signature again if so (see refresh.go).
func (v *Verifier) checkKeyAndSignature(ctx context.Context, src jwks.Source, pt *parsed) (*jwks.Key, *Error) {
	k, err := src.Key(ctx, pt.kid, pt.alg.Name)
	if err != nil {
		return nil, keyError(err)
	}
	if k == nil {
		return nil, &Error{Reason: ReasonUnavailable, Detail: "key source returned no key"}
	}
	e := checkKeySignature(k, pt)
	switch {
	case e == nil:
		return k, nil
	case e.Reason != ReasonInvalidSignature:
		return nil, e
	}
	return refreshAndRecheck(ctx, src, pt, k, e)
}

// checkKeySignature checks the key binding and the signature under k.
func checkKeySignature(k *jwks.Key, pt *parsed) *Error {
	if err := bindKey(k, pt.alg); err != nil {
		return &Error{Reason: ReasonUnsupportedAlgorithm, Err: err,
			Detail: fmt.Sprintf("key %q (kty %s, alg %q, use %q, %d bits) does not fit alg %s",
				jose.Truncate(k.KID(), 64), k.Kty(), k.Alg(), k.Use(), k.Bits(), pt.alg.Name)}
	}
	if err := checkSignature(pt.alg, k, pt.signingInput, pt.sig, pt.sc); err != nil {
		return &Error{Reason: ReasonInvalidSignature, Detail: err.Error()}
	}
	return nil
}

// keyError maps a Source error to a Reason.
func keyError(err error) *Error {
	e := &Error{Err: err, Detail: err.Error()}
	switch {
	case isCtxErr(err):
		e.Reason = ReasonUnavailable
	case errors.Is(err, jwks.ErrKeyNotFound):
		e.Reason = ReasonUnknownKey
	case errors.Is(err, jwks.ErrKeyMismatch):
		e.Reason = ReasonUnsupportedAlgorithm
	default: // ErrUnavailable, ErrClosed, or anything unexpected: fail closed
		e.Reason = ReasonUnavailable
	}
	return e
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
