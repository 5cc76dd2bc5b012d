package httpmw

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/internal/claimsctx"
	"github.com/jwtguard/jwtguard/verify"
)

// DefaultRealm is the realm sent in challenges when Config.Realm is empty.
const DefaultRealm = "api"

// DefaultRetryAfter is the Retry-After sent with 503 answers when
// Config.RetryAfter is zero.
const DefaultRetryAfter = 30 * time.Second

// Sentinel errors for refusals decided before a token reaches the verifier.
// They are the same values grpcmw uses, so one errors.Is works for both
// transports. Every Failure with Code "" and Status 401 wraps
// ErrMissingToken; every Failure with Code "invalid_request" wraps
// ErrInvalidRequest. Refusals by the verifier carry a *verify.Error.
var (
	// ErrMissingToken: no bearer credentials (no Authorization header, or
	// another scheme such as Basic, and no enabled query/cookie token).
	ErrMissingToken = bearer.ErrMissing
	// ErrInvalidRequest: malformed or ambiguous credentials: several
	// Authorization headers, "Bearer" without a token, two tokens, a
	// token outside the b64token alphabet, a repeated query parameter or
	// cookie, or a token sent by more than one method.
	ErrInvalidRequest = bearer.ErrInvalidRequest
)

var (
	errTwoMethods    = fmt.Errorf("httpmw: token sent by more than one method: %w", ErrInvalidRequest)
	errQueryRepeated = fmt.Errorf("httpmw: token query parameter repeated: %w", ErrInvalidRequest)
	errQueryToken    = fmt.Errorf("httpmw: token query parameter is not a b64token: %w", ErrInvalidRequest)
	errCookieRepeat  = fmt.Errorf("httpmw: token cookie repeated: %w", ErrInvalidRequest)
	errCookieToken   = fmt.Errorf("httpmw: token cookie is not a b64token: %w", ErrInvalidRequest)
)

// Config configures a Middleware. Only Checker is required; every other
// zero field means the documented default.
type Config struct {
	// Checker checks tokens: a *verify.Verifier for JWTs, an introspection
	// or userinfo checker for opaque tokens, or a composition. Required.
	Checker verify.Checker

	// Realm is sent as realm="…" in every WWW-Authenticate challenge,
	// escaped as an RFC 9110 quoted-string. "" means DefaultRealm ("api").
	// Control characters are refused by New.
	Realm string

	// CredentialsOptional lets requests without any bearer credentials
	// through Handler, without claims in their context; handlers then call
	// verify.FromContext and decide. Requests that do carry credentials
	// are still verified, and refused when the token is bad or malformed.
	// Require ignores it: a route with Require always needs
	// a valid token. False (the default) answers 401 to missing
	// credentials.
	CredentialsOptional bool

	// Skip, when set and returning true, passes the request to the next
	// handler untouched: no token is read, no claims are set and nothing
	// is refused. Use it for health checks and CORS preflight (OPTIONS
	// with Access-Control-Request-Method). It must be fast and safe for
	// concurrent use. Nil skips nothing. Handler and Require both consult
	// it.
	Skip func(*http.Request) bool

	// TokenQueryParam, when set (conventionally "access_token"), also
	// accepts the token from this URI query parameter (RFC 6750 §2.3,
	// which says it SHOULD NOT be used: URLs end up in logs and browser
	// history). Accepted requests then get "Cache-Control: private" as
	// §2.3 asks. "" (the default) ignores the query.
	TokenQueryParam string

	// TokenCookie, when set, also accepts the token from the cookie of this
	// name. Browsers send cookies on cross-site requests: protect
	// state-changing routes against CSRF (SameSite cookies, an Origin
	// check). "" (the default) ignores cookies.
	TokenCookie string

	// ResourceMetadata, when set, is the RFC 9728 protected resource
	// metadata URL, sent as resource_metadata="…" in every challenge so
	// clients can discover the authorization server. It must be an absolute
	// URL; resourcemeta.Handler.URL gives the one its document is served
	// at. "" sends none.
	ResourceMetadata string

	// RetryAfter is sent (rounded up to whole seconds) in the Retry-After
	// header of 503 answers, given when the verifier cannot obtain signing
	// keys. Zero means DefaultRetryAfter (30 s); negative values are
	// refused by New.
	RetryAfter time.Duration

	// ErrorWriter, when set, writes every refusal instead of the default
	// writer (a short fixed text/plain body per status). Before it is
	// called, WWW-Authenticate (and, for 503, Retry-After) are already set
	// on w.Header(); it must write the status (normally f.Status) and may
	// change headers. Failure details are for logs, not for the client.
	ErrorWriter func(w http.ResponseWriter, r *http.Request, f *Failure)

	// OnReject, when set, is called synchronously with every refusal
	// before the answer is written, with the request's context and the
	// exact cause (Transport "http", Method "GET /path"). It has the same
	// shape as grpcmw's and connectguard's, so one hook serves all three.
	// It is the place to log or count refusals; nothing it sees is sent to
	// the client. It must be fast and safe for concurrent use.
	OnReject func(ctx context.Context, r verify.Rejection)

	// RequireCertBinding refuses every token that is not bound to a TLS
	// client certificate (RFC 8705 §3: cnf x5t#S256) with 401
	// invalid_token (verify.ReasonInvalidCertBinding). A bound token must
	// come with its certificate whatever this says: the request's
	// r.TLS.PeerCertificates[0] (see [verify.Claims.CheckCertBinding]).
	// Ask clients for certificates with tls.Config.ClientAuth
	// (tls.RequestClientCert or stronger). False, the default, lets
	// unbound tokens through.
	RequireCertBinding bool

	// DPoP, when set (to a *dpop.Verifier), also accepts DPoP-bound access
	// tokens (RFC 9449): "Authorization: DPoP <token>" with one DPoP proof
	// header, checked against the request and the token's cnf.jkt. With it
	// set, a token bound to a key (cnf.jkt) is refused when presented as
	// Bearer (RFC 9449 §7.2), in every mode, and challenges name the DPoP
	// scheme as DPoPMode says. Nil (the default) keeps plain RFC 6750
	// behaviour: the DPoP scheme counts as missing credentials, and a token
	// bound to a DPoP key is refused (binding_mismatch), since its binding
	// cannot be proven.
	DPoP DPoPChecker

	// DPoPMode is the mode of Handler and Require when DPoP is set:
	// DPoPAllowed (the zero value) takes both schemes, DPoPRequired only
	// DPoP, DPoPDisabled only Bearer. RequireDPoP sets a mode per route.
	// Ignored when DPoP is nil.
	DPoPMode DPoPMode
}

// Middleware verifies bearer tokens in front of net/http handlers. It is
// immutable and safe for concurrent use; it owns no goroutines.
type Middleware struct {
	v            verify.Checker
	dv           DPoPChecker // nil: no DPoP
	verified     any         // context key for claims this Middleware's Checker verified
	lateScan     bool        // check the header token's alphabet only when v refuses it
	handler      route
	optional     bool
	skip         func(*http.Request) bool
	query        string
	cookie       string
	retryAfter   string
	errorWriter  func(http.ResponseWriter, *http.Request, *Failure)
	onReject     func(context.Context, verify.Rejection)
	certBound    bool
	realmAttr    string // `realm="…"`
	metadataAttr string // `, resource_metadata="…"` or ""
	chMissing    string
	chInvalidReq string
	chInvalidTok string
}

// route is a scope requirement with its precomputed 403 challenge, and
// the route's DPoP mode.
type route struct {
	need      verify.ScopeRule
	forbidden string
	mode      DPoPMode
}

// New validates cfg and returns a Middleware.
func New(cfg Config) (*Middleware, error) {
	if cfg.Checker == nil {
		return nil, errors.New("httpmw: Config.Checker is required")
	}
	realm := cfg.Realm
	if realm == "" {
		realm = DefaultRealm
	}
	if hasCTL(realm) {
		return nil, fmt.Errorf("httpmw: Config.Realm %q contains control characters", realm)
	}
	if cfg.RetryAfter < 0 {
		return nil, fmt.Errorf("httpmw: Config.RetryAfter %v is negative", cfg.RetryAfter)
	}
	retry := cfg.RetryAfter
	if retry == 0 {
		retry = DefaultRetryAfter
	}
	if hasCTL(cfg.TokenQueryParam) || hasCTL(cfg.TokenCookie) {
		return nil, errors.New("httpmw: Config.TokenQueryParam and TokenCookie must not contain control characters")
	}
	// The Verifier accepts only base64url segments and dots, a subset of
	// the b64token alphabet: a token it accepts needs no pass over its
	// characters (a third of the middleware's cost on a warm token,
	// BenchmarkOverhead), and one it refuses is checked then.
	_, isVerifier := cfg.Checker.(*verify.Verifier)
	if cfg.DPoPMode > DPoPDisabled {
		return nil, fmt.Errorf("httpmw: Config.DPoPMode %v is unknown", cfg.DPoPMode)
	}
	if cfg.DPoP != nil {
		if v := reflect.ValueOf(cfg.DPoP); v.Kind() == reflect.Pointer && v.IsNil() {
			return nil, errors.New("httpmw: Config.DPoP is a nil pointer")
		}
	}
	m := &Middleware{
		v:           cfg.Checker,
		dv:          cfg.DPoP,
		verified:    verifiedKeyFor(cfg.Checker),
		lateScan:    isVerifier && cfg.TokenQueryParam == "" && cfg.TokenCookie == "" && cfg.DPoP == nil,
		optional:    cfg.CredentialsOptional,
		skip:        cfg.Skip,
		query:       cfg.TokenQueryParam,
		cookie:      cfg.TokenCookie,
		retryAfter:  strconv.FormatInt(int64((retry+time.Second-1)/time.Second), 10),
		errorWriter: cfg.ErrorWriter,
		onReject:    cfg.OnReject,
		certBound:   cfg.RequireCertBinding,
		realmAttr:   "realm=" + quote(realm),
	}
	if cfg.ResourceMetadata != "" {
		u, err := url.Parse(cfg.ResourceMetadata)
		if err != nil || !u.IsAbs() || u.Host == "" || hasCTL(cfg.ResourceMetadata) {
			return nil, fmt.Errorf("httpmw: Config.ResourceMetadata %q is not an absolute URL", cfg.ResourceMetadata)
		}
		m.metadataAttr = ", resource_metadata=" + quote(cfg.ResourceMetadata)
	}
	m.chMissing = m.challenge("", "")
	m.chInvalidReq = m.challenge("invalid_request", "")
	m.chInvalidTok = m.challenge("invalid_token", "")
	m.handler = m.route(verify.ScopeRule{}, cfg.DPoPMode)
	return m, nil
}

func (m *Middleware) route(need verify.ScopeRule, mode DPoPMode) route {
	return route{need: need, forbidden: m.challenge("insufficient_scope", need.String()), mode: mode}
}

// Handler returns next wrapped so that every request must carry a valid
// bearer token (unless Skip or CredentialsOptional let it through); Require
// adds a route's scope rule. The verified claims are in the request's context:
// verify.FromContext(r.Context()). Its signature fits
// func(http.Handler) http.Handler middleware chains.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	rt := m.handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next, &rt, true)
	})
}

// Require returns middleware demanding a valid bearer token that meets s,
// for one route: it composes with http.ServeMux patterns and routers that
// take func(http.Handler) http.Handler:
//
//	mux.Handle("POST /v1/sms", mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})(h))
//
// Behind this Middleware's Handler
// (or another Middleware sharing its Verifier) the token was already
// verified for this request: Require then only checks s against the claims
// that Handler stored, without verifying again. Used alone, it verifies the
// token itself. CredentialsOptional does not apply: a request without
// credentials is refused.
//
// Require panics if [verify.ScopeRule.Validate] refuses s (an empty scope, a
// control or non-ASCII character, a prefix not ending in punctuation), as
// http.ServeMux.Handle panics on a bad pattern: the requirement is fixed at
// start-up, not attacker input. A role-like value such as "Office Manager"
// is valid.
func (m *Middleware) Require(s verify.ScopeRule) func(http.Handler) http.Handler {
	if err := s.Validate(); err != nil {
		panic("httpmw: Require: " + err.Error())
	}
	return m.require(s, m.handler.mode)
}

func (m *Middleware) require(s verify.ScopeRule, mode DPoPMode) func(http.Handler) http.Handler {
	rt := m.route(s, mode)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.serve(w, r, next, &rt, false)
		})
	}
}

// verifiedKey marks the claims a Middleware verified for this request, per
// Checker, so a nested Require can trust them without verifying again.
type verifiedKey struct{ c verify.Checker }

// ownKey is the context key of a Middleware whose Checker cannot be compared
// (its dynamic type is not comparable): it then trusts only its own claims.
type ownKey struct{ _ byte }

// verifiedKeyFor returns the context key under which claims verified by c
// are stored. Middlewares sharing a comparable Checker share the key.
func verifiedKeyFor(c verify.Checker) any {
	if reflect.TypeOf(c).Comparable() {
		return verifiedKey{c}
	}
	return &ownKey{}
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler, rt *route, outer bool) {
	if m.skip != nil && m.skip(r) {
		next.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	if !outer {
		if c, ok := ctx.Value(m.verified).(*verify.Claims); ok && c != nil {
			sch, err := m.schemeAllowed(ctx, rt)
			if err == nil {
				err = rt.need.Check(c.Scopes)
			}
			if err != nil {
				m.refuse(w, r, rt, sch, err)
				return
			}
			// The outer Middleware checked a bound token's certificate,
			// but it may not have required one.
			if m.certBound {
				if err := c.CheckCertBinding(peerLeaf(r.TLS), true); err != nil {
					m.refuse(w, r, rt, sch, err)
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
	}
	tok, sch, fromQuery, err := m.token(r, rt.mode)
	if err != nil {
		if outer && m.optional && errors.Is(err, ErrMissingToken) {
			next.ServeHTTP(w, r)
			return
		}
		m.refuse(w, r, rt, sch, err)
		return
	}
	var c *verify.Claims
	if m.dv != nil {
		c, ctx, err = m.checkDPoP(ctx, r, tok, sch, rt)
	} else {
		c, err = m.v.Verify(ctx, tok, rt.need)
		if err != nil && m.lateScan {
			if bad := bearer.Check(tok); bad != nil {
				err = bad // what bearer.Parse would have answered
			}
		}
	}
	if err == nil {
		err = c.CheckCertBinding(peerLeaf(r.TLS), m.certBound)
	}
	if err == nil && m.dv == nil {
		err = c.CheckNotDPoPBound()
	}
	if err != nil {
		m.refuse(w, r, rt, sch, err)
		return
	}
	ctx = claimsctx.WithMark(ctx, c, m.verified)
	if fromQuery {
		w.Header().Set("Cache-Control", "private")
	}
	next.ServeHTTP(w, r.WithContext(ctx))
}

// peerLeaf is the client certificate of a TLS connection, or nil.
func peerLeaf(cs *tls.ConnectionState) *x509.Certificate {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	return cs.PeerCertificates[0]
}

// token finds the request's one bearer token among the enabled sources.
// With lateScan (the header is the only source), a header token outside
// the b64token alphabet is returned for the Checker to refuse; serve then
// answers as bearer.Parse would have.
func (m *Middleware) token(r *http.Request, mode DPoPMode) (tok string, sch bearer.Scheme, fromQuery bool, err error) {
	if m.lateScan {
		tok, err = bearer.Extract(r.Header["Authorization"])
		return tok, bearer.SchemeBearer, false, err
	}
	sch, tok, err = m.headerToken(r, mode)
	found := err == nil
	if err != nil && !errors.Is(err, ErrMissingToken) {
		return "", sch, false, err
	}
	if m.query != "" && r.URL != nil && r.URL.RawQuery != "" {
		if vs, ok := r.URL.Query()[m.query]; ok {
			switch {
			case len(vs) != 1:
				return "", sch, false, errQueryRepeated
			case !bearer.IsToken(vs[0]):
				return "", sch, false, errQueryToken
			case found:
				return "", sch, false, errTwoMethods
			}
			tok, found, fromQuery, sch = vs[0], true, true, bearer.SchemeBearer
		}
	}
	if m.cookie != "" {
		if cs := r.CookiesNamed(m.cookie); len(cs) > 0 {
			switch {
			case len(cs) != 1:
				return "", sch, false, errCookieRepeat
			case !bearer.IsToken(cs[0].Value):
				return "", sch, false, errCookieToken
			case found:
				return "", sch, false, errTwoMethods
			}
			tok, found, fromQuery, sch = cs[0].Value, true, false, bearer.SchemeBearer
		}
	}
	if !found {
		return "", sch, false, err // the header's ErrMissingToken
	}
	if m.dv != nil && mode == DPoPRequired && sch != bearer.SchemeDPoP {
		return "", sch, false, errDPoPRequired
	}
	return tok, sch, fromQuery, nil
}
