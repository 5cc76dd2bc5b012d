package golangjwt_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/jwks/golangjwt"
)

func newSet(t testing.TB) *jwks.Set {
	t.Helper()
	var keys []*jwks.Key
	for i, kid := range []string{"k0", "k1"} {
		k, err := jwks.NewKey(kid, "RS256", "sig", testkeys.RSA2048(i).Public())
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	s, err := jwks.NewSet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sign(t testing.TB, kid any, method jwt.SigningMethod, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, jwt.MapClaims{"sub": "x"})
	if kid != nil {
		tok.Header["kid"] = kid
	}
	str, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return str
}

func TestKeyfunc(t *testing.T) {
	kf := golangjwt.Keyfunc(newSet(t))
	tests := []struct {
		name    string
		token   string
		wantErr error
	}{
		{"valid kid 1", sign(t, "k1", jwt.SigningMethodRS256, testkeys.RSA2048(1)), nil},
		{"wrong key for kid", sign(t, "k0", jwt.SigningMethodRS256, testkeys.RSA2048(1)), jwt.ErrTokenSignatureInvalid},
		{"unknown kid", sign(t, "nope", jwt.SigningMethodRS256, testkeys.RSA2048(1)), jwks.ErrKeyNotFound},
		{"no kid, two keys", sign(t, nil, jwt.SigningMethodRS256, testkeys.RSA2048(1)), jwks.ErrKeyNotFound},
		{"non-string kid", sign(t, 7, jwt.SigningMethodRS256, testkeys.RSA2048(1)), jwks.ErrKeyNotFound},
		{"alg mismatch PS256 vs RS256 key", sign(t, "k1", jwt.SigningMethodPS256, testkeys.RSA2048(1)), jwks.ErrKeyMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jwt.Parse(tc.token, kf, jwt.WithValidMethods([]string{"RS256", "PS256"}))
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("jwt.Parse: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("jwt.Parse = %v, want %v", err, tc.wantErr)
			}
		})
	}
	if _, err := kf(&jwt.Token{}); err == nil {
		t.Error("Keyfunc on token without method: want error")
	}
}

func ExampleKeyfunc() {
	k, err := jwks.NewKey("k0", "RS256", "sig", testkeys.RSA2048(0).Public())
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := jwks.NewSet(k) // or a *jwks.Cache
	if err != nil {
		fmt.Println(err)
		return
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "alice"})
	tok.Header["kid"] = "k0"
	signed, err := tok.SignedString(testkeys.RSA2048(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	parsed, err := jwt.Parse(signed, golangjwt.Keyfunc(set), jwt.WithValidMethods([]string{"RS256"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	sub, _ := parsed.Claims.GetSubject()
	fmt.Println(parsed.Valid, sub)
	// Output:
	// true alice
}
