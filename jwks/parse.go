package jwks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Skipped describes one JWK that [ParseSet] left out of the set.
type Skipped struct {
	Index int    // position in the "keys" array
	KID   string // the JWK's kid, if it had one string kid ("" when kid is named twice)
	Err   error  // why; wraps ErrInvalidKey
}

// privateMembers are JWK members that only private or symmetric keys carry
// (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParseSet parses a JWK Set document (RFC 7517 §5) key by key, so that one
// unusable key never empties the set. It returns the usable keys, the keys
// it skipped with the reason, and an error only when the document itself is
// unusable: not a single JSON object (invalid UTF-8 and trailing data
// included), a member name that occurs twice at its top level ("keys"
// twice would leave the key set to the parser's taste), or "keys" missing
// or not an array. That error wraps [ErrFetch], because to a cache it
// means the fetched document is broken, not that one key is.
//
// Member names are matched exactly, as RFC 7159 §4 compares them: "KEYS",
// "USE", "KID" or "Alg" are unknown members and are ignored, never read as
// "keys", "use", "kid" or "alg".
//
// A key is skipped (and reported) when it:
//   - is not a JSON object, has a member name twice (also after unescaping,
//     so "\u0075se" collides with "use"), or has members of the wrong type
//     (null included);
//   - has a kty other than RSA, EC or OKP (Ed25519) — symmetric "oct" keys
//     are never imported;
//   - has key material that is not strict base64url (RFC 7515 §2: the
//     URL-safe alphabet, no padding, no line breaks, no non-zero trailing
//     bits), an RSA "n" or "e" with a leading zero octet (RFC 7518 §2,
//     §6.3.1.1), or an EC "x"/"y" or Ed25519 "x" not exactly the curve's
//     size (RFC 7518 §6.2.1.2, RFC 8037 §2);
//   - is RSA with fewer than 2048 or more than 8192 bits, or an exponent
//     that is even, below 65537 or at least 2^31;
//   - is EC on a curve other than P-256, P-384, P-521, or off its curve;
//   - carries private material (d, p, q, dp, dq, qi, oth, k);
//   - has "use" other than "sig", or "key_ops" without "verify";
//   - has an "alg" that is not a JWS algorithm for its key type;
//   - shares its kid with another usable key: every key with that kid is
//     skipped, because a lookup by that kid would be ambiguous.
//
// Zero usable keys is not an error here; a [Cache] treats it as a failed
// refresh. ParseSet does not limit the document size: callers reading
// untrusted input must cap it first (a Cache does).
func ParseSet(data []byte) (*Set, []Skipped, error) {
	return parseSet(data, nil)
}

// parseSet is ParseSet for a refresh: a JWK that would build a key equal
// to one in prev (see [Set.reusable]) gets prev's *Key, so the key keeps its
// pointer (the [Source] contract) and is not prepared again. prev may be
// nil.
func parseSet(data []byte, prev *Set) (*Set, []Skipped, error) {
	elems, err := splitSet(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: JWKS %w", ErrFetch, err)
	}

	var skipped []Skipped
	keys := make([]*Key, 0, len(elems))
	index := make([]int, 0, len(elems))
	for i, e := range elems {
		k, kid, err := parseJWK(e, prev)
		if err != nil {
			skipped = append(skipped, Skipped{Index: i, KID: kid, Err: err})
			continue
		}
		keys = append(keys, k)
		index = append(index, i)
	}

	// Drop every key whose kid is shared by another usable key.
	count := make(map[string]int, len(keys))
	for _, k := range keys {
		if k.kid != "" {
			count[k.kid]++
		}
	}
	kept := keys[:0]
	for j, k := range keys {
		if n := count[k.kid]; n > 1 {
			skipped = append(skipped, Skipped{Index: index[j], KID: k.kid,
				Err: fmt.Errorf("%w: kid %q is used by %d keys (ambiguous)", ErrInvalidKey, truncKID(k.kid), n)})
			continue
		}
		kept = append(kept, k)
	}
	set, err := NewSet(kept...)
	if err != nil { // cannot happen: duplicates were removed above
		return nil, skipped, err
	}
	return set, skipped, nil
}

// splitSet reads the top level of a JWK Set document exactly and returns
// the elements of its "keys" array, undecoded. Duplicates inside the
// elements are left for parseJWK, so that they cost only their own key.
func splitSet(data []byte) ([]jsontext.Value, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return nil, errors.New("is not a JSON object")
	}
	var (
		elems []jsontext.Value
		found bool
		seen  = make(map[string]bool)
	)
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, fmt.Errorf("is not a JSON object: %w", err)
		}
		name := tok.String() // unescaped: "k\u0065ys" is "keys"
		if seen[name] {
			return nil, fmt.Errorf("has member %q twice", truncKID(name))
		}
		seen[name] = true
		if name != "keys" {
			if err := dec.SkipValue(); err != nil {
				return nil, fmt.Errorf("is not a JSON object: %w", err)
			}
			continue
		}
		found = true
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
			return nil, errors.New("\"keys\" is not an array")
		}
		for dec.PeekKind() != ']' {
			v, err := dec.ReadValue()
			if err != nil {
				return nil, fmt.Errorf("\"keys\": %w", err)
			}
			elems = append(elems, v.Clone())
		}
		if _, err := dec.ReadToken(); err != nil { // ']'
			return nil, fmt.Errorf("\"keys\": %w", err)
		}
	}
	if _, err := dec.ReadToken(); err != nil { // '}'
		return nil, fmt.Errorf("is not a JSON object: %w", err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, errors.New("has data after its object")
	}
	if !found {
		return nil, errors.New("has no \"keys\" member")
	}
	return elems, nil
}

// readMembers are the names of jwkMembers' fields. JSON v2 decodes null as
// the zero value, so "use": null or "key_ops": ["verify", null] would read
// as an absent member or an empty string; parseJWK refuses them instead, as
// members of the wrong type.
var readMembers = []string{"kty", "kid", "alg", "use", "key_ops", "n", "e", "crv", "x", "y"}

// holdsNull reports whether v, valid JSON, is null or contains a null.
func holdsNull(v jsontext.Value) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(v))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return false
		}
		if tok.Kind() == 'n' {
			return true
		}
	}
}

// parseJWK decodes one JWK exactly (JSON v2 semantics: case-sensitive
// names, duplicates refused, valid UTF-8) and builds its Key, or returns
// the equal key of prev (which may be nil). Every check runs either way,
// so reuse never changes which keys are accepted.
func parseJWK(raw jsontext.Value, prev *Set) (k *Key, kid string, err error) {
	var all map[string]jsontext.Value
	if err := json.Unmarshal(raw, &all); err != nil || all == nil {
		if errors.Is(err, jsontext.ErrDuplicateName) {
			return nil, "", fmt.Errorf("%w: key has a duplicate member name: %v", ErrInvalidKey, err)
		}
		return nil, "", fmt.Errorf("%w: key is not a JSON object", ErrInvalidKey)
	}
	var m jwkMembers
	if err := json.Unmarshal(raw, &m); err != nil {
		// Try to recover the kid for the report.
		_ = json.Unmarshal(all["kid"], &kid)
		return nil, kid, fmt.Errorf("%w: bad member types: %v", ErrInvalidKey, err)
	}
	if m.Kid != nil {
		kid = *m.Kid
	}
	fail := func(format string, a ...any) (*Key, string, error) {
		return nil, kid, fmt.Errorf("%w: kid %q: %s", ErrInvalidKey, truncKID(kid), fmt.Sprintf(format, a...))
	}
	for _, name := range readMembers {
		if v, has := all[name]; has && holdsNull(v) {
			return fail("%q is or holds null", name)
		}
	}
	switch m.Kty {
	case "RSA", "EC", "OKP":
	case "oct":
		return fail("symmetric (oct) keys are never imported")
	default:
		return fail("unsupported kty %q", truncKID(m.Kty))
	}
	for _, name := range privateMembers {
		if _, has := all[name]; has {
			return fail("private key material (%q) present", name)
		}
	}
	use, alg := "", ""
	if m.Use != nil {
		use = *m.Use
		if use != "sig" {
			return fail("use %q is not \"sig\"", truncKID(use))
		}
	}
	var ops []string
	if m.KeyOps != nil {
		ops = *m.KeyOps
		if !slices.Contains(ops, "verify") {
			return fail("key_ops %q lacks \"verify\"", ops)
		}
	}
	if m.Alg != nil {
		alg = *m.Alg
		if _, known := jwsAlgs[alg]; !known {
			return fail("alg %q is not a supported JWS algorithm", truncKID(alg))
		}
	}
	want, err := m.material()
	if err != nil {
		return fail("%v", err)
	}

	jk, err := jwk.ParseKey(raw)
	if err != nil {
		return fail("decode: %v", err)
	}
	var pub any
	if err := jk.Raw(&pub); err != nil {
		return fail("decode: %v", err)
	}
	if !want.matches(pub) {
		return fail("the decoded %s key (%T) differs from the JWK's members", m.Kty, pub)
	}
	if p := prev.reusable(kid, m.Kty, alg, use, ops, want); p != nil {
		return p, kid, nil // NewKey accepted these very inputs before
	}
	k, err = NewKey(kid, alg, use, pub)
	if err != nil {
		if errors.Is(err, ErrInvalidKey) {
			return nil, kid, err
		}
		return fail("%v", err)
	}
	k.ops = ops
	return k, kid, nil
}

// reusable returns the key of s (nil when s is nil or has none) whose
// kid, kty, alg, use and key_ops are those given and whose public key is
// mat. Strict decoding gives every key one encoding (no padding, no
// leading zero octets, fixed-size coordinates), so equal decoded material
// means byte-identical "n", "e", "crv", "x" and "y" members. Kid-less keys
// are matched by scanning s's kid-less keys.
func (s *Set) reusable(kid, kty, alg, use string, ops []string, mat material) *Key {
	if s == nil {
		return nil
	}
	same := func(p *Key) bool {
		return p.kid == kid && p.kty == kty && p.alg == alg && p.use == use &&
			slices.Equal(p.ops, ops) && mat.matches(p.pub)
	}
	if kid != "" {
		if p := s.byKID[kid]; p != nil && same(p) {
			return p
		}
		return nil
	}
	for _, p := range s.keys {
		if same(p) {
			return p
		}
	}
	return nil
}
