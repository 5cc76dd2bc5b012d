package verify

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/jwtguard/jwtguard/jwks"
)

// Defaults and limits for Config.
const (
	DefaultMaxTokenBytes = 16 << 10
	// MaxLeeway is the largest Config.Leeway New accepts.
	MaxLeeway = 5 * time.Minute
)

// Verifier checks bearer tokens. It is safe for concurrent use and owns no
// goroutines; the key sources it was given are closed by their owner.
type Verifier struct {
	issuers       []Issuer
	skipIssuer    bool
	audiences     []string
	skipAudience  bool
	algs          []*algSpec
	leeway        time.Duration
	maxAge        time.Duration
	maxLifetime   time.Duration
	kind          TokenKind
	requiredType  string // lower case, without "application/"
	scopeClaims   []string
	maxTokenBytes int
	now           func() time.Time
	onDecision    func(Decision)

	cache   *tokenCache // nil when disabled
	joins   coalescer
	scratch sync.Pool // *scratch
}

// registeredNames may not be used as Config.ScopeClaims.
var registeredNames = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "nonce", "scope", "scp"}

// New validates cfg and returns a Verifier. It refuses, with a plain
// "verify: config: …" error: no issuers; an issuer with an empty or
// duplicate Name (unless InsecureSkipIssuerCheck, which needs exactly one
// issuer) or nil Keys; no Audiences without InsecureSkipAudienceCheck, or both; an
// empty audience; an unknown algorithm, "none" or any HS*; a Leeway
// outside [0, 5m]; negative MaxTokenAge, MaxLifetime, MaxTokenBytes or
// TokenCache bounds; an unknown Kind, or TokenKindID without Audiences; a
// ScopeClaims entry that is empty, repeated or a registered claim name.
func New(cfg Config) (*Verifier, error) {
	v := &Verifier{
		skipIssuer:    cfg.InsecureSkipIssuerCheck,
		skipAudience:  cfg.InsecureSkipAudienceCheck,
		leeway:        cfg.Leeway,
		maxAge:        cfg.MaxTokenAge,
		maxLifetime:   cfg.MaxLifetime,
		kind:          cfg.Kind,
		maxTokenBytes: cfg.MaxTokenBytes,
		now:           cfg.Now,
		onDecision:    cfg.OnDecision,
	}
	if len(cfg.Issuers) == 0 {
		return nil, errors.New("verify: config: no Issuers")
	}
	if cfg.InsecureSkipIssuerCheck && len(cfg.Issuers) != 1 {
		return nil, errors.New("verify: config: InsecureSkipIssuerCheck needs exactly one issuer")
	}
	for i, iss := range cfg.Issuers {
		if iss.Keys == nil {
			return nil, fmt.Errorf("verify: config: issuer %q has nil Keys", iss.Name)
		}
		if cfg.InsecureSkipIssuerCheck {
			continue
		}
		if iss.Name == "" {
			return nil, fmt.Errorf("verify: config: issuer %d has an empty Name", i)
		}
		for _, prev := range cfg.Issuers[:i] {
			if prev.Name == iss.Name {
				return nil, fmt.Errorf("verify: config: duplicate issuer %q", iss.Name)
			}
		}
	}
	v.issuers = append([]Issuer(nil), cfg.Issuers...)

	switch {
	case cfg.InsecureSkipAudienceCheck && len(cfg.Audiences) > 0:
		return nil, errors.New("verify: config: Audiences and InsecureSkipAudienceCheck are mutually exclusive")
	case !cfg.InsecureSkipAudienceCheck && len(cfg.Audiences) == 0:
		return nil, errors.New("verify: config: no Audiences (set InsecureSkipAudienceCheck to accept any aud)")
	}
	for _, a := range cfg.Audiences {
		if a == "" {
			return nil, errors.New("verify: config: empty audience")
		}
	}
	v.audiences = append([]string(nil), cfg.Audiences...)

	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	for _, name := range algs {
		if strings.EqualFold(name, "none") || strings.HasPrefix(strings.ToUpper(name), "HS") {
			return nil, fmt.Errorf("verify: config: algorithm %q is never accepted", name)
		}
		a := lookupAlg(name)
		if a == nil {
			return nil, fmt.Errorf("verify: config: unknown algorithm %q", name)
		}
		if !containsAlg(v.algs, a) {
			v.algs = append(v.algs, a)
		}
	}

	switch {
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("verify: config: Leeway %v outside [0, %v]", cfg.Leeway, MaxLeeway)
	case cfg.MaxTokenAge < 0:
		return nil, errors.New("verify: config: negative MaxTokenAge")
	case cfg.MaxLifetime < 0:
		return nil, errors.New("verify: config: negative MaxLifetime")
	case cfg.Kind != TokenKindAccess && cfg.Kind != TokenKindID:
		return nil, fmt.Errorf("verify: config: unknown Kind %v", cfg.Kind)
	case cfg.Kind == TokenKindID && len(cfg.Audiences) == 0:
		return nil, errors.New("verify: config: TokenKindID needs Audiences (the client ids an ID token must name)")
	case cfg.MaxTokenBytes < 0:
		return nil, errors.New("verify: config: negative MaxTokenBytes")
	}
	if v.maxTokenBytes == 0 {
		v.maxTokenBytes = DefaultMaxTokenBytes
	}
	if v.now == nil {
		v.now = time.Now
	}
	if cfg.RequiredType != "" {
		v.requiredType = strings.ToLower(trimApplication(cfg.RequiredType))
	}
	for i, name := range cfg.ScopeClaims {
		if name == "" || containsString(registeredNames, name) || containsString(cfg.ScopeClaims[:i], name) {
			return nil, fmt.Errorf("verify: config: ScopeClaims entry %q is empty, registered or repeated", name)
		}
	}
	v.scopeClaims = append([]string(nil), cfg.ScopeClaims...)

	tc := cfg.TokenCache
	if tc.MaxEntries < 0 || tc.MaxBytes < 0 || tc.MaxCachedTokenBytes < 0 {
		return nil, errors.New("verify: config: negative TokenCache bound")
	}
	if !tc.Disable {
		v.cache = newTokenCache(tc)
	}
	return v, nil
}

func containsAlg(list []*algSpec, a *algSpec) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

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
		if e := keyError(err); e.Reason == ReasonUnavailable {
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
	c := &Claims{KeyID: pt.kid, Algorithm: pt.alg.name, Type: pt.typ, raw: pt.payload}
	e := v.checkClaims(ctx, c, &pt, res)
	if e != nil {
		e.KID = pt.kid
		e.Issuer = c.Issuer
		return nil, e
	}
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
	iss, e := v.selectIssuer(c, facts.hasIss)
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
	// 9–10. Key and signature.
	k, e := v.checkKeyAndSignature(ctx, iss.Keys, pt)
	if e != nil {
		return e
	}
	if res != nil {
		res.key, res.src = k, iss.Keys
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

// selectIssuer is step 5: the unverified iss picks the configured issuer.
func (v *Verifier) selectIssuer(c *Claims, hasIss bool) (*Issuer, *Error) {
	if v.skipIssuer {
		return &v.issuers[0], nil
	}
	if !hasIss {
		return nil, &Error{Reason: ReasonMissingClaim, Detail: "no iss"}
	}
	for i := range v.issuers {
		if v.issuers[i].Name == c.Issuer {
			return &v.issuers[i], nil
		}
	}
	detail := "iss " + strconv.Quote(truncate(c.Issuer, 128)) + " is not a configured issuer"
	for i := range v.issuers {
		if strings.TrimSuffix(v.issuers[i].Name, "/") == strings.TrimSuffix(c.Issuer, "/") {
			detail += " (configured " + strconv.Quote(v.issuers[i].Name) + ": issuers compare exactly, trailing slash included)"
			break
		}
	}
	return nil, &Error{Reason: ReasonInvalidIssuer, Detail: detail}
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
		out[i] = truncate(s, 128)
	}
	return out
}

// checkKeyAndSignature is steps 9–10: key lookup, key binding, signature.
// When the signature fails under a kid and src is a [jwks.Refresher], it
// asks src once whether the issuer republished the kid with another key,
// and checks the signature again if so (see refresh.go).
func (v *Verifier) checkKeyAndSignature(ctx context.Context, src jwks.Source, pt *parsed) (*jwks.Key, *Error) {
	k, err := src.Key(ctx, pt.kid, pt.alg.name)
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
				truncate(k.KID(), 64), k.Kty(), k.Alg(), k.Use(), k.Bits(), pt.alg.name)}
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

// Decode unmarshals the full verified payload into dst (any JSON target).
// It uses JSON v2 semantics (github.com/go-json-experiment/json): member
// names match struct fields case-sensitively, duplicate names are refused
// and unknown members are ignored.
func (c *Claims) Decode(dst any) error {
	if c == nil || c.raw == "" {
		return errors.New("verify: decode: no verified payload")
	}
	if err := json.Unmarshal([]byte(c.raw), dst); err != nil {
		return fmt.Errorf("verify: decode: %w", err)
	}
	return nil
}

// CheckNonce checks an ID token's "nonce" against the value the client sent
// in its authentication request, in constant time. It returns an *Error
// with ReasonMissingClaim when the token has no nonce and
// ReasonInvalidNonce when it differs (or nonce is empty).
func (c *Claims) CheckNonce(nonce string) error {
	if c.Nonce == "" {
		return &Error{Reason: ReasonMissingClaim, Detail: "no nonce", Issuer: c.Issuer, KID: c.KeyID}
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1 {
		return &Error{Reason: ReasonInvalidNonce, Detail: "nonce does not match", Issuer: c.Issuer, KID: c.KeyID}
	}
	return nil
}

// Check reports whether scopes satisfy s; on failure it returns an *Error
// with ReasonInsufficientScope and Required set to s.
func (s ScopeRule) Check(scopes []string) error {
	if s.satisfiedBy(scopes) {
		return nil
	}
	return &Error{Reason: ReasonInsufficientScope, Required: s, Detail: "need " + s.describe()}
}

func (s ScopeRule) satisfiedBy(scopes []string) bool {
	for _, want := range s.AllOf {
		if !containsString(scopes, want) {
			return false
		}
	}
	if len(s.AnyOf) == 0 && len(s.AnyPrefix) == 0 {
		return true
	}
	for _, want := range s.AnyOf {
		if containsString(scopes, want) {
			return true
		}
	}
	for _, p := range s.AnyPrefix {
		for _, have := range scopes {
			if strings.HasPrefix(have, p) {
				return true
			}
		}
	}
	return false
}

func (s ScopeRule) error(c *Claims) *Error {
	return &Error{Reason: ReasonInsufficientScope, Required: s, Issuer: c.Issuer, KID: c.KeyID,
		Detail: "need " + s.describe() + ", token has " + strconv.Quote(truncate(strings.Join(c.Scopes, " "), 256))}
}

// describe renders s for an Error's Detail: the quoted names, as
// before prefixes and roles existed, or each part labelled when the
// requirement has a prefix or a name with a space.
func (s ScopeRule) describe() string {
	if str := s.String(); len(s.AnyPrefix) == 0 && (str != "" || len(s.AllOf)+len(s.AnyOf) == 0) {
		return strconv.Quote(str)
	}
	var b strings.Builder
	for _, part := range []struct {
		name string
		list []string
	}{{"all of", s.AllOf}, {"any of", s.AnyOf}, {"any prefix", s.AnyPrefix}} {
		if len(part.list) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q", part.name, part.list)
	}
	return b.String()
}

// String renders the requirement for RFC 6750's scope= attribute: the
// AllOf scopes then the AnyOf scopes, space-separated. That attribute is a
// space-separated list of scope names, so it cannot carry a value with a
// space: when AllOf or AnyOf holds one ("Office Manager" would read as the
// two scopes "Office" and "Manager"), String returns "" and the transports
// leave the attribute out. AnyPrefix entries are families, not scopes a
// client could request, and are never listed.
func (s ScopeRule) String() string {
	for _, list := range [][]string{s.AllOf, s.AnyOf} {
		for _, sc := range list {
			if strings.Contains(sc, " ") {
				return ""
			}
		}
	}
	return strings.Join(append(append(make([]string, 0, len(s.AllOf)+len(s.AnyOf)), s.AllOf...), s.AnyOf...), " ")
}
