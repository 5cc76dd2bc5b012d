package jwks

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FuzzParseSet feeds arbitrary documents to ParseSet: it must never panic,
// every key it returns must be valid and uniquely named, every JWK must end
// up either in the set or in the skipped list, and every JWK it keeps must
// have its key material in canonical base64url (re-encoding the decoded
// octets gives the same text) with no leading zero octet in n or e.
// Parsing the same document again against the set it gave (as a refresh
// does) must keep and skip the same JWKs and build no new key.
func FuzzParseSet(f *testing.F) {
	f.Add(jwksDoc(f, hydraJWK(0), hydraJWK(1)))
	f.Add(jwksDoc(f, jwkMap("", "", "", testkeysEd()), jwkMap("", "", "", testkeysEd()))) // one kid-less key twice
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(``))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","k":"AAAA"},null,1,"x"]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AQ","y":"AQ"},{"kty":"OKP","crv":"Ed25519","x":"AQ"}]}`))
	f.Add([]byte(`{"keys":[],"keys":[{"kty":"RSA"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, skipped, err := ParseSet(data)
		if err != nil {
			if !errors.Is(err, ErrFetch) || s != nil {
				t.Fatalf("ParseSet error %v with set %v", err, s)
			}
			return
		}
		// Count the JWKs independently: the exact member "keys" of the
		// document, which ParseSet accepted, so it has no duplicate names
		// at its top level (those inside a JWK only cost that JWK).
		var doc struct {
			Keys []jsontext.Value `json:"keys"`
		}
		if err := json.Unmarshal(data, &doc, jsontext.AllowDuplicateNames(true)); err != nil {
			t.Fatalf("ParseSet accepted a document JSON v2 refuses: %v", err)
		}
		if s.Len()+len(skipped) != len(doc.Keys) {
			t.Fatalf("%d kept + %d skipped != %d JWKs", s.Len(), len(skipped), len(doc.Keys))
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
		again, skippedAgain, err := parseSet(data, s)
		if err != nil || again.Len() != s.Len() || len(skippedAgain) != len(skipped) {
			t.Fatalf("reparse against its own set = %v keys, %d skipped, %v; want %d, %d, nil",
				again, len(skippedAgain), err, s.Len(), len(skipped))
		}
		for _, k := range again.keys {
			if !slices.Contains(s.keys, k) {
				t.Fatalf("reparse against its own set built a new key for kid %q", k.KID())
			}
		}
		wasSkipped := map[int]bool{}
		for _, sk := range skipped {
			if !errors.Is(sk.Err, ErrInvalidKey) {
				t.Fatalf("skip reason %v does not wrap ErrInvalidKey", sk.Err)
			}
			wasSkipped[sk.Index] = true
		}
		for i, raw := range doc.Keys {
			if !wasSkipped[i] {
				checkCanonical(t, raw)
			}
		}
	})
}

// checkCanonical fails t unless the key material members of a kept JWK are
// canonical unpadded base64url, with n and e minimal.
func checkCanonical(t *testing.T, raw jsontext.Value) {
	t.Helper()
	var m map[string]jsontext.Value
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("kept JWK %s that JSON v2 refuses: %v", raw, err)
	}
	var kty string
	_ = json.Unmarshal(m["kty"], &kty)
	members := map[string][]string{"RSA": {"n", "e"}, "EC": {"x", "y"}, "OKP": {"x"}}[kty]
	for _, name := range members {
		var s string
		if m[name] == nil || json.Unmarshal(m[name], &s) != nil {
			continue
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
			t.Fatalf("kept JWK with non-canonical %q %q", name, s)
		}
		if (name == "n" || name == "e") && (len(b) == 0 || b[0] == 0) {
			t.Fatalf("kept JWK with %q %q not a minimal integer", name, s)
		}
	}
}

// FuzzDecodePersisted feeds arbitrary files to decodePersisted: it must
// never panic, and a file it accepts must have the current version, a
// document within the cap, and encode back to the same header and
// document.
func FuzzDecodePersisted(f *testing.F) {
	const maxDoc = 1 << 10
	valid, err := encodePersisted(persistHeader{V: persistVersion, URL: fakeJWKSURL,
		Fetched: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)}, jwksDoc(f, jwkMap("ed", "", "", testkeysEd())))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"v":1,"issuer":"https://issuer.test/","fetched":"2026-12-01T16:00:00Z"}` + "\n{}"))
	f.Add([]byte(`{"v":1,"v":1,"fetched":"2026-12-01T16:00:00Z"}` + "\n"))
	f.Add([]byte(`{"v":1,"Fetched":"2026-12-01T16:00:00Z"}` + "\n"))
	f.Add([]byte(`{"v":2}` + "\n"))
	f.Add([]byte(`{"v":1,"fetched":"2026-12-01"}` + "\n"))
	f.Add([]byte("\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, doc, err := decodePersisted(b, maxDoc)
		if err != nil {
			return
		}
		if h.V != persistVersion || len(doc) > maxDoc {
			t.Fatalf("accepted version %d, document of %d bytes", h.V, len(doc))
		}
		again, err := encodePersisted(h, doc)
		if err != nil {
			t.Fatalf("accepted header does not encode: %v", err)
		}
		h2, doc2, err := decodePersisted(again, maxDoc)
		if err != nil || h2.URL != h.URL || h2.Issuer != h.Issuer || !h2.Fetched.Equal(h.Fetched) || !bytes.Equal(doc2, doc) {
			t.Fatalf("round trip: %+v %q %v, want %+v %q", h2, doc2, err, h, doc)
		}
	})
}
