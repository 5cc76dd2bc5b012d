// Package jose holds the mechanics of compact JWS (RFC 7515) that jwks and
// verify share: strict base64url decoding of token segments, a strict JSON
// scanner, NumericDate parsing (RFC 7519 §2), the one table of JWS
// algorithms (RFC 7518 §3, RFC 8037) with the key each needs, and the size
// limits on what an attacker may send. It decides nothing: which
// algorithms a verifier accepts, in which order the checks run and what a
// refusal says are verify's policy; which keys a set holds is jwks's.
//
// # Security
//
// Every function here reads attacker input. None panics, and none accepts
// more than one encoding of a value: base64url without padding, line
// breaks or non-zero trailing bits; JSON without duplicate member names
// (compared after unescaping), invalid UTF-8, lone surrogates or nesting
// deeper than [MaxJSONDepth]; NumericDates from 0 to [MaxNumericDate]
// without float rounding. The algorithm table has no
// "none" and no HS*: a public key never fits them (RFC 8725 §2.1).
package jose

// MaxKIDBytes caps a JOSE header's "kid".
const MaxKIDBytes = 256

// Truncate returns s cut to n bytes with "…" appended when it is longer,
// for attacker-controlled strings in error details and logs.
func Truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
