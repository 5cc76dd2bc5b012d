package introspect

import (
	"strings"
	"testing"
	"time"
)

// FuzzIntrospectionResponse decodes arbitrary bodies: no panic, and an
// accepted body must be an object with "active" the literal true or false
// whose times are in range.
func FuzzIntrospectionResponse(f *testing.F) {
	for _, s := range []string{
		`{"active":true,"scope":"a b","client_id":"c","sub":"s","exp":1764000000,"iat":1763996400,"nbf":1763996400,"aud":["x"],"iss":"https://id.wgtwo.com/","token_type":"Bearer","token_use":"access_token","ext":{}}`,
		`{"active":false}`,
		`{"active":"true"}`,
		`{"active":1}`,
		`{"active":true,"active":false}`,
		`{"active":true,"exp":1e400}`,
		`{"active":true,"aud":"x","scope":"Office Manager"}`,
		`{"active":true,"iss":null,"token_use":null}`,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, whole bool) {
		d, err := decodeIntrospection(body, whole)
		if err != nil {
			return
		}
		var max = time.Unix(maxNumericDate+1, 0)
		for _, tm := range []time.Time{d.claims.ExpiresAt, d.claims.IssuedAt, d.claims.NotBefore} {
			if tm.Before(time.Time{}) || tm.After(max) {
				t.Fatalf("time %v out of range", tm)
			}
		}
		if !d.active && (d.claims.Subject != "" || len(d.claims.Scopes) != 0) {
			t.Fatalf("inactive answer carried claims: %+v", d.claims)
		}
		for _, s := range d.claims.Scopes {
			if s == "" || (!whole && strings.Contains(s, " ")) {
				t.Fatalf("scope %q", s)
			}
		}
	})
}

// FuzzUserinfoResponse decodes arbitrary userinfo bodies without panicking.
func FuzzUserinfoResponse(f *testing.F) {
	for _, s := range []string{
		`{"phone_number":"+46123456789","phone_number_verified":true,"sid":"42e","sub":"73e"}`,
		`{"sub":7}`,
		`{"sub":"a","sub":"b"}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if d, err := decodeUserinfo(body); err == nil && !d.active {
			t.Fatal("decoded userinfo is not active")
		}
	})
}

// FuzzShapes checks the token shape predicates and IsJWT on arbitrary
// input: no panic, and a Hydra token is neither JWT- nor hex-shaped.
func FuzzShapes(f *testing.F) {
	for _, s := range []string{hydraFixture, "ory_at_" + hydraFixture, "7332170a208e270bc922d8ca54a5091f", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if HydraToken(tok) && IsJWT(tok) || HydraToken(tok) && Hex32Token(tok) {
			t.Fatalf("%q has two shapes", tok)
		}
	})
}
