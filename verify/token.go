package verify

import (
	"strconv"
	"strings"

	"github.com/jwtguard/jwtguard/internal/jose"
)

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
	hl, pl := jose.DecodedLen(len(hdrB64)), jose.DecodedLen(len(payB64))
	if hl < 0 || pl < 0 {
		return malformed("segment length is not a base64url length")
	}
	buf := pt.sc.grow(hl + pl)
	hn, ok := jose.DecodeSegment(buf, hdrB64)
	if !ok {
		return malformed("header is not strict unpadded base64url")
	}
	pn, ok := jose.DecodeSegment(buf[hn:], payB64)
	if !ok {
		return malformed("payload is not strict unpadded base64url")
	}
	pt.sig = pt.sc.sig[:]
	if l := jose.DecodedLen(len(sigB64)); l > len(pt.sig) {
		pt.sig = make([]byte, l)
	}
	sn, ok := jose.DecodeSegment(pt.sig, sigB64)
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
	p := jose.NewScanner(h)
	var alg string
	var hasAlg, hasCrit, hasB64, hasEnc, nested bool
	bad := ""
	member := func(name string) bool {
		switch name {
		case "alg":
			hasAlg = true
			if p.Peek() != '"' {
				bad = "alg is not a string"
				return false
			}
			var ok bool
			alg, ok = p.StringValue()
			return ok
		case "kid":
			if p.Peek() != '"' {
				bad = "kid is not a string"
				return false
			}
			var ok bool
			pt.kid, ok = p.StringValue()
			if ok && len(pt.kid) > jose.MaxKIDBytes {
				bad = "kid longer than " + strconv.Itoa(jose.MaxKIDBytes) + " bytes"
				return false
			}
			return ok
		case "typ":
			if p.Peek() != '"' {
				bad = "typ is not a string"
				return false
			}
			var ok bool
			pt.typ, ok = p.StringValue()
			return ok
		case "cty":
			if p.Peek() != '"' {
				bad = "cty is not a string"
				return false
			}
			cty, ok := p.StringValue()
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
		return p.Value()
	}
	if !p.Object(member) || !p.End() {
		if bad != "" {
			return malformed("header: " + bad)
		}
		return malformed("header: " + p.Err())
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
		if a.Name == alg {
			pt.alg = a
			break
		}
	}
	if pt.alg == nil {
		return &Error{Reason: ReasonUnsupportedAlgorithm, KID: pt.kid,
			Detail: "alg " + strconv.Quote(jose.Truncate(alg, 32)) + " is not allowed"}
	}
	if v.requiredType != "" && !strings.EqualFold(trimApplication(pt.typ), v.requiredType) {
		return &Error{Reason: ReasonInvalidType, KID: pt.kid,
			Detail: "typ " + strconv.Quote(jose.Truncate(pt.typ, 64)) + ", want " + strconv.Quote(v.requiredType)}
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
