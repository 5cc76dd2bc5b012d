package verify

import (
	"strings"
	"time"
)

// maxNumericDate is 9999-12-31T23:59:59Z, the largest NumericDate accepted.
const maxNumericDate = 253402300799

// parseNumericDate converts the text of a JSON number (as validated by
// scanner.number) to a time. Fractions are kept to the nanosecond;
// anything finer rounds up, so no comparison is decided by truncation.
// Negative values and values after maxNumericDate are refused. It reads
// the text digit by digit: no float rounding, no overflow.
func parseNumericDate(num string) (time.Time, bool) {
	neg := false
	if num != "" && num[0] == '-' {
		neg = true
		num = num[1:]
	}
	i := 0
	for i < len(num) && '0' <= num[i] && num[i] <= '9' {
		i++
	}
	intDigits := num[:i]
	fracDigits := ""
	if i < len(num) && num[i] == '.' {
		j := i + 1
		for j < len(num) && '0' <= num[j] && num[j] <= '9' {
			j++
		}
		fracDigits = num[i+1 : j]
		i = j
	}
	exp10 := 0
	if i < len(num) && (num[i] == 'e' || num[i] == 'E') {
		i++
		expNeg := false
		if i < len(num) && (num[i] == '+' || num[i] == '-') {
			expNeg = num[i] == '-'
			i++
		}
		for ; i < len(num) && '0' <= num[i] && num[i] <= '9'; i++ {
			if exp10 < 1_000_000 { // saturate; far beyond any meaningful value
				exp10 = exp10*10 + int(num[i]-'0')
			}
		}
		if expNeg {
			exp10 = -exp10
		}
	}
	if i != len(num) || intDigits == "" {
		return time.Time{}, false
	}
	// The digits are intDigits+fracDigits with the decimal point after
	// point digits; dig(k) reads the k'th significant digit.
	n := len(intDigits) + len(fracDigits)
	dig := func(k int) int64 {
		if k < 0 || k >= n {
			return 0
		}
		if k < len(intDigits) {
			return int64(intDigits[k] - '0')
		}
		return int64(fracDigits[k-len(intDigits)] - '0')
	}
	lead := 0
	for lead < n && dig(lead) == 0 {
		lead++
	}
	if lead == n { // zero
		return time.Unix(0, 0), true
	}
	if neg {
		return time.Time{}, false
	}
	point := len(intDigits) + exp10 // digits before the point, counted from 0
	if point-lead > 12 {            // at least 10^12 > maxNumericDate
		return time.Time{}, false
	}
	var sec, nsec int64
	for k := lead; k < point; k++ {
		sec = sec*10 + dig(k)
	}
	if sec > maxNumericDate {
		return time.Time{}, false
	}
	for k := point; k < point+9; k++ {
		nsec = nsec*10 + dig(k)
	}
	for k := max(point+9, lead); k < n; k++ {
		if dig(k) != 0 {
			nsec++ // round up below a nanosecond
			break
		}
	}
	return time.Unix(sec, nsec), true
}

// scopeSlotScope and scopeSlotScp index the raw values of "scope" and
// "scp"; Config.ScopeClaims follow.
const (
	scopeSlotScope = 0
	scopeSlotScp   = 1
)

// payloadFacts records what decodePayload saw besides the Claims fields.
type payloadFacts struct {
	hasIss, hasExp, hasAud bool
	kind                   kindFacts
}

// decodePayload decodes the claims set once, strictly, into c. raws must
// have room for 2+len(v.scopeClaims) scope values.
func (v *Verifier) decodePayload(payload string, c *Claims, raws []string) (payloadFacts, string) {
	var f payloadFacts
	p := scanner{s: payload}
	bad := ""
	str := func(dst *string, name string) bool {
		if p.peek() != '"' {
			bad = name + " is not a string"
			return false
		}
		s, ok := p.stringValue()
		*dst = s
		return ok
	}
	date := func(dst *time.Time, name string) bool {
		c := p.peek()
		if c != '-' && (c < '0' || c > '9') {
			bad = name + " is not a number"
			return false
		}
		num, ok := p.number()
		if !ok {
			return false
		}
		t, ok := parseNumericDate(num)
		if !ok {
			bad = name + " " + truncate(num, 32) + " is out of range (0 to 253402300799)"
			return false
		}
		*dst = t
		return true
	}
	member := func(name string) bool {
		switch name {
		case "iss":
			f.hasIss = true
			return str(&c.Issuer, "iss")
		case "sub":
			f.kind.sub = true
			return str(&c.Subject, "sub")
		case "jti":
			return str(&c.ID, "jti")
		case "client_id":
			f.kind.clientID = true
			return str(&c.ClientID, "client_id")
		case "nonce":
			f.kind.nonce = true
			return str(&c.Nonce, "nonce")
		case "at_hash":
			f.kind.atHash = true
		case "c_hash":
			f.kind.cHash = true
		case "auth_time":
			f.kind.authTime = true
		case "exp":
			f.hasExp = true
			return date(&c.ExpiresAt, "exp")
		case "nbf":
			return date(&c.NotBefore, "nbf")
		case "iat":
			f.kind.iat = true
			return date(&c.IssuedAt, "iat")
		case "aud":
			f.hasAud = true
			c.Audience = c.audBuf[:0]
			switch p.peek() {
			case '"':
				s, ok := p.stringValue()
				c.Audience = append(c.Audience, s)
				return ok
			case '[':
				return p.array(func() bool {
					var s string
					if !str(&s, "aud element") {
						return false
					}
					c.Audience = append(c.Audience, s)
					return true
				})
			default:
				bad = "aud is not a string or an array of strings"
				return false
			}
		case "scope":
			return p.rawValue(&raws[scopeSlotScope])
		case "scp":
			return p.rawValue(&raws[scopeSlotScp])
		}
		for i, sc := range v.scopeClaims {
			if name == sc {
				return p.rawValue(&raws[2+i])
			}
		}
		return p.value()
	}
	if !p.object(member) || !p.end() {
		if bad != "" {
			return f, "payload: " + bad
		}
		return f, "payload: " + p.err
	}
	return f, ""
}

// rawValue validates one value and stores its JSON text in dst.
func (p *scanner) rawValue(dst *string) bool {
	start := p.i
	if !p.value() {
		return false
	}
	*dst = p.s[start:p.i]
	return true
}

// normalizeScopes appends to dst the scope tokens carried by raws, the JSON
// texts of the scope claims in order ("" when a claim is absent), and
// returns the result. Each claim must be a string, an array of strings or
// null (no scopes: Go issuers marshal an empty list as null);
// every string is split on spaces (RFC 6749 §3.3), so "a b" and ["a","b"]
// carry the same scopes. Empty tokens are dropped, duplicates keep their
// first position, and no token is changed (no case folding, trimming or
// wildcard expansion). It is a pure function: the claims decoder and
// FuzzScopes both call it.
func normalizeScopes(dst []string, raws []string) ([]string, string) {
	var seen map[string]struct{} // used once dst is long, to stay linear
	add := func(s string) {
		for s != "" {
			var tok string
			if i := strings.IndexByte(s, ' '); i >= 0 {
				tok, s = s[:i], s[i+1:]
			} else {
				tok, s = s, ""
			}
			if tok == "" {
				continue
			}
			if seen == nil && len(dst) >= maxNamesLinear {
				seen = make(map[string]struct{}, 2*len(dst))
				for _, x := range dst {
					seen[x] = struct{}{}
				}
			}
			if seen != nil {
				if _, dup := seen[tok]; dup {
					continue
				}
				seen[tok] = struct{}{}
			} else if containsString(dst, tok) {
				continue
			}
			dst = append(dst, tok)
		}
	}
	for _, raw := range raws {
		if raw == "" || raw == "null" { // absent, or Hydra's nil scope list
			continue
		}
		p := scanner{s: raw}
		ok := true
		switch p.peek() {
		case '"':
			var s string
			s, ok = p.stringValue()
			add(s)
		case '[':
			ok = p.array(func() bool {
				if p.peek() != '"' {
					return p.fail("element is not a string")
				}
				s, ok := p.stringValue()
				add(s)
				return ok
			})
		default:
			return dst, "scope claim is not a string or an array of strings"
		}
		if !ok || !p.end() {
			return dst, "scope claim: " + p.err
		}
	}
	return dst, ""
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
