package httpmw

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// DPoPChecker checks DPoP proofs (RFC 9449) for a Middleware; a
// *dpop.Verifier is one. It is the DPoP counterpart of the verify.Checker
// seam: the middleware parses credentials and answers, the checker
// decides.
type DPoPChecker interface {
	// CheckHTTP checks r's DPoP proof for token, whose claims c a
	// verify.Checker returned (proof, request and cnf.jkt binding), and
	// returns ctx carrying the accepted proof. A refusal is a
	// *verify.Error.
	CheckHTTP(ctx context.Context, r *http.Request, token string, c *verify.Claims) (context.Context, error)
	// CheckBearer refuses c, the claims of a token presented as a Bearer
	// token, when the token is bound to a key (RFC 9449 §7.2).
	CheckBearer(c *verify.Claims) error
	// Algorithms is the space-separated list sent as algs="…".
	Algorithms() string
	// Nonce returns the nonce sent in DPoP-Nonce with a use_dpop_nonce
	// refusal; "" sends none.
	Nonce(ctx context.Context) (string, error)
}

// DPoPMode says which schemes a route takes when Config.DPoP is set.
type DPoPMode uint8

const (
	// DPoPAllowed takes the Bearer and the DPoP scheme; a token bound to
	// a key is still refused as Bearer. The zero value.
	DPoPAllowed DPoPMode = iota
	// DPoPRequired takes only the DPoP scheme with its proof.
	DPoPRequired
	// DPoPDisabled takes only the Bearer scheme; the DPoP scheme counts
	// as missing credentials. Tokens bound to a key are refused, since
	// they cannot be used here.
	DPoPDisabled
)

// dpopUsed marks a request context whose token this Middleware accepted
// with the DPoP scheme, for a nested Require.
type dpopUsed struct{}

var (
	errDPoPRequired = fmt.Errorf("httpmw: the route takes only the DPoP scheme: %w", ErrMissingToken)
	errDPoPDisabled = fmt.Errorf("httpmw: the route does not take the DPoP scheme: %w", ErrMissingToken)
)

// RequireDPoP is [Middleware.Require] for a route whose DPoP mode is mode
// rather than Config.DPoPMode: DPoPRequired for a route that only takes
// DPoP-bound tokens with their proof, DPoPDisabled for one that only takes
// Bearer tokens. Behind Handler, a request that Handler accepted
// with a scheme mode refuses is refused as lacking credentials. It panics
// when the Middleware has no Config.DPoP, or as Require does.
func (m *Middleware) RequireDPoP(mode DPoPMode, s verify.ScopeRule) func(http.Handler) http.Handler {
	if m.dv == nil {
		panic("httpmw: RequireDPoP: Config.DPoP is nil")
	}
	if mode > DPoPDisabled {
		panic(fmt.Sprintf("httpmw: RequireDPoP: unknown mode %d", mode))
	}
	if err := s.Validate(); err != nil {
		panic("httpmw: RequireDPoP: " + err.Error())
	}
	return m.require(s, mode)
}

// headerToken reads the Authorization header: the Bearer scheme only
// without DPoP or on a Disabled route, Bearer or DPoP otherwise.
func (m *Middleware) headerToken(r *http.Request, mode DPoPMode) (bearer.Scheme, string, error) {
	if m.dv == nil || mode == DPoPDisabled {
		tok, err := bearer.Parse(r.Header["Authorization"])
		if err != nil && m.dv != nil && errors.Is(err, ErrMissingToken) {
			// "DPoP …" on a Bearer-only route: say why in the logs.
			if sch, _, derr := bearer.ExtractScheme(r.Header["Authorization"]); derr == nil && sch == bearer.SchemeDPoP {
				return 0, "", errDPoPDisabled
			}
		}
		if err != nil {
			return 0, "", err
		}
		return bearer.SchemeBearer, tok, nil
	}
	sch, tok, err := bearer.ExtractScheme(r.Header["Authorization"])
	if err == nil {
		err = bearer.Check(tok)
	}
	if err != nil {
		return 0, "", err
	}
	return sch, tok, nil
}

// checkDPoP verifies the token and, for the DPoP scheme, its proof,
// before the scope requirement, so that a token used without its key
// learns nothing about its scopes. A Bearer token bound to a key is
// refused (RFC 9449 §7.2). It returns the claims, and ctx with the
// accepted proof for the DPoP scheme.
func (m *Middleware) checkDPoP(ctx context.Context, r *http.Request, tok string, sch bearer.Scheme, rt *route) (*verify.Claims, context.Context, error) {
	if sch != bearer.SchemeDPoP {
		c, err := m.v.Verify(ctx, tok, rt.need)
		if err == nil {
			err = m.dv.CheckBearer(c)
		}
		return c, ctx, err
	}
	var none verify.ScopeRule
	c, err := m.v.Verify(ctx, tok, none)
	if err != nil {
		return nil, ctx, err
	}
	pctx, err := m.dv.CheckHTTP(ctx, r, tok, c)
	if err != nil {
		return nil, ctx, err
	}
	if err := rt.need.Check(c.Scopes); err != nil {
		return nil, ctx, err
	}
	return c, context.WithValue(pctx, dpopUsed{}, true), nil
}

// schemeAllowed checks, for a Require behind Handler, that the scheme the
// request was accepted with is one rt's mode takes.
func (m *Middleware) schemeAllowed(ctx context.Context, rt *route) (bearer.Scheme, error) {
	if m.dv == nil {
		return bearer.SchemeBearer, nil
	}
	isDPoP := ctx.Value(dpopUsed{}) != nil
	switch {
	case isDPoP && rt.mode == DPoPDisabled:
		return bearer.SchemeDPoP, errDPoPDisabled
	case !isDPoP && rt.mode == DPoPRequired:
		return bearer.SchemeBearer, errDPoPRequired
	case isDPoP:
		return bearer.SchemeDPoP, nil
	}
	return bearer.SchemeBearer, nil
}

// setChallenges sets WWW-Authenticate for a refusal with OAuth error code
// (and bearerCh, the Bearer challenge RFC 6750 alone would send): per
// RFC 9449 §7.1 a DPoP challenge with algs="…" joins or replaces it, and
// carries the error when the request used the DPoP scheme. A refusal for
// want of the server nonce also gets the nonce in DPoP-Nonce.
func (m *Middleware) setChallenges(h http.Header, r *http.Request, rt *route, sch bearer.Scheme, code, bearerCh string) {
	if bearerCh == "" && code == "" {
		return // 503: not the client's fault, no challenge
	}
	if m.dv == nil || rt.mode == DPoPDisabled {
		if bearerCh != "" {
			h.Set("WWW-Authenticate", bearerCh)
		}
		return
	}
	if code == "use_dpop_nonce" {
		if n, err := m.dv.Nonce(r.Context()); err == nil && n != "" {
			h.Set("DPoP-Nonce", n)
		}
	}
	scope := ""
	if code == "insufficient_scope" {
		scope = rt.need.String()
	}
	switch {
	case rt.mode == DPoPRequired:
		h.Set("WWW-Authenticate", m.challengeFor("DPoP", code, scope))
	case sch == bearer.SchemeDPoP:
		h.Set("WWW-Authenticate", m.chMissing)
		h.Add("WWW-Authenticate", m.challengeFor("DPoP", code, scope))
	default:
		h.Set("WWW-Authenticate", bearerCh)
		h.Add("WWW-Authenticate", m.challengeFor("DPoP", "", ""))
	}
}
