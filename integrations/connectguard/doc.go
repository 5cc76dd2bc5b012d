// Package connectguard verifies OAuth 2.0 bearer tokens on Connect RPCs
// (connectrpc.com/connect), for the Connect, gRPC and gRPC-Web protocols
// alike.
//
// [New] returns an [Interceptor], a connect.Interceptor to install with
// connect.WithInterceptors on the handlers. It reads the "Authorization"
// header, checks the token with a [verify.Checker] (a *verify.Verifier, or
// any other checker) against the scopes listed for the procedure in
// [Config.Procedures], and puts the verified claims in the handler's
// context ([verify.FromContext]). Streaming handlers are checked once, when
// the stream opens. Client-side calls pass through unchanged.
//
// Refusals map as in the grpcmw package: missing or malformed credentials
// and invalid tokens are connect.CodeUnauthenticated, a token without the
// procedure's scopes is connect.CodePermissionDenied, and keys that cannot
// be vouched for are connect.CodeUnavailable (or the caller's own
// cancellation or deadline when that is what ended the wait).
//
// # Security
//
// Clients get fixed messages that say nothing about why a token failed;
// the exact cause goes to [Config.OnReject]. Procedure names in
// Config.Procedures must be exactly "/package.Service/Method", so that a
// typo cannot silently leave a procedure unlisted, and scopes must be
// visible ASCII. An unlisted procedure needs a valid token and no scope
// unless DenyUnlisted is set, which refuses it with PermissionDenied after
// the token is verified. Only the "Authorization" header is read: there is
// no query or cookie fallback.
//
// Certificate-bound tokens (RFC 8705 §3): a token whose claims carry
// "cnf": {"x5t#S256": …} passes only when the request came over TLS with
// that client certificate (SHA-256 of its DER compared in constant time;
// see [verify.Claims.CheckCertBinding]); without it, with another one, or
// with a cnf not exactly of that form, the RPC is CodeUnauthenticated
// (reasons invalid_cert_binding and malformed for OnReject).
// Config.RequireCertBinding refuses unbound tokens too. A Connect
// interceptor does not see the HTTP request, so the certificate reaches it
// only through [TLSHandler] wrapping the handler; unwrapped, every bound
// token is refused. The server's tls.Config must ask for client
// certificates (ClientAuth). The check runs after the Checker, so a bound
// token lacking the procedure's scopes is CodePermissionDenied even
// without its certificate.
//
// DPoP-bound tokens (RFC 9449), when Config.DPoP is set (a
// *dpop.Verifier): "Authorization: DPoP <token>" with exactly one DPoP
// header, a proof for htm "POST" and htu "https://" + authority +
// procedure ("https://api.example.com/pkg.Service/Method"), or the
// verifier's Config.Origin + procedure. The authority is the request's
// Host (the HTTP/2 :authority), which reaches the interceptor only
// through [TLSHandler]; unwrapped, and without Origin, every proof is
// refused. The proof is checked after the token and before the
// procedure's scopes. A token bound to a key (cnf.jkt) is refused as a
// Bearer token in every mode; DPoPRequired refuses Bearer tokens,
// DPoPDisabled the DPoP scheme. Every refusal is CodeUnauthenticated
// with the fixed message; OnReject gets the reason (invalid_dpop_proof,
// use_dpop_nonce, binding_mismatch). No DPoP-Nonce header is sent, so a
// verifier with dpop.Config.Nonces needs another way to hand nonces out.
// Without Origin the Host header decides htu: set Origin in production
// (see package dpop). A stream's proof is checked once, when it opens.
package connectguard
