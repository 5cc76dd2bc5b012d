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
