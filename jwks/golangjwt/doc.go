// Package golangjwt adapts a jwks.Source for github.com/golang-jwt/jwt/v5,
// so that code already parsing tokens with golang-jwt can take its keys
// from a jwks.Cache (refresh, unknown-kid handling, stale window) or a
// static jwks.Set. It lives apart from jwks so that jwks imports no JWT
// library.
//
// # Security
//
// The adapter only finds keys: it refuses a non-string kid and keys that do
// not fit the token's alg (jwks.ErrKeyMismatch), but golang-jwt decides
// everything else. Pin the algorithms with jwt.WithValidMethods and require
// the claims you rely on (jwt.WithIssuer, jwt.WithAudience,
// jwt.WithExpirationRequired); verify.Verifier does all of that by default.
package golangjwt
