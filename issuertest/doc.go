// Package issuertest runs an offline OAuth 2.0 / OpenID Connect issuer for
// tests, in the spirit of net/http/httptest. It is shaped like Ory Hydra, the
// authorization server behind id.wgtwo.com, so tests exercise the tokens,
// key sets and token-endpoint answers that real deployments produce.
//
// A [Server] listens on 127.0.0.1 (plain HTTP, or HTTPS with [Config.TLS])
// and serves:
//
//   - GET /.well-known/openid-configuration: Hydra v1.11's discovery
//     document, with URLs on this server and issuer = [Server.Issuer];
//   - GET /.well-known/jwks.json: {"keys":[…]}, newest key first, each
//     {"use":"sig","kty":"RSA","kid":…,"alg":"RS256","n":…,"e":"AQAB"},
//     with optional Cache-Control and injectable faults ([Server.SetFault]);
//   - POST /oauth2/token: the client_credentials grant with HTTP Basic or
//     form-field client authentication, answering
//     {"access_token":…,"expires_in":3599,"scope":"a b","token_type":"bearer"}
//     and Hydra's (fosite's) error bodies.
//
// Defaults follow Hydra v1 as id.wgtwo.com runs it: the issuer ends in "/",
// kids look like "public:<uuid>", the JWKS carries no Cache-Control, access
// tokens carry "scp" as a JSON array and "aud": []. [Config] switches each of
// these to Hydra v2 or provider variants (Net2Phone's form-body client
// authentication and "expires" field, Sangoma's Basic authentication).
//
// Tests can also sign tokens directly: [Server.AccessToken] and
// [Server.IDToken] produce what the issuer would issue, and [Server.Mint]
// signs arbitrary claims with any kid, algorithm, key or header, expired or
// not. [Server.Rotate] and [Server.Retire] change the published keys the way
// an operator rotates Hydra's keys: the new key is published and signs at
// the same moment.
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
//   - Its RSA keys come from a fixed pool compiled into the module
//     (internal/testkeys); they are public knowledge. Two Servers in one
//     process start from the same pool key, under different kids, so a
//     verifier that ignores kid and tries every key would accept one
//     server's tokens at the other. Tests of "wrong issuer key" should use
//     [MintOptions.Key] with a key the server never uses: inside this module
//     a high pool index such as testkeys.RSA2048(7) (the pool is used in
//     order, so it is safe unless the test rotates seven times), elsewhere
//     any key the test generates.
//   - The token endpoint checks client id, secret, authentication method
//     and requested scopes, and nothing else: no rate limiting, no replay
//     protection, no persistence. Secrets are compared in constant time
//     only out of habit.
//   - TLS uses httptest's self-signed certificate for 127.0.0.1 and
//     example.com; only [Server.Client] and [Server.Certificate] trust it.
//   - [Server.Mint] deliberately signs anything, including unsigned
//     ("alg":"none") and HMAC-with-the-public-key tokens, so verifiers can
//     be tested against them.
package issuertest
