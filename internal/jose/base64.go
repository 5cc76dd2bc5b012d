package jose

import (
	"encoding/base64"
	"strings"
)

// strictB64 decodes unpadded base64url and refuses non-zero trailing bits.
var strictB64 = base64.RawURLEncoding.Strict()

// DecodedLen returns the decoded length of an unpadded base64url string,
// or -1 when no unpadded encoding has that length.
func DecodedLen(n int) int {
	if n%4 == 1 {
		return -1
	}
	return n/4*3 + (n%4*6)/8
}

// DecodeSegment decodes s, unpadded base64url (RFC 7515 §2), into dst,
// which must have room for DecodedLen(len(s)) bytes, and returns the
// number of bytes written. It refuses padding, characters outside
// [A-Za-z0-9_-] and non-zero trailing bits, so that each value has one
// encoding. It is base64.RawURLEncoding.Strict(), which skips CR and LF,
// with those refused first: a hand-written decoder was faster, but saved
// too little of a whole cold verification to be worth code of its own
// (bench/notes.md; BenchmarkColdShare reports this decoder's share).
func DecodeSegment(dst []byte, s string) (int, bool) {
	if l := DecodedLen(len(s)); l < 0 || len(dst) < l || strings.ContainsAny(s, "\r\n") {
		return 0, false
	}
	n, err := strictB64.Decode(dst, []byte(s))
	if err != nil {
		return 0, false
	}
	return n, true
}
