package connectguard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"connectrpc.com/connect"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// Sentinel errors for refusals decided by the interceptor itself. Refusals
// by the checker carry a *verify.Error instead (match it with the verify
// sentinels or [verify.ReasonOf]).
var (
	// ErrMissingToken: no bearer credentials. The same value as
	// httpmw.ErrMissingToken and grpcmw.ErrMissingToken.
	ErrMissingToken = bearer.ErrMissing
	// ErrInvalidRequest: several Authorization headers, "Bearer" without a
	// token, two tokens, or a token outside the RFC 6750 b64token
	// alphabet. The same value as httpmw.ErrInvalidRequest.
	ErrInvalidRequest = bearer.ErrInvalidRequest
	// ErrUnlistedProcedure: Config.DenyUnlisted is set and the procedure
	// has no entry in Config.Procedures. The token was valid.
	ErrUnlistedProcedure = errors.New("connectguard: procedure not listed")
)

// The messages clients see. They are fixed and say nothing about why.
const (
	msgUnauthenticated = "missing or invalid token"
	msgPermission      = "insufficient scope"
	msgUnavailable     = "authentication temporarily unavailable"
)

// Config configures an [Interceptor]. Only Checker is required.
type Config struct {
	// Checker checks every token. Required.
	Checker verify.Checker

	// Procedures maps procedure names ("/package.Service/Method", as in
	// connect.Spec.Procedure) to the scopes a token needs to call them. A
	// zero verify.ScopeRule entry means "any valid token". New copies the
	// map.
	Procedures map[string]verify.ScopeRule

	// DenyUnlisted refuses every procedure without an entry in Procedures
	// with CodePermissionDenied, after the token is verified. False, the
	// default, lets an unlisted procedure through with any valid token.
	DenyUnlisted bool

	// Skip, when set, is called first for every RPC; when it returns true
	// the RPC proceeds with no credentials check and no claims in its
	// context. Nil skips nothing.
	Skip func(ctx context.Context, procedure string) bool

	// OnReject, when set, is called synchronously with every refusal
	// (Transport "connect", Method the procedure) and its exact cause in
	// Err: an error matching ErrMissingToken, ErrInvalidRequest or
	// ErrUnlistedProcedure, or a *verify.Error. It has the same shape as
	// httpmw's and grpcmw's, so one hook serves all three. It must be fast
	// and safe for concurrent use.
	OnReject func(ctx context.Context, r verify.Rejection)

	// RequireCertBinding refuses every token that is not bound to a TLS
	// client certificate (RFC 8705 §3: cnf x5t#S256) with
	// CodeUnauthenticated (verify.ReasonInvalidCertBinding). A bound token
	// must come with its certificate whatever this says (see
	// [verify.Claims.CheckCertBinding]); the interceptor learns the
	// request's certificate only from [TLSHandler], which must wrap the
	// Connect handler. False, the default, lets unbound tokens through.
	RequireCertBinding bool

	// DPoP, when set, also takes DPoP-bound tokens (RFC 9449): the token
	// as "Authorization: DPoP <token>" and its proof as exactly one DPoP
	// header, signed for htm "POST" and htu "https://" + authority +
	// procedure (see [DPoPChecker]), where the authority is the request's
	// Host (:authority) that [TLSHandler] records; a *dpop.Verifier is
	// one. A token bound to a key is refused as a Bearer token in every
	// mode. Nil takes only Bearer tokens.
	DPoP DPoPChecker

	// DPoPMode says which schemes are taken when DPoP is set:
	// DPoPAllowed (the zero value) both, DPoPRequired only DPoP,
	// DPoPDisabled only Bearer.
	DPoPMode DPoPMode

	// DPoPProcedures overrides DPoPMode per procedure
	// ("/package.Service/Method"). New copies it and refuses malformed
	// names, unknown modes, and entries without DPoP.
	DPoPProcedures map[string]DPoPMode
}

// Interceptor is a connect.Interceptor that verifies bearer tokens on
// incoming RPCs. It is safe for concurrent use and holds no goroutines.
type Interceptor struct {
	v            verify.Checker
	procedures   map[string]verify.ScopeRule
	denyUnlisted bool
	skip         func(context.Context, string) bool
	onReject     func(context.Context, verify.Rejection)
	certBound    bool
	dv           DPoPChecker
	dpopMode     DPoPMode
	dpopProcs    map[string]DPoPMode
}

var _ connect.Interceptor = (*Interceptor)(nil)

// New validates cfg and returns an Interceptor. It refuses a nil Checker,
// procedure names not of the form "/package.Service/Method", and scopes
// that could never match a token.
func New(cfg Config) (*Interceptor, error) {
	if cfg.Checker == nil {
		return nil, errors.New("connectguard: Config.Checker is required")
	}
	if err := validDPoP(cfg); err != nil {
		return nil, err
	}
	procs := make(map[string]verify.ScopeRule, len(cfg.Procedures))
	for _, name := range slices.Sorted(maps.Keys(cfg.Procedures)) {
		if !validProcedure(name) {
			return nil, fmt.Errorf("connectguard: Config.Procedures: %q is not a procedure name like \"/package.Service/Method\"", name)
		}
		s := cfg.Procedures[name]
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("connectguard: Config.Procedures[%q]: %w", name, err)
		}
		procs[name] = s.Clone()
	}
	return &Interceptor{
		v:            cfg.Checker,
		procedures:   procs,
		denyUnlisted: cfg.DenyUnlisted,
		skip:         cfg.Skip,
		onReject:     cfg.OnReject,
		certBound:    cfg.RequireCertBinding,
		dv:           cfg.DPoP,
		dpopMode:     cfg.DPoPMode,
		dpopProcs:    maps.Clone(cfg.DPoPProcedures),
	}, nil
}

// WrapUnary checks unary handler calls; client calls pass through.
func (i *Interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		spec := req.Spec()
		if spec.IsClient || i.skipped(ctx, spec.Procedure) {
			return next(ctx, req)
		}
		ctx, err := i.authorize(ctx, spec.Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient returns next unchanged: the interceptor guards
// handlers only.
func (i *Interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler checks a streaming handler once, when the stream
// opens. A token that expires while the stream is open does not end it.
func (i *Interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		procedure := conn.Spec().Procedure
		if i.skipped(ctx, procedure) {
			return next(ctx, conn)
		}
		ctx, err := i.authorize(ctx, procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

func (i *Interceptor) skipped(ctx context.Context, procedure string) bool {
	return i.skip != nil && i.skip(ctx, procedure)
}

// authorize returns a child of ctx carrying the claims, or the
// *connect.Error the client gets.
func (i *Interceptor) authorize(ctx context.Context, procedure string, h http.Header) (context.Context, error) {
	need, listed := i.procedures[procedure]
	var claims *verify.Claims
	var err error
	if i.dv != nil {
		claims, ctx, err = i.checkDPoP(ctx, procedure, need, h)
	} else {
		claims, err = i.checkBearer(ctx, need, h)
	}
	if err != nil {
		return nil, i.reject(ctx, procedure, need, err)
	}
	if err := checkBinding(ctx, claims, i.certBound); err != nil {
		return nil, i.reject(ctx, procedure, need, err)
	}
	if i.dv == nil {
		if err := claims.CheckNotDPoPBound(); err != nil {
			return nil, i.reject(ctx, procedure, need, err)
		}
	}
	if !listed && i.denyUnlisted {
		return nil, i.reject(ctx, procedure, need, ErrUnlistedProcedure)
	}
	return verify.NewContext(ctx, claims), nil
}

// checkBearer reads the Bearer token of the Authorization values and
// verifies it.
func (i *Interceptor) checkBearer(ctx context.Context, need verify.ScopeRule, h http.Header) (*verify.Claims, error) {
	tok, err := bearer.Parse(h.Values("Authorization"))
	if err != nil {
		return nil, err
	}
	return i.v.Verify(ctx, tok, need)
}

func (i *Interceptor) reject(ctx context.Context, procedure string, need verify.ScopeRule, err error) error {
	r := verify.Rejection{
		Transport: "connect",
		Method:    procedure,
		Outcome:   verify.OutcomeOf(err),
		Reason:    verify.ReasonOf(err),
		Required:  need,
		Err:       err,
	}
	if errors.Is(err, ErrUnlistedProcedure) {
		r.Outcome = verify.OutcomeInsufficientScope
	}
	if i.onReject != nil {
		i.onReject(ctx, r)
	}
	return errorFor(ctx, r.Outcome)
}

// errorFor maps an outcome to the client's error: a fixed message and the
// Connect code for its class.
func errorFor(ctx context.Context, o verify.Outcome) *connect.Error {
	switch o {
	case verify.OutcomeInsufficientScope:
		return connect.NewError(connect.CodePermissionDenied, errors.New(msgPermission))
	case verify.OutcomeUnavailable:
		// The caller gave up (deadline or cancel): say so, so that it
		// does not retry a call it abandoned.
		switch ctxErr := ctx.Err(); {
		case errors.Is(ctxErr, context.DeadlineExceeded):
			return connect.NewError(connect.CodeDeadlineExceeded, ctxErr)
		case ctxErr != nil:
			return connect.NewError(connect.CodeCanceled, ctxErr)
		}
		return connect.NewError(connect.CodeUnavailable, errors.New(msgUnavailable))
	}
	// Missing or malformed credentials, or a refused token.
	return connect.NewError(connect.CodeUnauthenticated, errors.New(msgUnauthenticated))
}

// validProcedure reports whether name is "/service/method" with both parts
// non-empty and no further slash.
func validProcedure(name string) bool {
	rest, ok := strings.CutPrefix(name, "/")
	if !ok {
		return false
	}
	service, method, ok := strings.Cut(rest, "/")
	return ok && service != "" && method != "" && !strings.Contains(method, "/")
}
