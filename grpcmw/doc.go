// Package grpcmw puts OAuth 2.0 bearer-token verification in front of gRPC
// services, with the same verifier and the same token parsing as httpmw.
//
// An [Interceptor] is built from a [verify.Verifier] with [New] and
// installed as a unary and a stream server interceptor:
//
//	i, err := grpcmw.New(grpcmw.Config{
//		Checker:     v,
//		Methods:      map[string]verify.ScopeRule{"/wgtwo.sms.v1.SmsService/SendTextToSubscriber": {AllOf: []string{"sms.text:send_to_subscriber"}}},
//		DenyUnlisted: true,
//		Skip:         grpcmw.SkipHealthAndReflection,
//	})
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(i.Unary()),
//		grpc.ChainStreamInterceptor(i.Stream()),
//	)
//
// Handlers read the verified claims with [verify.FromContext], from the
// unary handler's context or from the stream's Context(). Servers that
// already compose with go-grpc-middleware use [Interceptor.AuthFunc] with
// its auth.UnaryServerInterceptor and auth.StreamServerInterceptor instead.
//
// # Rules per method
//
// [Config.Methods] maps full method names to the scopes a token needs
// ([verify.ScopeRule]: all-of and any-of; the zero value means any valid
// token). [MethodScopes] builds that map from a string method option in
// the service's .proto files, such as wgtwo's option (wgtwo.scope) =
// "…", so that the scope table lives next to the RPCs it protects.
//
// A method missing from Methods is "token-only" by default: it needs a
// valid token and no particular scope. [Config.DenyUnlisted] refuses such
// methods instead (PermissionDenied, after the token is verified); use it
// when every method is listed, so that a forgotten entry fails closed.
// [Config.Skip] lets selected methods through without any check, e.g.
// health checks.
//
// # Answers
//
// The token is the single "authorization" metadata value "Bearer <token>".
// Refusals, in the classes of RFC 6750 ([verify.Outcome]) and gRPC's
// status-code guidance:
//
//	method name not exactly "/service/method"          invalid_request     InvalidArgument   "malformed method name"
//	no credentials, or another scheme                  missing_token       Unauthenticated   "missing or invalid token"
//	malformed or ambiguous credentials (two values…)   invalid_request     Unauthenticated   "missing or invalid token"
//	bad token (any verifier reason)                    invalid_token       Unauthenticated   "missing or invalid token"
//	token lacks the method's scopes                    insufficient_scope  PermissionDenied  "insufficient scope"
//	method unlisted and DenyUnlisted set (valid token) insufficient_scope  PermissionDenied  "insufficient scope"
//	signing keys unavailable, or a checker error       unavailable         Unavailable       "authentication temporarily unavailable"
//	without a verify.Reason
//
// When the verifier gave up on keys because the RPC's own deadline passed
// or the client canceled, the answer is DeadlineExceeded or Canceled
// instead of Unavailable. Messages are fixed; the exact cause (an error
// matching [ErrMissingToken], [ErrInvalidRequest], [ErrUnlistedMethod],
// [ErrNoMethod] or [ErrInvalidMethod], or a *verify.Error with its Reason)
// goes only to [Config.OnReject], as a [verify.Rejection] of the same shape
// httpmw and connectguard report, and to the verifier's OnDecision hook,
// never to the client.
//
// # Security
//
// Checked here: first, on every RPC, that its full method name is exactly
// "/service/method" (one leading slash, a dotted service name and a method
// identifier, ASCII letters, digits and underscores only); any other name
// is refused with InvalidArgument before Skip, the method table or the
// token is consulted, because grpc-go routes on the last slash and passes
// other names unchanged to an unknown-service handler (a proxy), where a
// first-segment or prefix match would misjudge them. Then, on every RPC
// not skipped, exactly one "authorization" value with the Bearer scheme
// (case-insensitive) and exactly one token in the RFC 6750 b64token
// alphabet; several values, or a Bearer value beside
// another scheme, are refused rather than guessed between. The token is
// then checked by the verifier (signature, issuer, audience, lifetime,
// type: see package verify) together with the method's scopes, compared
// exactly. When the Checker is a *verify.Verifier, the alphabet is checked
// after the Verifier refuses a token rather than before every verification
// (the Verifier accepts nothing outside it): OnReject gets the same
// ErrInvalidRequest, and the Verifier's OnDecision hook also sees the
// token, refused as malformed. Unknown and unlisted methods never pass without a valid token;
// with DenyUnlisted they do not pass at all. AuthFunc run outside an RPC,
// where the method cannot be known, refuses with Internal rather than
// apply no requirement.
//
// Certificate-bound tokens (RFC 8705 §3): a token whose claims carry
// "cnf": {"x5t#S256": …} passes only when the RPC's connection presented
// that TLS client certificate (peer.FromContext, then
// credentials.TLSInfo.State.PeerCertificates[0], SHA-256 of its DER
// compared in constant time); without it, with another one, or with a cnf
// not exactly of that form, the RPC is Unauthenticated (reasons
// invalid_cert_binding and malformed for OnReject). See
// [verify.Claims.CheckCertBinding]. Config.RequireCertBinding refuses
// unbound tokens too. The server's tls.Config must ask for client
// certificates (ClientAuth). The check runs after the Checker, so a bound
// token lacking the method's scopes is PermissionDenied even without its
// certificate.
//
// DPoP-bound tokens (RFC 9449), when Config.DPoP is set (a
// *dpop.Verifier): "authorization: DPoP <token>" with exactly one "dpop"
// metadata value, a proof for htm "POST" and htu "https://" + :authority
// + full method name ("https://api.example.com/pkg.Service/Method"), or
// the verifier's Config.Origin + full method name. The proof is checked
// after the token and before the method's scopes, so a token used
// without its key learns nothing about its scopes. A token bound to a
// key (cnf.jkt) is refused as a Bearer token in every mode; DPoPRequired
// refuses Bearer tokens, DPoPDisabled the DPoP scheme. Every refusal is
// Unauthenticated with the fixed message; OnReject gets the reason
// (invalid_dpop_proof, use_dpop_nonce, binding_mismatch). gRPC has no
// challenge header, so a use_dpop_nonce refusal carries no nonce: a
// server that sets dpop.Config.Nonces must hand nonces out another way.
// A stream's proof is checked once, when it opens.
//
// Not checked: a stream is authorized once, when it opens; a token that
// expires or is revoked while the stream is open does not end it (bound
// stream lifetimes on the server if that matters). Skip bypasses every
// check for the methods it selects: keep it narrow and match whole names.
// SkipHealthAndReflection matches exact full method names only; it also
// opens server reflection, which discloses the API's schema. The
// interceptor does not require transport security: grpc-go clients refuse
// to send per-RPC OAuth credentials without TLS, but other clients may, so
// serve over TLS. Unbound tokens are bearer tokens: a stolen one cannot be
// told apart. Without Config.DPoP a token bound to a DPoP key (cnf.jkt)
// is refused (binding_mismatch): its binding cannot be proven here.
// Without dpop.Config.Origin the htu is
// built from the :authority the client sent: set Origin in production
// (see package dpop). Token size is bounded by the verifier
// (verify.Config.MaxTokenBytes) and by grpc's MaxHeaderListSize; parsing
// is linear in the metadata size.
package grpcmw
