package grpcmw

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"google.golang.org/grpc/metadata"

	"github.com/jwtguard/jwtguard/internal/rpcdpop"
	"github.com/jwtguard/jwtguard/verify"
)

// DPoPChecker checks DPoP proofs (RFC 9449) for an Interceptor; a
// *dpop.Verifier is one. It is the DPoP counterpart of the verify.Checker
// seam: the interceptor reads metadata and answers, the checker decides.
type DPoPChecker interface {
	// CheckRPC checks the proofs (every "dpop" metadata value) of a call
	// to procedure at authority carrying token, whose claims c a
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

// checkDPoP reads the "authorization" values with either scheme and
// checks the token and, for the DPoP scheme, its proof (internal/rpcdpop).
func (i *Interceptor) checkDPoP(ctx context.Context, method string, need verify.ScopeRule, values []string) (*verify.Claims, context.Context, error) {
	mode := i.modeOf(method)
	return rpcdpop.Check(ctx, i.v, i.dv, need, rpcdpop.Call{
		Procedure:     method,
		Authorization: values,
		Authority: func() string {
			if a := metadata.ValueFromIncomingContext(ctx, ":authority"); len(a) == 1 {
				return a[0]
			}
			return ""
		},
		Proofs:   func() []string { return metadata.ValueFromIncomingContext(ctx, "dpop") },
		Required: mode == DPoPRequired,
		Disabled: mode == DPoPDisabled,
	})
}

// modeOf returns method's DPoP mode: its Config.DPoPMethods entry, else
// Config.DPoPMode.
func (i *Interceptor) modeOf(method string) DPoPMode {
	if m, ok := i.dpopMethods[method]; ok {
		return m
	}
	return i.dpopMode
}

// validDPoP refuses, in New, an unknown mode and a nil pointer in
// Config.DPoP (which would panic on the first DPoP call).
func validDPoP(cfg Config) error {
	if cfg.DPoPMode > DPoPDisabled {
		return fmt.Errorf("grpcmw: Config.DPoPMode %d is unknown", cfg.DPoPMode)
	}
	if len(cfg.DPoPMethods) > 0 && cfg.DPoP == nil {
		return errors.New("grpcmw: Config.DPoPMethods needs Config.DPoP")
	}
	for name, mode := range cfg.DPoPMethods {
		if !validMethodName(name) {
			return fmt.Errorf("grpcmw: Config.DPoPMethods: %q is not a full method name like \"/package.Service/Method\"", name)
		}
		if mode > DPoPDisabled {
			return fmt.Errorf("grpcmw: Config.DPoPMethods[%q]: mode %d is unknown", name, mode)
		}
	}
	if cfg.DPoP != nil {
		if v := reflect.ValueOf(cfg.DPoP); v.Kind() == reflect.Pointer && v.IsNil() {
			return errors.New("grpcmw: Config.DPoP is a nil pointer")
		}
	}
	return nil
}
