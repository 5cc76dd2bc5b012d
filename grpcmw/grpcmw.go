package grpcmw

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// Sentinel errors for refusals decided by the interceptor itself. Refusals
// by the verifier carry a *verify.Error instead (match it with the verify
// sentinels or [verify.ReasonOf]). [Config.OnReject] receives exactly one of
// these kinds in [verify.Rejection.Err].
var (
	// ErrMissingToken: no bearer credentials (no "authorization" metadata,
	// or another scheme such as Basic). It is the same value as
	// httpmw.ErrMissingToken, so one errors.Is serves both transports.
	ErrMissingToken = bearer.ErrMissing
	// ErrInvalidRequest: malformed or ambiguous credentials: several
	// "authorization" values, "Bearer" without a token, two tokens, or a
	// token outside the RFC 6750 b64token alphabet. The same value as
	// httpmw.ErrInvalidRequest.
	ErrInvalidRequest = bearer.ErrInvalidRequest
	// ErrUnlistedMethod: Config.DenyUnlisted is set and the method has no
	// entry in Config.Methods. The token was valid.
	ErrUnlistedMethod = errors.New("grpcmw: method not listed")
	// ErrNoMethod: AuthFunc ran on a context without a gRPC server
	// stream, so the method (and its requirement) is unknown. The call is
	// refused with codes.Internal.
	ErrNoMethod = errors.New("grpcmw: no gRPC method in context")
	// ErrInvalidMethod: the RPC's full method name is not exactly
	// "/service/method" in the characters [New] allows (see
	// [Config.Methods]). It is decided before Skip, the method table or
	// the token is looked at, and refused with codes.InvalidArgument.
	ErrInvalidMethod = errors.New("grpcmw: malformed method name")
)

// The messages clients see. They are fixed and say nothing about why.
const (
	msgUnauthenticated = "missing or invalid token"
	msgPermission      = "insufficient scope"
	msgUnavailable     = "authentication temporarily unavailable"
	msgInternal        = "internal error"
	msgInvalidMethod   = "malformed method name"
)

// Config configures an [Interceptor]. Only Checker is required; every other
// zero field means the documented default.
type Config struct {
	// Checker checks every token: a *verify.Verifier for JWTs, an
	// introspection or userinfo checker for opaque tokens, or a
	// composition. Required.
	Checker verify.Checker

	// Methods maps full method names ("/package.Service/Method", as in
	// grpc.UnaryServerInfo.FullMethod) to the scopes a token needs to call
	// them. A full method name is a slash, a service name of one or more
	// dot-separated identifiers, a slash and a method identifier, where an
	// identifier is one or more ASCII letters, digits and underscores (the
	// names protobuf can declare). The interceptors refuse any RPC whose
	// name has another form with [ErrInvalidMethod], before anything else. A zero verify.ScopeRule entry means "any valid token". Nil or
	// empty lists no method. [MethodScopes] builds this map from a proto
	// method option. New copies the map.
	Methods map[string]verify.ScopeRule

	// DenyUnlisted refuses every method that has no entry in Methods with
	// codes.PermissionDenied, after the token has been verified (a caller
	// without a valid token still gets codes.Unauthenticated, as gRPC
	// requires PermissionDenied only for identified callers). False, the
	// default, is "token-only": an unlisted method needs a valid token and
	// no particular scope. The default keeps a forgotten entry from
	// breaking a service; set DenyUnlisted when every method is listed (for
	// example by MethodScopes) so that a forgotten entry fails closed.
	DenyUnlisted bool

	// Skip, when set, is called for every RPC whose full method name is
	// well formed (see Methods), before anything else; when it returns
	// true the RPC proceeds with no credentials check and no claims in its
	// context. Keep it narrow and compare whole method names, e.g.
	// [SkipHealthAndReflection]: a prefix or first-segment match can be
	// steered by an unknown-service handler. Nil skips nothing.
	Skip func(ctx context.Context, fullMethod string) bool

	// OnReject, when set, is called synchronously with every refusal
	// (Transport "grpc", Method the full method name) and its exact cause
	// in Err: an error matching ErrMissingToken, ErrInvalidRequest,
	// ErrUnlistedMethod, ErrNoMethod or ErrInvalidMethod, or a
	// *verify.Error. It has the same shape as httpmw's and connectguard's,
	// so one hook serves all three. The client sees only a fixed message.
	// It must be fast and safe for concurrent use. Nil reports nothing (the
	// verifier's OnDecision hook still sees every verification).
	OnReject func(ctx context.Context, r verify.Rejection)

	// RequireCertBinding refuses every token that is not bound to a TLS
	// client certificate (RFC 8705 §3: cnf x5t#S256) with
	// codes.Unauthenticated (verify.ReasonInvalidCertBinding). A bound
	// token must come with its certificate whatever this says: the
	// peer's credentials.TLSInfo.State.PeerCertificates[0] (see
	// [verify.Claims.CheckCertBinding]). Ask clients for certificates with
	// the server's tls.Config.ClientAuth (tls.RequestClientCert or
	// stronger). False, the default, lets unbound tokens through.
	RequireCertBinding bool

	// DPoP, when set, also takes DPoP-bound tokens (RFC 9449): the token
	// as "authorization: DPoP <token>" and its proof as exactly one
	// "dpop" metadata value, signed for htm "POST" and htu "https://" +
	// :authority + full method path (see [DPoPChecker]); a
	// *dpop.Verifier is one. A token bound to a key is refused as a
	// Bearer token in every mode. Nil takes only Bearer tokens.
	DPoP DPoPChecker

	// DPoPMode says which schemes are taken when DPoP is set:
	// DPoPAllowed (the zero value) both, DPoPRequired only DPoP,
	// DPoPDisabled only Bearer.
	DPoPMode DPoPMode

	// DPoPMethods overrides DPoPMode per full method name
	// ("/package.Service/Method"), e.g. DPoPRequired for the methods that
	// only take sender-constrained tokens. New copies it and refuses
	// malformed names, unknown modes, and entries without DPoP.
	DPoPMethods map[string]DPoPMode
}

// Interceptor verifies bearer tokens on incoming RPCs. Build one with [New]
// and install [Interceptor.Unary] and [Interceptor.Stream] (or
// [Interceptor.AuthFunc] with go-grpc-middleware). It is safe for
// concurrent use and holds no goroutines.
type Interceptor struct {
	v            verify.Checker
	lateScan     bool // check the token's alphabet only when v refuses it
	methods      map[string]verify.ScopeRule
	denyUnlisted bool
	skip         func(context.Context, string) bool
	onReject     func(context.Context, verify.Rejection)
	certBound    bool
	dv           DPoPChecker
	dpopMode     DPoPMode
	dpopMethods  map[string]DPoPMode
}

// New validates cfg and returns an Interceptor. It refuses a nil Checker,
// method names not of the form "/package.Service/Method" (see
// [Config.Methods] for the characters allowed), and scopes that
// [verify.ScopeRule.Validate] refuses.
func New(cfg Config) (*Interceptor, error) {
	if cfg.Checker == nil {
		return nil, errors.New("grpcmw: Config.Checker is required")
	}
	methods := make(map[string]verify.ScopeRule, len(cfg.Methods))
	for _, name := range slices.Sorted(maps.Keys(cfg.Methods)) {
		if !validMethodName(name) {
			return nil, fmt.Errorf("grpcmw: Config.Methods: %q is not a full method name like \"/package.Service/Method\"", name)
		}
		s := cfg.Methods[name]
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("grpcmw: Config.Methods[%q]: %w", name, err)
		}
		methods[name] = s.Clone()
	}
	// The Verifier accepts only base64url segments and dots, a subset of
	// the b64token alphabet: a token it accepts needs no pass over its
	// characters (45% of the interceptor's cost on a warm token,
	// BenchmarkOverhead), and one it refuses is checked then.
	_, isVerifier := cfg.Checker.(*verify.Verifier)
	if err := validDPoP(cfg); err != nil {
		return nil, err
	}
	return &Interceptor{
		v:            cfg.Checker,
		lateScan:     isVerifier,
		methods:      methods,
		denyUnlisted: cfg.DenyUnlisted,
		skip:         cfg.Skip,
		onReject:     cfg.OnReject,
		certBound:    cfg.RequireCertBinding,
		dv:           cfg.DPoP,
		dpopMode:     cfg.DPoPMode,
		dpopMethods:  maps.Clone(cfg.DPoPMethods),
	}, nil
}

// Unary returns the unary server interceptor, for grpc.UnaryInterceptor or
// grpc.ChainUnaryInterceptor. The handler's context carries the verified
// claims ([verify.FromContext]).
func (i *Interceptor) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, _, err := i.admit(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// Stream returns the stream server interceptor, for grpc.StreamInterceptor
// or grpc.ChainStreamInterceptor. It checks the token once, when the stream
// opens, and wraps the stream once so that its Context carries the
// verified claims. A token that expires while the stream is open does not
// end the stream.
func (i *Interceptor) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, authorized, err := i.admit(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		if authorized {
			ss = &serverStream{ServerStream: ss, ctx: ctx}
		}
		return handler(srv, ss)
	}
}

// AuthFunc has the shape of go-grpc-middleware v2's auth.AuthFunc, for
// servers that already compose with auth.UnaryServerInterceptor and
// auth.StreamServerInterceptor. It applies the same rules as Unary and
// Stream, taking the method from grpc.Method(ctx); called outside an RPC
// it refuses with codes.Internal (ErrNoMethod) rather than guess the
// method's requirement. Note that go-grpc-middleware calls a service's
// AuthFuncOverride, when it has one, instead of AuthFunc.
func (i *Interceptor) AuthFunc(ctx context.Context) (context.Context, error) {
	method, ok := grpc.Method(ctx)
	if !ok {
		return nil, i.reject(ctx, "", verify.ScopeRule{}, ErrNoMethod)
	}
	ctx, _, err := i.admit(ctx, method)
	return ctx, err
}

// admit is the one entry of Unary, Stream and AuthFunc. It checks the form
// of method first, so that neither Skip nor the method table ever sees a
// name that grpc-go would route differently from how it reads; then it
// applies Skip, then authorize. authorized reports whether ctx carries
// claims (false for a skipped RPC, which gets ctx back unchanged).
func (i *Interceptor) admit(ctx context.Context, method string) (_ context.Context, authorized bool, _ error) {
	if !validMethodName(method) {
		return nil, false, i.reject(ctx, method, verify.ScopeRule{}, ErrInvalidMethod)
	}
	if i.skip != nil && i.skip(ctx, method) {
		return ctx, false, nil
	}
	ctx, err := i.authorize(ctx, method)
	return ctx, err == nil, err
}

// authorize checks one RPC that is not skipped. It returns a child of ctx
// carrying the claims when the RPC is allowed, and a status error when it is
// refused.
func (i *Interceptor) authorize(ctx context.Context, method string) (context.Context, error) {
	need, listed := i.methods[method]
	// ValueFromIncomingContext copies only this key's values (one small
	// slice); grpc has no public read of incoming metadata without a copy,
	// and FromIncomingContext copies every key.
	values := metadata.ValueFromIncomingContext(ctx, "authorization")
	if i.dv != nil {
		claims, ctx, err := i.checkDPoP(ctx, method, need, values)
		if err != nil {
			return nil, i.reject(ctx, method, need, err)
		}
		return i.finish(ctx, method, need, listed, claims)
	}
	var tok string
	var err error
	if i.lateScan {
		tok, err = bearer.Extract(values)
	} else {
		tok, err = bearer.Parse(values)
	}
	if err != nil {
		return nil, i.reject(ctx, method, need, err)
	}
	claims, err := i.v.Verify(ctx, tok, need)
	if err != nil {
		if i.lateScan {
			if bad := bearer.Check(tok); bad != nil {
				err = bad // what bearer.Parse would have answered
			}
		}
		return nil, i.reject(ctx, method, need, err)
	}
	return i.finish(ctx, method, need, listed, claims)
}

// finish applies the certificate binding and DenyUnlisted to verified
// claims and returns ctx carrying them.
func (i *Interceptor) finish(ctx context.Context, method string, need verify.ScopeRule, listed bool, claims *verify.Claims) (context.Context, error) {
	if err := claims.CheckCertBinding(peerLeaf(ctx), i.certBound); err != nil {
		return nil, i.reject(ctx, method, need, err)
	}
	if i.dv == nil {
		if err := claims.CheckNotDPoPBound(); err != nil {
			return nil, i.reject(ctx, method, need, err)
		}
	}
	if !listed && i.denyUnlisted {
		return nil, i.reject(ctx, method, need, ErrUnlistedMethod)
	}
	return verify.NewContext(ctx, claims), nil
}

// peerLeaf is the client certificate of the RPC's TLS connection, or nil.
func peerLeaf(ctx context.Context) *x509.Certificate {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil
	}
	ti, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.PeerCertificates) == 0 {
		return nil
	}
	return ti.State.PeerCertificates[0]
}

// reject reports a refusal to OnReject and returns the status the client
// gets.
func (i *Interceptor) reject(ctx context.Context, method string, need verify.ScopeRule, err error) error {
	r := verify.Rejection{
		Transport: "grpc",
		Method:    method,
		Outcome:   outcomeOf(err),
		Reason:    verify.ReasonOf(err),
		Required:  need,
		Err:       err,
	}
	if i.onReject != nil {
		i.onReject(ctx, r)
	}
	return statusFor(ctx, r)
}

// outcomeOf classes a refusal: the interceptor's own errors, then
// verify.OutcomeOf (ErrNoMethod is the server's fault: unavailable).
func outcomeOf(err error) verify.Outcome {
	switch {
	case errors.Is(err, ErrUnlistedMethod):
		return verify.OutcomeInsufficientScope
	case errors.Is(err, ErrInvalidMethod):
		return verify.OutcomeInvalidRequest
	}
	return verify.OutcomeOf(err)
}

// statusFor maps a refusal to the client's status: a fixed message and the
// gRPC code for its outcome (missing credentials, invalid_request and
// invalid_token: Unauthenticated; insufficient_scope: PermissionDenied;
// unavailable: Unavailable). A malformed method name is InvalidArgument
// and AuthFunc outside an RPC Internal, since neither is about credentials.
func statusFor(ctx context.Context, r verify.Rejection) error {
	switch {
	case errors.Is(r.Err, ErrNoMethod):
		return status.Error(codes.Internal, msgInternal)
	case errors.Is(r.Err, ErrInvalidMethod):
		return status.Error(codes.InvalidArgument, msgInvalidMethod)
	}
	switch r.Outcome {
	case verify.OutcomeInsufficientScope:
		return status.Error(codes.PermissionDenied, msgPermission)
	case verify.OutcomeUnavailable:
		// A verifier gives up waiting for keys when the RPC's own
		// deadline passes or the client cancels: say so, not Unavailable,
		// so that the client does not retry a call it abandoned.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return status.FromContextError(ctxErr).Err()
		}
		return status.Error(codes.Unavailable, msgUnavailable)
	}
	return status.Error(codes.Unauthenticated, msgUnauthenticated)
}

// serverStream carries the authorized context for the stream's handler.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }
