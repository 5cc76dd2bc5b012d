// Package rpcdpop reads and checks the credentials of a gRPC or Connect
// call when DPoP (RFC 9449) is enabled: the part grpcmw and connectguard
// share.
package rpcdpop

import (
	"context"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// Checker is grpcmw.DPoPChecker and connectguard.DPoPChecker; a
// *dpop.Verifier is one.
type Checker interface {
	CheckRPC(ctx context.Context, authority, procedure string, proofs []string, token string, c *verify.Claims) (context.Context, error)
	CheckBearer(c *verify.Claims) error
}

// Refusals for a scheme the server's mode does not take; both are
// missing credentials.
var (
	ErrRequired = fmt.Errorf("the server takes only the DPoP scheme: %w", bearer.ErrMissing)
	ErrDisabled = fmt.Errorf("the server does not take the DPoP scheme: %w", bearer.ErrMissing)
)

// Call is one call's credentials and the server's mode.
type Call struct {
	Procedure     string   // the full method path, "/pkg.Service/Method"
	Authorization []string // every "authorization" value
	// Authority and Proofs return the call's authority and every "dpop"
	// value; they are read only for the DPoP scheme.
	Authority func() string
	Proofs    func() []string
	// Required takes only the DPoP scheme, Disabled only Bearer.
	Required, Disabled bool
}

// Check reads the "authorization" values with either scheme and verifies
// the token with v; for the DPoP scheme it checks the proof with dv
// before the scope requirement need, so that a token used without its
// key learns nothing about its scopes. A Bearer token bound to a key is
// refused in every mode (RFC 9449 §7.2). It returns the claims, and ctx
// carrying the accepted proof for the DPoP scheme.
func Check(ctx context.Context, v verify.Checker, dv Checker, need verify.ScopeRule, c Call) (*verify.Claims, context.Context, error) {
	sch, tok, err := bearer.ExtractScheme(c.Authorization)
	if err == nil {
		err = bearer.Check(tok)
	}
	switch {
	case err != nil:
		return nil, ctx, err
	case sch == bearer.SchemeDPoP && c.Disabled:
		return nil, ctx, ErrDisabled
	case sch != bearer.SchemeDPoP && c.Required:
		return nil, ctx, ErrRequired
	case sch != bearer.SchemeDPoP:
		claims, err := v.Verify(ctx, tok, need)
		if err == nil {
			err = dv.CheckBearer(claims)
		}
		return claims, ctx, err
	}
	var none verify.ScopeRule
	claims, err := v.Verify(ctx, tok, none)
	if err != nil {
		return nil, ctx, err
	}
	pctx, err := dv.CheckRPC(ctx, c.Authority(), c.Procedure, c.Proofs(), tok, claims)
	if err != nil {
		return nil, ctx, err
	}
	if err := need.Check(claims.Scopes); err != nil {
		return nil, ctx, err
	}
	return claims, pctx, nil
}
