package jose_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/jwtguard/jwtguard/internal/interleave"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// The benchmarks here keep the measurements that justify the hand-written
// Scanner: against the library that would replace it (BenchmarkScanner),
// and what the difference is worth on a whole cold Verify
// (BenchmarkColdShare, which also reports DecodeSegment's share).

// hydraToken is a Hydra-shaped access token (as verify's own benchmarks
// use: a 64-character sub, three scopes) signed by priv under tokentest.KID.
func hydraToken(b testing.TB, priv *rsa.PrivateKey) string {
	c := tokentest.Claims("offline", "openid", "api:read")
	c["sub"] = strings.Repeat("4c42b5ebd4a7c3e2", 4)
	c["ext"] = map[string]any{}
	return tokentest.Sign(b, priv, tokentest.KID, c)
}

// segments decodes tok's header and payload with the standard library.
func segments(b testing.TB, tok string) (header, payload string) {
	p := strings.Split(tok, ".")
	h, err := base64.RawURLEncoding.DecodeString(p[0])
	if err != nil {
		b.Fatal(err)
	}
	pl, err := base64.RawURLEncoding.DecodeString(p[1])
	if err != nil {
		b.Fatal(err)
	}
	return string(h), string(pl)
}

// registered receives what a verifier reads from a header and payload.
type registered struct {
	alg, kid, typ           string
	iss, sub, jti, clientID string
	aud, scp                []string
	exp, nbf, iat           time.Time
	hasExp, hasNbf, hasIat  bool
	audBuf, scpBuf          [4]string
}

var errBad = errors.New("bad token JSON")

// member says where a header (payload false) or payload member goes: a
// string, a string or list of strings, or a NumericDate; all nil for
// members that are only validated.
func (r *registered) member(payload bool, name string) (str *string, list *[]string, date *time.Time, has *bool) {
	if !payload {
		switch name {
		case "alg":
			return &r.alg, nil, nil, nil
		case "kid":
			return &r.kid, nil, nil, nil
		case "typ":
			return &r.typ, nil, nil, nil
		}
		return nil, nil, nil, nil
	}
	switch name {
	case "iss":
		return &r.iss, nil, nil, nil
	case "sub":
		return &r.sub, nil, nil, nil
	case "jti":
		return &r.jti, nil, nil, nil
	case "client_id":
		return &r.clientID, nil, nil, nil
	case "aud":
		return nil, &r.aud, nil, nil
	case "scp":
		return nil, &r.scp, nil, nil
	case "exp":
		return nil, nil, &r.exp, &r.hasExp
	case "nbf":
		return nil, nil, &r.nbf, &r.hasNbf
	case "iat":
		return nil, nil, &r.iat, &r.hasIat
	}
	return nil, nil, nil, nil
}

// scanClaims reads header and payload with the Scanner, as verify does:
// strict validation of everything, the registered members decoded.
func scanClaims(header, payload string, r *registered) error {
	p := jose.NewScanner(header)
	str := func(dst *string) bool {
		if p.Peek() != '"' {
			return p.Fail("not a string")
		}
		var ok bool
		*dst, ok = p.StringValue()
		return ok
	}
	strs := func(dst *[]string) bool {
		if p.Peek() == '"' {
			var s string
			ok := str(&s)
			*dst = append(*dst, s)
			return ok
		}
		return p.Array(func() bool {
			var s string
			ok := str(&s)
			*dst = append(*dst, s)
			return ok
		})
	}
	date := func(dst *time.Time, has *bool) bool {
		num, ok := p.Number()
		if !ok {
			return false
		}
		*dst, *has = jose.ParseNumericDate(num)
		return *has || p.Fail("bad date")
	}
	r.aud, r.scp = r.audBuf[:0], r.scpBuf[:0]
	for i, doc := range [2]string{header, payload} {
		p = jose.NewScanner(doc)
		if !p.Object(func(name string) bool {
			switch s, l, d, has := r.member(i == 1, name); {
			case s != nil:
				return str(s)
			case l != nil:
				return strs(l)
			case d != nil:
				return date(d, has)
			}
			return p.Value()
		}) || !p.End() {
			return errBad
		}
	}
	return nil
}

// textReader is what scanning with jsontext needs per call: a reusable
// decoder over a reusable reader.
type textReader struct {
	rd  bytes.Reader
	dec jsontext.Decoder
}

// textClaims reads the same members as scanClaims with jsontext, the
// token-level API of go-json-experiment/json, which refuses the same
// inputs (duplicate names after unescaping, invalid UTF-8, trailing data).
func textClaims(tr *textReader, header, payload []byte, r *registered) error {
	readObject := func(doc []byte, member func(name string) error) error {
		tr.rd.Reset(doc)
		tr.dec.Reset(&tr.rd)
		if tok, err := tr.dec.ReadToken(); err != nil || tok.Kind() != '{' {
			return errBad
		}
		for tr.dec.PeekKind() != '}' {
			tok, err := tr.dec.ReadToken()
			if err != nil {
				return err
			}
			if err := member(tok.String()); err != nil {
				return err
			}
		}
		if _, err := tr.dec.ReadToken(); err != nil {
			return err
		}
		if _, err := tr.dec.ReadToken(); err == nil {
			return errBad // trailing data
		}
		return nil
	}
	str := func(dst *string) error {
		tok, err := tr.dec.ReadToken()
		if err != nil || tok.Kind() != '"' {
			return errBad
		}
		*dst = tok.String()
		return nil
	}
	strs := func(dst *[]string) error {
		if tr.dec.PeekKind() == '"' {
			var s string
			err := str(&s)
			*dst = append(*dst, s)
			return err
		}
		if tok, err := tr.dec.ReadToken(); err != nil || tok.Kind() != '[' {
			return errBad
		}
		for tr.dec.PeekKind() != ']' {
			var s string
			if err := str(&s); err != nil {
				return err
			}
			*dst = append(*dst, s)
		}
		_, err := tr.dec.ReadToken()
		return err
	}
	date := func(dst *time.Time, has *bool) error {
		v, err := tr.dec.ReadValue()
		if err != nil || v.Kind() != '0' {
			return errBad
		}
		if *dst, *has = jose.ParseNumericDate(string(v)); !*has {
			return errBad
		}
		return nil
	}
	r.aud, r.scp = r.audBuf[:0], r.scpBuf[:0]
	for i, doc := range [2][]byte{header, payload} {
		if err := readObject(doc, func(name string) error {
			switch s, l, d, has := r.member(i == 1, name); {
			case s != nil:
				return str(s)
			case l != nil:
				return strs(l)
			case d != nil:
				return date(d, has)
			}
			return tr.dec.SkipValue()
		}); err != nil {
			return err
		}
	}
	return nil
}

// jsonHeader and jsonPayload are what json.Unmarshal fills; the numbers
// stay text so that NumericDate keeps its exact parsing.
type jsonHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

type jsonPayload struct {
	Iss      string         `json:"iss"`
	Sub      string         `json:"sub"`
	Jti      string         `json:"jti"`
	ClientID string         `json:"client_id"`
	Aud      jsontext.Value `json:"aud"`
	Scp      []string       `json:"scp"`
	Exp      jsontext.Value `json:"exp"`
	Nbf      jsontext.Value `json:"nbf"`
	Iat      jsontext.Value `json:"iat"`
}

// unmarshalClaims reads the same members with json.Unmarshal (JSON v2
// semantics: duplicates refused, names case-sensitive).
func unmarshalClaims(header, payload []byte, r *registered) error {
	var h jsonHeader
	var p jsonPayload
	if err := json.Unmarshal(header, &h); err != nil {
		return err
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return err
	}
	r.alg, r.kid, r.typ = h.Alg, h.Kid, h.Typ
	r.iss, r.sub, r.jti, r.clientID, r.scp = p.Iss, p.Sub, p.Jti, p.ClientID, p.Scp
	r.aud = r.audBuf[:0]
	if err := json.Unmarshal(p.Aud, &r.aud); err != nil {
		return err
	}
	for _, d := range []struct {
		v   jsontext.Value
		dst *time.Time
		has *bool
	}{{p.Exp, &r.exp, &r.hasExp}, {p.Nbf, &r.nbf, &r.hasNbf}, {p.Iat, &r.iat, &r.hasIat}} {
		if *d.dst, *d.has = jose.ParseNumericDate(string(d.v)); !*d.has {
			return errBad
		}
	}
	return nil
}

// decodeAll decodes the three segments of tok with decode.
func decodeAll(tok string, buf []byte, decode func([]byte, string) (int, bool)) error {
	for seg := range strings.SplitSeq(tok, ".") {
		if _, ok := decode(buf, seg); !ok {
			return errBad
		}
	}
	return nil
}

// BenchmarkScanner compares, alternating call by call, the Scanner with
// jsontext and json.Unmarshal reading the header and payload of a Hydra
// access token: every member validated, the registered ones decoded.
func BenchmarkScanner(b *testing.B) {
	header, payload := segments(b, hydraToken(b, testkeys.RSA2048(0)))
	hb, pb := []byte(header), []byte(payload)
	var r registered
	tr := new(textReader)
	b.ReportAllocs()
	interleave.Calls(b,
		interleave.Contender{Name: "scanner", Run: func() error { return scanClaims(header, payload, &r) }},
		interleave.Contender{Name: "jsontext", Run: func() error { return textClaims(tr, hb, pb, &r) }},
		interleave.Contender{Name: "json", Run: func() error { return unmarshalClaims(hb, pb, &r) }},
	)
}

// BenchmarkColdShare alternates, call by call, a cold verify.Verifier.Verify
// (token cache off; the reference) with the Scanner, its library
// replacements and DecodeSegment on the same token, so that each ratio is
// that piece's share of a whole cold verification, and the difference
// between the Scanner's ratio and a replacement's is what the Scanner
// saves on the whole request.
func BenchmarkColdShare(b *testing.B) {
	for _, k := range []struct {
		name string
		priv *rsa.PrivateKey
	}{{"RSA2048", testkeys.RSA2048(0)}, {"RSA4096", testkeys.RSA4096(0)}} {
		tok := hydraToken(b, k.priv)
		v := coldVerifier(b, k.priv)
		header, payload := segments(b, tok)
		hb, pb := []byte(header), []byte(payload)
		buf := make([]byte, len(tok))
		var r registered
		tr := new(textReader)
		ctx := context.Background()
		b.Run(k.name, func(b *testing.B) {
			interleave.Calls(b,
				interleave.Contender{Name: "cold", Run: func() error {
					_, err := v.Verify(ctx, tok, verify.ScopeRule{AllOf: []string{"api:read"}})
					return err
				}},
				interleave.Contender{Name: "scanner", Run: func() error { return scanClaims(header, payload, &r) }},
				interleave.Contender{Name: "jsontext", Run: func() error { return textClaims(tr, hb, pb, &r) }},
				interleave.Contender{Name: "json", Run: func() error { return unmarshalClaims(hb, pb, &r) }},
				interleave.Contender{Name: "base64", Run: func() error { return decodeAll(tok, buf, jose.DecodeSegment) }},
			)
		})
	}
}

// coldVerifier verifies tokentest tokens signed by priv, token cache off.
func coldVerifier(b *testing.B, priv *rsa.PrivateKey) *verify.Verifier {
	k, err := jwks.NewKey(tokentest.KID, "RS256", "sig", priv.Public())
	if err != nil {
		b.Fatal(err)
	}
	set, err := jwks.NewSet(k)
	if err != nil {
		b.Fatal(err)
	}
	v, err := verify.New(verify.Config{
		Issuers:    []verify.Issuer{{Name: tokentest.Issuer, Keys: set}},
		Audiences:  []string{tokentest.Audience},
		Now:        tokentest.Now,
		TokenCache: verify.TokenCacheConfig{Disable: true},
	})
	if err != nil {
		b.Fatal(err)
	}
	return v
}
