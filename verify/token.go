package verify

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// maxKIDBytes caps the header "kid".
const maxKIDBytes = 256

// b64Values maps a base64url character to its value, 0xFF for anything else.
var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodedLen returns the decoded length of an unpadded base64url string,
// or -1 when no unpadded encoding has that length.
func decodedLen(n int) int {
	if n%4 == 1 {
		return -1
	}
	return n/4*3 + (n%4*6)/8
}

// decodeB64 decodes s, unpadded base64url, into dst (len ≥ decodedLen).
// It is exactly as strict as base64.RawURLEncoding.Strict() and stricter in
// one respect: every byte must be in [A-Za-z0-9_-] (the standard decoder
// skips \r and \n). Non-zero trailing bits are refused. FuzzBase64 checks it
// against the standard library.
func decodeB64(dst []byte, s string) (int, bool) {
	if decodedLen(len(s)) < 0 || len(dst) < decodedLen(len(s)) {
		return 0, false
	}
	t := &b64Values
	out := dst
	var acc byte // ORs every table value: bit 7 or 6 set means invalid
	// 8 characters → 6 bytes, written as one 8-byte store while there is
	// room for the 2 spare bytes.
	for len(s) >= 8 && len(out) >= 8 {
		c0, c1, c2, c3, c4, c5, c6, c7 := t[s[0]], t[s[1]], t[s[2]], t[s[3]], t[s[4]], t[s[5]], t[s[6]], t[s[7]]
		acc |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7
		v := uint64(c0)<<58 | uint64(c1)<<52 | uint64(c2)<<46 | uint64(c3)<<40 |
			uint64(c4)<<34 | uint64(c5)<<28 | uint64(c6)<<22 | uint64(c7)<<16
		binary.BigEndian.PutUint64(out, v)
		s, out = s[8:], out[6:]
	}
	for len(s) >= 4 && len(out) >= 3 {
		a, b, c, d := t[s[0]], t[s[1]], t[s[2]], t[s[3]]
		acc |= a | b | c | d
		v := uint(a)<<18 | uint(b)<<12 | uint(c)<<6 | uint(d)
		out[0], out[1], out[2] = byte(v>>16), byte(v>>8), byte(v)
		s, out = s[4:], out[3:]
	}
	if acc&0xC0 != 0 {
		return 0, false
	}
	switch len(s) {
	case 0:
	case 2:
		if len(out) < 1 {
			return 0, false
		}
		a, b := t[s[0]], t[s[1]]
		if (a|b)&0xC0 != 0 || b&0x0F != 0 {
			return 0, false
		}
		out[0] = a<<2 | b>>4
		out = out[1:]
	case 3:
		if len(out) < 2 {
			return 0, false
		}
		a, b, c := t[s[0]], t[s[1]], t[s[2]]
		if (a|b|c)&0xC0 != 0 || c&0x03 != 0 {
			return 0, false
		}
		out[0] = a<<2 | b>>4
		out[1] = b<<4 | c>>2
		out = out[2:]
	default:
		return 0, false
	}
	return len(dst) - len(out), true
}

// parsed is a token after the shape and header checks (steps 1–3).
type parsed struct {
	signingInput string // header.payload, as signed
	payload      string // decoded payload JSON
	sig          []byte // in sc.sig unless longer
	alg          *algSpec
	kid          string
	typ          string
	sc           *scratch
}

// scratch is per-call working memory, pooled per Verifier so that the cold
// path allocates only what it returns (the claims and their payload).
type scratch struct {
	buf []byte     // decoded header and payload, then the signing input
	sig [1024]byte // up to RSA-8192
	sum [64]byte   // the signing input's digest
}

// maxPooledScratch keeps an oversized buffer from staying in the pool.
const maxPooledScratch = 8 << 10

func (v *Verifier) getScratch() *scratch {
	if sc, ok := v.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{buf: make([]byte, 0, 2048)}
}

func (v *Verifier) putScratch(sc *scratch) {
	if cap(sc.buf) <= maxPooledScratch {
		v.scratch.Put(sc)
	}
}

// grow returns sc.buf resized to n bytes.
func (sc *scratch) grow(n int) []byte {
	if cap(sc.buf) < n {
		sc.buf = make([]byte, n)
	}
	return sc.buf[:n]
}

// parse runs steps 1–3: size, shape and base64, header. It never touches a
// key source. pt.sc must be set.
func (v *Verifier) parse(token string, pt *parsed) *Error {
	// 1. Size, before anything else.
	if len(token) > v.maxTokenBytes {
		return &Error{Reason: ReasonTokenTooLarge,
			Detail: "token is " + strconv.Itoa(len(token)) + " bytes, limit " + strconv.Itoa(v.maxTokenBytes)}
	}
	// 2. Shape: exactly three non-empty base64url segments.
	d1 := strings.IndexByte(token, '.')
	if d1 < 0 {
		return malformed("not a compact JWS: no '.'")
	}
	d2 := strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return malformed("not a compact JWS: 2 segments (opaque token?)")
	}
	d2 += d1 + 1
	if strings.IndexByte(token[d2+1:], '.') >= 0 {
		return malformed("not a compact JWS: more than 3 segments (JWE?)")
	}
	hdrB64, payB64, sigB64 := token[:d1], token[d1+1:d2], token[d2+1:]
	if hdrB64 == "" || payB64 == "" || sigB64 == "" {
		return malformed("empty segment")
	}
	hl, pl := decodedLen(len(hdrB64)), decodedLen(len(payB64))
	if hl < 0 || pl < 0 {
		return malformed("segment length is not a base64url length")
	}
	buf := pt.sc.grow(hl + pl)
	hn, ok := decodeB64(buf, hdrB64)
	if !ok {
		return malformed("header is not strict unpadded base64url")
	}
	pn, ok := decodeB64(buf[hn:], payB64)
	if !ok {
		return malformed("payload is not strict unpadded base64url")
	}
	pt.sig = pt.sc.sig[:]
	if l := decodedLen(len(sigB64)); l > len(pt.sig) {
		pt.sig = make([]byte, l)
	}
	sn, ok := decodeB64(pt.sig, sigB64)
	if !ok {
		return malformed("signature is not strict unpadded base64url")
	}
	pt.sig = pt.sig[:sn]
	pt.signingInput = token[:d2]
	// One string for header and payload: kid, typ and the claims are
	// substrings of it.
	hp := string(buf[:hn+pn])
	pt.payload = hp[hn:]
	// 3. Header.
	return v.parseHeader(hp[:hn], pt)
}

// parseHeader checks the JOSE header (step 3).
func (v *Verifier) parseHeader(h string, pt *parsed) *Error {
	p := scanner{s: h}
	var alg string
	var hasAlg, hasCrit, hasB64, hasEnc, nested bool
	bad := ""
	member := func(name string) bool {
		switch name {
		case "alg":
			hasAlg = true
			if p.peek() != '"' {
				bad = "alg is not a string"
				return false
			}
			var ok bool
			alg, ok = p.stringValue()
			return ok
		case "kid":
			if p.peek() != '"' {
				bad = "kid is not a string"
				return false
			}
			var ok bool
			pt.kid, ok = p.stringValue()
			if ok && len(pt.kid) > maxKIDBytes {
				bad = "kid longer than " + strconv.Itoa(maxKIDBytes) + " bytes"
				return false
			}
			return ok
		case "typ":
			if p.peek() != '"' {
				bad = "typ is not a string"
				return false
			}
			var ok bool
			pt.typ, ok = p.stringValue()
			return ok
		case "cty":
			if p.peek() != '"' {
				bad = "cty is not a string"
				return false
			}
			cty, ok := p.stringValue()
			if ok && strings.EqualFold(trimApplication(cty), "jwt") {
				nested = true
			}
			return ok
		case "crit":
			hasCrit = true
		case "b64":
			hasB64 = true
		case "enc", "zip":
			hasEnc = true
		}
		// jwk, jku, x5u, x5c and anything else: validated, then ignored.
		return p.value()
	}
	if !p.object(member) || !p.end() {
		if bad != "" {
			return malformed("header: " + bad)
		}
		return malformed("header: " + p.err)
	}
	switch {
	case hasCrit:
		return malformed("header: crit present; no extensions are supported")
	case hasB64:
		return malformed("header: b64 present; unencoded payloads are not supported")
	case hasEnc:
		return malformed("header: enc/zip present: a JWE, not a JWS")
	case nested:
		return malformed("header: cty JWT: nested tokens are not supported")
	case !hasAlg:
		return malformed("header: no alg")
	}
	for _, a := range v.algs {
		if a.name == alg {
			pt.alg = a
			break
		}
	}
	if pt.alg == nil {
		return &Error{Reason: ReasonUnsupportedAlgorithm, KID: pt.kid,
			Detail: "alg " + strconv.Quote(truncate(alg, 32)) + " is not allowed"}
	}
	if v.requiredType != "" && !strings.EqualFold(trimApplication(pt.typ), v.requiredType) {
		return &Error{Reason: ReasonInvalidType, KID: pt.kid,
			Detail: "typ " + strconv.Quote(truncate(pt.typ, 64)) + ", want " + strconv.Quote(v.requiredType)}
	}
	return nil
}

// trimApplication removes a case-insensitive "application/" prefix (RFC 7515
// §4.1.9).
func trimApplication(s string) string {
	const prefix = "application/"
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):]
	}
	return s
}

func malformed(detail string) *Error {
	return &Error{Reason: ReasonMalformed, Detail: detail}
}
