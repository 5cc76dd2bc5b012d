package connectguard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"

	"github.com/jwtguard/jwtguard/internal/rpcdpop"
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

// checkDPoP reads the Authorization values with either scheme and checks
// the token and, for the DPoP scheme, its proof (internal/rpcdpop), with
// the authority TLSHandler recorded.
func (i *Interceptor) checkDPoP(ctx context.Context, procedure string, need verify.ScopeRule, h http.Header) (*verify.Claims, context.Context, error) {
	t, wrapped := ctx.Value(tlsKey{}).(*transport)
	mode := i.modeOf(procedure)
	c, pctx, err := rpcdpop.Check(ctx, i.v, i.dv, need, rpcdpop.Call{
		Procedure:     procedure,
		Authorization: h.Values("Authorization"),
		Authority: func() string {
			if wrapped {
				return t.host
			}
			return ""
		},
		Proofs:   func() []string { return h.Values("DPoP") },
		Required: mode == DPoPRequired,
		Disabled: mode == DPoPDisabled,
	})
	if !wrapped && verify.ReasonOf(err) == verify.ReasonInvalidDPoPProof {
		err = fmt.Errorf("connectguard: the handler is not wrapped with TLSHandler, so the authority is unknown: %w", err)
	}
	return c, pctx, err
}

// modeOf returns procedure's DPoP mode: its Config.DPoPProcedures entry,
// else Config.DPoPMode.
func (i *Interceptor) modeOf(procedure string) DPoPMode {
	if m, ok := i.dpopProcs[procedure]; ok {
		return m
	}
	return i.dpopMode
}

// validDPoP refuses, in New, an unknown mode and a nil pointer in
// Config.DPoP (which would panic on the first DPoP call).
func validDPoP(cfg Config) error {
	if cfg.DPoPMode > DPoPDisabled {
		return fmt.Errorf("connectguard: Config.DPoPMode %d is unknown", cfg.DPoPMode)
	}
	if len(cfg.DPoPProcedures) > 0 && cfg.DPoP == nil {
		return errors.New("connectguard: Config.DPoPProcedures needs Config.DPoP")
	}
	for name, mode := range cfg.DPoPProcedures {
		if !validProcedure(name) {
			return fmt.Errorf("connectguard: Config.DPoPProcedures: %q is not a procedure name like \"/package.Service/Method\"", name)
		}
		if mode > DPoPDisabled {
			return fmt.Errorf("connectguard: Config.DPoPProcedures[%q]: mode %d is unknown", name, mode)
		}
	}
	if cfg.DPoP != nil {
		if v := reflect.ValueOf(cfg.DPoP); v.Kind() == reflect.Pointer && v.IsNil() {
			return errors.New("connectguard: Config.DPoP is a nil pointer")
		}
	}
	return nil
}
