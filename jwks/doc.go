// Package jwks holds the public keys an OAuth 2.0 / OpenID Connect issuer
// signs tokens with.
//
// A [Key] is one validated public key (RSA, EC P-256/384/521 or Ed25519)
// with its kid, alg, kty and use, so a verifier can bind a token's alg to the
// key. A [Set] is an immutable snapshot of keys and a static [Source];
// [ParseSet] builds one from a JWK Set document key by key. [Keyfunc] adapts
// any Source for github.com/golang-jwt/jwt/v5.
package jwks
