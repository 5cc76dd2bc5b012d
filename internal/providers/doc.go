// Package providers holds end-to-end tests of opaque and JWT access tokens
// as the supported providers issue them: wgtwo (Ory Hydra), Sangoma CPaaS
// and Net2Phone Canada. Each test starts an issuertest issuer on loopback,
// obtains tokens with real clients (golang.org/x/oauth2's
// client-credentials and authorization-code flows) and calls an httpmw
// server and a grpcmw server over TLS whose Checker is introspect.Route of
// the JWT verifier and a remote checker (RFC 7662 introspection, or
// userinfo for wgtwo user tokens). One test per provider names the
// provider assumption it checks; others cover refusals (revoked, expired,
// unknown tokens), introspection outages and the remote-check cache.
//
// The package has no exported API; it exists for its tests. Time is an
// injected clock shared by the issuer, the verifier and the checkers, so
// expiry and cache lifetimes are stepped, never waited for.
//
// # Security
//
// Everything runs on loopback with test keys and throwaway certificates.
// The tests pin the security properties users rely on: a JWT (an ID token
// or a forgery included) never reaches the remote endpoint, a token of the
// wrong shape is refused before any remote call, an outage answers 503 or
// Unavailable and never 401, and a revoked token stops working within the
// cache lifetime the test configures.
package providers
