package jwks

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseSet feeds arbitrary documents to ParseSet: it must never panic,
// every key it returns must be valid and uniquely named, and every JWK must
// end up either in the set or in the skipped list.
func FuzzParseSet(f *testing.F) {
	f.Add(jwksDoc(f, hydraJWK(0), hydraJWK(1)))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(``))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","k":"AAAA"},null,1,"x"]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AQ","y":"AQ"},{"kty":"OKP","crv":"Ed25519","x":"AQ"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, skipped, err := ParseSet(data)
		if err != nil {
			if !errors.Is(err, ErrFetch) || s != nil {
				t.Fatalf("ParseSet error %v with set %v", err, s)
			}
			return
		}
		// Count the JWKs the way ParseSet reads them: the exact member
		// "keys" (a struct field would also match "Keys" or "KEYS").
		var doc map[string]json.RawMessage
		var elems []json.RawMessage
		if json.Unmarshal(data, &doc) == nil && json.Unmarshal(doc["keys"], &elems) == nil &&
			s.Len()+len(skipped) != len(elems) {
			t.Fatalf("%d kept + %d skipped != %d JWKs", s.Len(), len(skipped), len(elems))
		}
		seen := map[string]bool{}
		for _, k := range s.Keys() {
			if k.KID() != "" && seen[k.KID()] {
				t.Fatalf("duplicate kid %q in set", k.KID())
			}
			seen[k.KID()] = true
			if _, err := NewKey(k.KID(), k.Alg(), k.Use(), k.Public()); err != nil {
				t.Fatalf("ParseSet kept a key NewKey refuses: %v", err)
			}
		}
		for _, sk := range skipped {
			if !errors.Is(sk.Err, ErrInvalidKey) {
				t.Fatalf("skip reason %v does not wrap ErrInvalidKey", sk.Err)
			}
		}
	})
}
