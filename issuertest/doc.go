// Package issuertest runs an offline OAuth 2.0 / OpenID Connect issuer for
// tests, in the spirit of net/http/httptest. It is shaped like Ory Hydra, the
// authorization server behind id.wgtwo.com, so tests exercise the tokens,
// key sets and token-endpoint answers that real deployments produce.
//
// A [Server] listens on 127.0.0.1 (plain HTTP, or HTTPS with [Config.TLS])
// and serves:
//
//   - GET /.well-known/openid-configuration: Hydra v1.11's discovery
//     document, with URLs on this server and issuer = [Server.Issuer],
//     naming only endpoints, grants and methods this server implements;
//   - GET /.well-known/jwks.json: {"keys":[…]}, newest key first, each
//     {"use":"sig","kty":"RSA","kid":…,"alg":"RS256","n":…,"e":"AQAB"},
//     with optional Cache-Control;
//   - POST /oauth2/token: the client_credentials, authorization_code and
//     refresh_token grants with HTTP Basic or form-field client
//     authentication, answering
//     {"access_token":…,"expires_in":3599,"scope":"a b","token_type":"bearer"}
//     (plus refresh_token with scope offline_access, id_token with openid)
//     and Hydra's (fosite's) error bodies. A client_credentials request
//     with a DPoP proof (RFC 9449 §5) gets an access token bound to the
//     proof's key: cnf.jkt in a JWT, cnf in introspection, token_type
//     "DPoP"; a bad proof is a 400 invalid_dpop_proof. The other grants
//     ignore the DPoP header, and proofs are not remembered (no replay
//     check at the token endpoint);
//   - GET /oauth2/auth: the authorization-code flow's front half, with a
//     user who is logged in and consents without being asked: it checks
//     client_id, the registered redirect_uri, scope, state (at least 8
//     characters, as fosite wants) and optional PKCE (S256 or plain), then
//     redirects back with code, scope and state;
//   - POST /oauth2/introspect: RFC 7662 in Hydra's shape (active, scope,
//     client_id, sub, exp, iat, nbf, aud, iss, token_type "Bearer",
//     token_use, ext), {"active":false} for anything not live, with the
//     caller authentication of [Config.IntrospectAuth];
//   - GET or POST /userinfo: wgtwo's answer (sub, sid, phone_number,
//     phone_number_verified) for a live access token, 401 with an RFC 6750
//     WWW-Authenticate challenge otherwise;
//   - POST /oauth2/revoke: RFC 7009; [Server.Revoke] does the same from Go.
//
// With [Config.Path] every path above is served under it, and the issuer
// includes it, as a Keycloak realm or a multi-tenant issuer's tenant has
// its own issuer URL on a shared host.
//
// Access tokens are JWTs by default; [Config.AccessTokenFormat] or
// [Client.AccessTokenFormat] switch to Hydra v1's opaque "<43>.<43>"
// ([TokenFormatHydra], what id.wgtwo.com issues), Hydra v2's "ory_at_…"
// or Net2Phone's 32 hex characters. The server remembers the tokens it
// issues (client, scopes, subject, lifetime, revocation) in a bounded
// table, oldest forgotten first, so introspection, userinfo and revocation
// work for them; JWT access tokens it signed (also through [Server.Mint])
// are checked by signature instead.
//
// Defaults follow Hydra v1 as id.wgtwo.com runs it: the issuer ends in "/",
// kids look like "public:<uuid>", the JWKS carries no Cache-Control, access
// tokens carry "scp" as a JSON array and "aud": []. [Config] switches each of
// these to Hydra v2 or provider variants (Net2Phone's form-body client
// authentication, "expires" field and hex tokens; Sangoma's Basic
// authentication and one-year tokens through [Client.TokenTTL]).
//
// Tests can also sign tokens directly: [Server.AccessToken] and
// [Server.IDToken] produce what the issuer would issue, and [Server.Mint]
// signs arbitrary claims with any kid, algorithm, key or header, expired or
// not. [Server.IssueAccessToken] issues a token in the configured format
// that the server remembers, as its token endpoint would. [Server.Rotate] and [Server.Retire] change the published keys the way
// an operator rotates Hydra's keys: the new key is published and signs at
// the same moment. [Server.ForeignKey] is a key no Server ever publishes,
// for "signed by the wrong key" tests.
//
// With [Config.RequestClientCert] the server asks TLS clients for a
// certificate, and access tokens issued to a token request that presented
// one are certificate-bound (RFC 8705 §3.1): "cnf": {"x5t#S256": …} in the
// JWT and in the introspection answer, JWT or opaque. [CertThumbprint]
// gives that value for [Server.Mint].
//
// [DPoPClient] is the client side of DPoP for tests: it holds a key, signs
// proofs (also broken ones, through [ProofOptions]), obtains bound tokens
// from the token endpoint and calls resource servers with them, retrying
// once with the server's nonce when asked to.
//
// [Server.SetFaultOn] injects a [Fault] (status, body, delay, dropped
// connection) into any one [Endpoint]; [Server.SetFault] is the JWKS
// shorthand, and [Server.Requests] counts each endpoint's requests.
//
// [Server.Transport] serves the same endpoints in-process, without sockets,
// for tests inside testing/synctest bubbles: faults' delays then run on the
// bubble's fake clock.
//
// Every Server must be closed: t.Cleanup(s.Close). Close leaves no
// goroutine running and unblocks requests held by a Fault's Delay.
//
// # Security
//
// This is a test kit. Never use it, or the keys it signs with, in
// production:
//
//   - Its RSA keys come from a fixed pool compiled into the module; they
//     are public knowledge. Two Servers in one process start from the
//     same pool key, under different kids, so a verifier that ignores kid
//     and tries every key would accept one server's tokens at the other.
//     Tests of "wrong issuer key" should sign with [Server.ForeignKey],
//     which no Server uses, or with any key the test generates.
//   - The token endpoint checks client id, secret, authentication method,
//     requested scopes, redirect_uri, PKCE and one-time use of codes and
//     refresh tokens, and nothing else: no rate limiting, no persistence,
//     no user authentication (anyone who can reach /oauth2/auth gets a
//     code for the configured user). Secrets are compared in constant
//     time only out of habit. Introspection is open to anyone by default,
//     as Hydra's admin port is.
//   - TLS uses httptest's self-signed certificate for 127.0.0.1 and
//     example.com; only [Server.Client] and [Server.Certificate] trust it.
//   - With RequestClientCert, client certificates are requested but not
//     verified against any CA, and do not authenticate the client (the
//     secret still does): a token is bound to whatever certificate the
//     client proved it holds the key of, as in RFC 8705's self-signed
//     mode.
//   - [Server.Mint] deliberately signs anything, including unsigned
//     ("alg":"none") and HMAC-with-the-public-key tokens, so verifiers can
//     be tested against them.
package issuertest
