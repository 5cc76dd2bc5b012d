package connectguard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// DPoPChecker checks DPoP proofs (RFC 9449) for an Interceptor; a
// *dpop.Verifier is one. It is the DPoP counterpart of the verify.Checker
// seam: the interceptor reads headers and answers, the checker decides.
type DPoPChecker interface {
	// CheckRPC checks the proofs (every DPoP header value) of a call to
	// procedure at authority carrying token, whose claims c a
	// verify.Checker returned, and returns ctx carrying the accepted
	// proof. htm is "POST" and htu "https://" + authority + procedure
	// (or the checker's configured origin + procedure). A refusal is a
	// *verify.Error.
	CheckRPC(ctx context.Context, authority, procedure string, proofs []string, token string, c *verify.Claims) (context.Context, error)
	// CheckBearer refuses c, the claims of a token presented as a Bearer
	// token, when the token is bound to a key (RFC 9449 §7.2).
	CheckBearer(c *verify.Claims) error
}

// DPoPMode says which schemes the Interceptor takes when Config.DPoP is
// set.
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

var (
	errDPoPRequired = fmt.Errorf("connectguard: the server takes only the DPoP scheme: %w", ErrMissingToken)
	errDPoPDisabled = fmt.Errorf("connectguard: the server does not take the DPoP scheme: %w", ErrMissingToken)
)

// checkDPoP reads the Authorization values with either scheme and
// verifies the token; for the DPoP scheme it checks the proof before the
// scope requirement, so that a token used without its key learns nothing
// about its scopes. A Bearer token bound to a key is refused in every
// mode (RFC 9449 §7.2).
func (i *Interceptor) checkDPoP(ctx context.Context, procedure string, need verify.ScopeRule, h http.Header) (*verify.Claims, context.Context, error) {
	sch, tok, err := bearer.ExtractScheme(h.Values("Authorization"))
	if err == nil {
		err = bearer.Check(tok)
	}
	switch {
	case err != nil:
		return nil, ctx, err
	case sch == bearer.SchemeDPoP && i.dpopMode == DPoPDisabled:
		return nil, ctx, errDPoPDisabled
	case sch != bearer.SchemeDPoP && i.dpopMode == DPoPRequired:
		return nil, ctx, errDPoPRequired
	case sch != bearer.SchemeDPoP:
		c, err := i.v.Verify(ctx, tok, need)
		if err == nil {
			err = i.dv.CheckBearer(c)
		}
		return c, ctx, err
	}
	var none verify.ScopeRule
	c, err := i.v.Verify(ctx, tok, none)
	if err != nil {
		return nil, ctx, err
	}
	authority := ""
	t, wrapped := ctx.Value(tlsKey{}).(*transport)
	if wrapped {
		authority = t.host
	}
	pctx, err := i.dv.CheckRPC(ctx, authority, procedure, h.Values("DPoP"), tok, c)
	if err != nil {
		if !wrapped {
			err = fmt.Errorf("connectguard: the handler is not wrapped with TLSHandler, so the authority is unknown: %w", err)
		}
		return nil, ctx, err
	}
	if err := need.Check(c.Scopes); err != nil {
		return nil, ctx, err
	}
	return c, pctx, nil
}

// validDPoP refuses, in New, an unknown mode and a nil pointer in
// Config.DPoP (which would panic on the first DPoP call).
func validDPoP(cfg Config) error {
	if cfg.DPoPMode > DPoPDisabled {
		return fmt.Errorf("connectguard: Config.DPoPMode %d is unknown", cfg.DPoPMode)
	}
	if cfg.DPoP != nil {
		if v := reflect.ValueOf(cfg.DPoP); v.Kind() == reflect.Pointer && v.IsNil() {
			return errors.New("connectguard: Config.DPoP is a nil pointer")
		}
	}
	return nil
}
