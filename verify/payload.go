package verify

import (
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// maxScopesLinear is the number of scope tokens compared linearly for
// duplicates before a map takes over.
const maxScopesLinear = 16

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
	p := jose.NewScanner(payload)
	bad := ""
	str := func(dst *string, name string) bool {
		if p.Peek() != '"' {
			bad = name + " is not a string"
			return false
		}
		s, ok := p.StringValue()
		*dst = s
		return ok
	}
	date := func(dst *time.Time, name string) bool {
		c := p.Peek()
		if c != '-' && (c < '0' || c > '9') {
			bad = name + " is not a number"
			return false
		}
		num, ok := p.Number()
		if !ok {
			return false
		}
		t, ok := jose.ParseNumericDate(num)
		if !ok {
			bad = name + " " + jose.Truncate(num, 32) + " is out of range (0 to " + strconv.Itoa(jose.MaxNumericDate) + ")"
			return false
		}
		*dst = t
		return true
	}
	raw := func(dst *string) bool {
		var ok bool
		*dst, ok = p.RawValue()
		return ok
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
			switch p.Peek() {
			case '"':
				s, ok := p.StringValue()
				c.Audience = append(c.Audience, s)
				return ok
			case '[':
				return p.Array(func() bool {
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
		case "cnf":
			return raw(&c.cnfJSON)
		case "scope":
			return raw(&raws[scopeSlotScope])
		case "scp":
			return raw(&raws[scopeSlotScp])
		}
		for i, sc := range v.scopeClaims {
			if name == sc {
				return raw(&raws[2+i])
			}
		}
		return p.Value()
	}
	if !p.Object(member) || !p.End() {
		if bad != "" {
			return f, "payload: " + bad
		}
		return f, "payload: " + p.Err()
	}
	return f, ""
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
			if seen == nil && len(dst) >= maxScopesLinear {
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
		p := jose.NewScanner(raw)
		ok := true
		switch p.Peek() {
		case '"':
			var s string
			s, ok = p.StringValue()
			add(s)
		case '[':
			ok = p.Array(func() bool {
				if p.Peek() != '"' {
					return p.Fail("element is not a string")
				}
				s, ok := p.StringValue()
				add(s)
				return ok
			})
		default:
			return dst, "scope claim is not a string or an array of strings"
		}
		if !ok || !p.End() {
			return dst, "scope claim: " + p.Err()
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
