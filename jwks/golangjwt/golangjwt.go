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

import (
	"context"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/jwks"
)

// errNoMethod is returned for a token without a signing method.
var errNoMethod = errors.New("golangjwt: token without signing method")

// Keyfunc adapts src for golang-jwt: it looks up the key for the token's
// "kid" header (absent = "") and token.Method.Alg() with
// context.Background(), and returns the key's public key. A non-string kid
// is refused with an error wrapping jwks.ErrKeyNotFound. Pair it with
// jwt.WithValidMethods so the parser pins the algorithms; the lookup itself
// also refuses keys that do not fit the alg.
func Keyfunc(src jwks.Source) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if t == nil || t.Method == nil {
			return nil, errNoMethod
		}
		kid := ""
		if v, ok := t.Header["kid"]; ok {
			s, isString := v.(string)
			if !isString {
				return nil, fmt.Errorf("golangjwt: kid header is not a string: %w", jwks.ErrKeyNotFound)
			}
			kid = s
		}
		k, err := src.Key(context.Background(), kid, t.Method.Alg())
		if err != nil {
			return nil, err
		}
		return k.Public(), nil
	}
}
