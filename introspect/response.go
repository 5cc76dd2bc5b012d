package introspect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/jwtguard/jwtguard/verify"
)

// maxNumericDate is 9999-12-31T23:59:59Z, the largest NumericDate verify
// accepts too.
const maxNumericDate = 253402300799

// introspection is an active RFC 7662 §2.2 response ("active" is read
// first, by decodeIntrospection). It is decoded with JSON v2 defaults:
// member names match case-sensitively, duplicate names and invalid UTF-8
// are refused, a value of the wrong type is an error (so "active": "true"
// or 1 is refused, and null for a string member), unknown members are
// ignored here and kept for Claims.Decode.
type introspection struct {
	Scope     jsonString     `json:"scope"`
	ClientID  jsonString     `json:"client_id"`
	TokenType jsonString     `json:"token_type"`
	TokenUse  jsonString     `json:"token_use"` // Hydra: access_token or refresh_token
	Exp       jsontext.Value `json:"exp"`
	Iat       jsontext.Value `json:"iat"`
	Nbf       jsontext.Value `json:"nbf"`
	Sub       jsonString     `json:"sub"`
	Aud       jsontext.Value `json:"aud"`
	Iss       jsonString     `json:"iss"`
	Jti       jsonString     `json:"jti"`
}

// jsonString is a member that must be a JSON string when present. JSON v2
// reads null into a string or *string as if the member were absent, which
// would let "iss": null or "token_use": null skip the check that member
// feeds.
type jsonString struct {
	s   string
	set bool
}

func (j *jsonString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '"' {
		return errors.New("not a string")
	}
	j.s, j.set = tok.String(), true
	return nil
}

// decoded is a response reduced to what the checks need.
type decoded struct {
	active bool
	claims verify.Claims
	hasIss bool
	hasAud bool
	use    string // token_use
}

// decodeIntrospection decodes body exactly. An error means the endpoint
// answered something that is not an introspection response. An inactive
// answer is decided by "active" alone (the body must still be one valid
// JSON object without duplicate names): what else it holds is not read, so
// a refusal never depends on it.
func decodeIntrospection(body []byte, wholeScope bool) (*decoded, error) {
	var a struct {
		Active *bool `json:"active"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("introspection response: %w", err)
	}
	if a.Active == nil {
		return nil, errors.New(`introspection response: no "active" boolean`)
	}
	if !*a.Active {
		return &decoded{}, nil
	}
	var r introspection
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("introspection response: %w", err)
	}
	d := &decoded{active: true, use: r.TokenUse.s}
	c := &d.claims
	c.ClientID, c.Type, c.Subject, c.ID = r.ClientID.s, r.TokenType.s, r.Sub.s, r.Jti.s
	d.hasIss, c.Issuer = r.Iss.set, r.Iss.s
	var err error
	for _, f := range []struct {
		name string
		raw  jsontext.Value
		dst  *time.Time
	}{{"exp", r.Exp, &c.ExpiresAt}, {"iat", r.Iat, &c.IssuedAt}, {"nbf", r.Nbf, &c.NotBefore}} {
		if *f.dst, err = numericDate(f.name, f.raw); err != nil {
			return nil, err
		}
	}
	if c.Audience, d.hasAud, err = audience(r.Aud); err != nil {
		return nil, err
	}
	if r.Scope.set {
		c.Scopes = splitScope(r.Scope.s, wholeScope)
	}
	return d, nil
}

// decodeUserinfo decodes an OpenID Connect userinfo answer: one JSON
// object whose "sub" is a string (OpenID Connect Core §5.3.2). Nothing else
// is interpreted: a userinfo answer grants no scopes and states no times.
func decodeUserinfo(body []byte) (*decoded, error) {
	var r struct {
		Sub *string `json:"sub"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("userinfo response: %w", err)
	}
	if r.Sub == nil {
		return nil, errors.New(`userinfo response: no "sub" string`)
	}
	return &decoded{active: true, claims: verify.Claims{Subject: *r.Sub}}, nil
}

// numericDate reads an optional NumericDate: a JSON number of seconds in
// [0, 9999-12-31T23:59:59Z]. null or absent is the zero time. Float
// precision is about a microsecond for current dates, far below any
// leeway.
func numericDate(name string, raw jsontext.Value) (time.Time, error) {
	if len(raw) == 0 || raw.Kind() == 'n' {
		return time.Time{}, nil
	}
	if raw.Kind() != '0' {
		return time.Time{}, fmt.Errorf("introspection response: %s is not a number", name)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || !(f >= 0 && f <= maxNumericDate) {
		return time.Time{}, fmt.Errorf("introspection response: %s %.32s is out of range (0 to %d)", name, raw, maxNumericDate)
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64(math.Ceil((f-sec)*1e9))), nil
}

// audience reads an optional "aud": a string or an array of strings.
func audience(raw jsontext.Value) ([]string, bool, error) {
	switch {
	case len(raw) == 0 || raw.Kind() == 'n':
		return nil, false, nil
	case raw.Kind() == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return []string{s}, true, err
	case raw.Kind() == '[':
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, false, fmt.Errorf("introspection response: aud: %w", err)
		}
		return l, true, nil
	}
	return nil, false, errors.New("introspection response: aud is not a string or an array of strings")
}

// splitScope returns the granted scopes of a "scope" string: split on
// spaces (RFC 6749 §3.3), empty tokens and duplicates dropped, nothing
// else changed; or, for role-like providers, the whole trimmed string as
// one value.
func splitScope(s string, whole bool) []string {
	if whole {
		if s = strings.Trim(s, " "); s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	var seen map[string]struct{} // once out is long, to stay linear
	for tok := range strings.SplitSeq(s, " ") {
		switch {
		case tok == "":
		case seen != nil:
			if _, dup := seen[tok]; !dup {
				seen[tok] = struct{}{}
				out = append(out, tok)
			}
		case !slices.Contains(out, tok):
			out = append(out, tok)
			if len(out) == 16 {
				seen = make(map[string]struct{}, 32)
				for _, x := range out {
					seen[x] = struct{}{}
				}
			}
		}
	}
	return out
}
