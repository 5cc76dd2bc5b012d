package jwks

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Skipped describes one JWK that [ParseSet] left out of the set.
type Skipped struct {
	Index int    // position in the "keys" array
	KID   string // the JWK's kid, if it had a string one
	Err   error  // why; wraps ErrInvalidKey
}

// privateMembers are JWK members that only private or symmetric keys carry
// (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParseSet parses a JWK Set document (RFC 7517 §5) key by key, so that one
// unusable key never empties the set. It returns the usable keys, the keys
// it skipped with the reason, and an error only when the document itself is
// unusable: not a JSON object, or "keys" missing or not an array. That
// error wraps [ErrFetch], because to a cache it means the fetched document
// is broken, not that one key is.
//
// A key is skipped (and reported) when it:
//   - is not a JSON object or does not decode (bad base64url, wrong types);
//   - has a kty other than RSA, EC or OKP (Ed25519) — symmetric "oct" keys
//     are never imported;
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
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%w: JWKS is not a JSON object: %v", ErrFetch, err)
	}
	rawKeys, ok := doc["keys"]
	if !ok {
		return nil, nil, fmt.Errorf("%w: JWKS has no \"keys\" member", ErrFetch)
	}
	if t := bytes.TrimLeft(rawKeys, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return nil, nil, fmt.Errorf("%w: JWKS \"keys\" is not an array", ErrFetch)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(rawKeys, &elems); err != nil {
		return nil, nil, fmt.Errorf("%w: JWKS \"keys\": %v", ErrFetch, err)
	}

	var skipped []Skipped
	keys := make([]*Key, 0, len(elems))
	index := make([]int, 0, len(elems))
	for i, e := range elems {
		k, kid, err := parseJWK(e)
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

// jwkMembers are the members ParseSet reads itself rather than trusting jwx.
type jwkMembers struct {
	Kty    string    `json:"kty"`
	Kid    *string   `json:"kid"`
	Alg    *string   `json:"alg"`
	Use    *string   `json:"use"`
	KeyOps *[]string `json:"key_ops"`
	E      string    `json:"e"`
}

func parseJWK(raw json.RawMessage) (k *Key, kid string, err error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil || all == nil {
		return nil, "", fmt.Errorf("%w: key is not a JSON object", ErrInvalidKey)
	}
	var m jwkMembers
	if err := json.Unmarshal(raw, &m); err != nil {
		// Try to recover the kid for the report.
		var kidOnly struct{ Kid string }
		_ = json.Unmarshal(raw, &kidOnly)
		return nil, kidOnly.Kid, fmt.Errorf("%w: bad member types: %v", ErrInvalidKey, err)
	}
	if m.Kid != nil {
		kid = *m.Kid
	}
	fail := func(format string, a ...any) (*Key, string, error) {
		return nil, kid, fmt.Errorf("%w: kid %q: %s", ErrInvalidKey, truncKID(kid), fmt.Sprintf(format, a...))
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
	if m.KeyOps != nil {
		verify := false
		for _, op := range *m.KeyOps {
			verify = verify || op == "verify"
		}
		if !verify {
			return fail("key_ops %q lacks \"verify\"", *m.KeyOps)
		}
	}
	if m.Alg != nil {
		alg = *m.Alg
		if _, known := jwsAlgs[alg]; !known {
			return fail("alg %q is not a supported JWS algorithm", truncKID(alg))
		}
	}
	if m.Kty == "RSA" {
		// jwx truncates e to an int64; check the encoded value ourselves.
		eb, err := base64.RawURLEncoding.Strict().DecodeString(m.E)
		if err != nil || len(eb) == 0 {
			return fail("bad RSA exponent encoding")
		}
		e := new(big.Int).SetBytes(eb)
		if !e.IsInt64() {
			return fail("RSA exponent too large")
		}
		if err := checkRSAExponent(e.Int64()); err != nil {
			return fail("%v", err)
		}
	}

	jk, err := jwk.ParseKey(raw)
	if err != nil {
		return fail("decode: %v", err)
	}
	var pub any
	if err := jk.Raw(&pub); err != nil {
		return fail("decode: %v", err)
	}
	switch p := pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return fail("unsupported %s key %T", m.Kty, p)
	}
	k, err = NewKey(kid, alg, use, pub)
	if err != nil {
		if errors.Is(err, ErrInvalidKey) {
			return nil, kid, err
		}
		return fail("%v", err)
	}
	return k, kid, nil
}
