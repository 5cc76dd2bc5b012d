// Package httpmw puts OAuth 2.0 bearer-token verification (RFC 6750) in
// front of net/http handlers.
//
// A [Middleware] is built from a [verify.Verifier] with [New]. Its
// [Middleware.Handler] protects a whole handler tree; its
// [Middleware.Require] adds a scope requirement to one route. Both have the
// func(http.Handler) http.Handler shape, so they compose with
// [http.ServeMux] patterns, routers such as chi, and plain middleware
// chains:
//
//	mw, err := httpmw.New(httpmw.Config{Checker: v})
//	mux := http.NewServeMux()
//	mux.Handle("GET /v1/subscribers", mw.Require(verify.ScopeRule{AllOf: []string{"subscription.read"}})(list))
//	mux.Handle("POST /v1/sms", mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})(send))
//	srv := &http.Server{Handler: mw.Handler(mux)}
//
// Handlers read the verified claims with [verify.FromContext].
//
// # Answers
//
// Every refusal is answered in one place, as RFC 6750 §3 asks, from its
// [verify.Outcome]:
//
//	OutcomeMissingToken       no credentials (or another scheme)  401  WWW-Authenticate: Bearer realm="api"
//	OutcomeInvalidRequest     malformed or ambiguous credentials  400  Bearer realm="api", error="invalid_request"
//	OutcomeInvalidToken       bad token (any verifier reason)     401  Bearer realm="api", error="invalid_token"
//	OutcomeInsufficientScope  missing scope                       403  Bearer realm="api", error="insufficient_scope", scope="a b"
//	OutcomeUnavailable        signing keys unavailable            503  Retry-After: 30 (no challenge: not the client's fault)
//
// A Checker error without a [verify.Reason] is OutcomeUnavailable too: the
// server's fault, never blamed on the client's token.
//
// With [Config.ResourceMetadata] every challenge also carries RFC 9728's
// resource_metadata="…". Bodies are a short fixed text per status
// (http.StatusText); the exact reason goes only to [Config.OnReject], as a
// [verify.Rejection] of the same shape grpcmw and connectguard report (and
// to the verifier's OnDecision hook), never to the client.
// [Config.ErrorWriter] replaces the body writer. A request whose context
// ends while it waits for a key fetch also gets 503 (outcome "unavailable");
// its client has usually gone by then.
//
// Require behind Handler does not verify the token a second time: Handler
// records the claims it verified, per Verifier, in the request context, and
// Require checks its scopes against them ([verify.ScopeRule.Check]). Used
// alone, Require verifies the token itself.
//
// # DPoP
//
// With [Config.DPoP] set to a *dpop.Verifier, the middleware also takes
// DPoP-bound tokens (RFC 9449): "Authorization: DPoP <token>" with exactly
// one DPoP proof header. The token is verified by the Checker, then the
// proof against the request (method, URL, time, token hash, nonce) and the
// token's cnf.jkt, and only then the scope requirement, so a token used
// without its key learns nothing about its scopes. Handlers find the
// accepted proof with dpop.FromContext. A token bound to a key (cnf.jkt)
// presented as a Bearer token is refused (RFC 9449 §7.2) on every route.
// [Config.DPoPMode] and [Middleware.RequireDPoP] choose, per Middleware and
// per route, whether both schemes are taken (DPoPAllowed, the default),
// only DPoP (DPoPRequired) or only Bearer (DPoPDisabled). Challenges
// follow RFC 9449 §7.1: a "DPoP" challenge with algs="…" joins the Bearer
// one (as a second WWW-Authenticate field) or replaces it on DPoP-only
// routes, and carries the error when the request used the DPoP scheme:
//
//	bad, missing or replayed proof  401  DPoP realm="api", error="invalid_dpop_proof", algs="ES256 …"
//	proof lacks the server nonce    401  DPoP realm="api", error="use_dpop_nonce", algs="…" + DPoP-Nonce: …
//	proof key is not the token's    401  DPoP realm="api", error="invalid_token", algs="…"
//	bound token sent as Bearer      401  Bearer realm="api", error="invalid_token"
//
// Without Config.DPoP the DPoP scheme is another scheme (missing
// credentials), and a token bound to a DPoP key (cnf.jkt) is refused as
// binding_mismatch: its binding cannot be proven here, and a stolen bound
// token must not work as a bearer token.
//
// # Security
//
// Checked here: the token is taken only from exactly one Authorization
// header with the Bearer scheme (case-insensitive; with Config.DPoP also
// the DPoP scheme, with exactly one DPoP header, see "DPoP"), exactly one
// SP-separated token in the RFC 6750 b64token alphabet; two Authorization
// headers, two tokens, or a token sent by two methods (header and query or
// cookie) are refused with invalid_request rather than guessed between. The query
// parameter and cookie sources are off unless configured; the form-encoded
// body parameter (RFC 6750 §2.2) is not supported, since reading it would
// consume the body before the handler. Tokens are then
// checked by the verifier (signature, issuer, audience, lifetime, type,
// scopes: see package verify) on every request not skipped. When the
// Checker is a *verify.Verifier, the header is the only source and DPoP is
// off, the alphabet is checked after the Verifier refuses a token rather than
// before every verification (the Verifier accepts nothing outside it): the
// answer is the same 400 invalid_request, and the Verifier's OnDecision
// hook also sees the token, refused as malformed.
//
// Certificate-bound tokens (RFC 8705 §3): a token whose claims carry
// "cnf": {"x5t#S256": …} is accepted only when the request came over TLS
// with that client certificate (r.TLS.PeerCertificates[0], SHA-256 of its
// DER compared in constant time); without it, with another one, or with a
// cnf that is not exactly of that form, the answer is 401 invalid_token
// (reasons invalid_cert_binding and malformed for OnReject). See
// [verify.Claims.CheckCertBinding]. Config.RequireCertBinding refuses
// unbound tokens too. The server must ask for client certificates
// (tls.Config.ClientAuth); behind a proxy that terminates TLS r.TLS is
// the proxy's connection, so bound tokens are refused there. The check
// runs after the Checker, so a bound token lacking a scope gets 403 even
// without its certificate.
//
// Not checked: anything about the request beyond its credentials. Skip
// bypasses all checks for the requests it selects: keep it narrow (exact
// paths, OPTIONS preflight). CredentialsOptional lets credential-less
// requests reach handlers without claims, so those handlers must check
// verify.FromContext themselves. The cookie source makes requests
// cross-site forgeable unless cookies are SameSite or Origin is checked;
// the query source leaks tokens into logs. An unbound token is a bearer
// token: the middleware cannot detect a stolen one; DPoP-bound tokens
// (Config.DPoP) and certificate-bound ones need the client's key as well.
// Token length is bounded by the verifier (verify.Config.MaxTokenBytes) and
// the server's MaxHeaderBytes, and parsing is linear in the header size.
package httpmw
