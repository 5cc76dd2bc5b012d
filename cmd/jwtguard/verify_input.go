package main

import (
	"encoding/base64"
	"io"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// maxStdinToken bounds what is read from standard input; the verifier then
// applies its own (smaller) size limit with reason token_too_large.
const maxStdinToken = 1 << 20

// tokenArg returns the single TOKEN argument, reading stdin for "-", and
// what was pasted when the token had to be taken out of something else
// ("" for a bare token). Besides a bare token it accepts a leading
// "Bearer ", a whole "Authorization: Bearer …" header line, and a token
// endpoint's JSON response (its access_token).
func tokenArg(pos []string, stdin io.Reader) (tok, extracted string, err error) {
	switch {
	case len(pos) == 0:
		return "", "", usagef("missing TOKEN (use - to read it from standard input)")
	case len(pos) > 1:
		return "", "", usagef("expected one TOKEN, got %d arguments", len(pos))
	}
	tok, from := pos[0], "TOKEN"
	if tok == "-" {
		from = "standard input"
		b, err := io.ReadAll(io.LimitReader(stdin, maxStdinToken+1))
		if err != nil {
			return "", "", usagef("reading standard input: %v", err)
		}
		if len(b) > maxStdinToken {
			return "", "", usagef("standard input holds more than %d bytes", maxStdinToken)
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if strings.HasPrefix(tok, "{") {
		return tokenFromResponse(tok, from)
	}
	if rest, ok := cutPrefixFold(tok, "authorization:"); ok {
		tok, extracted = strings.TrimSpace(rest), "the token of an Authorization header line"
		if _, ok := cutPrefixFold(tok, "bearer "); !ok {
			return "", "", usagef("%s holds an Authorization header without a Bearer token", from)
		}
	}
	if rest, ok := cutPrefixFold(tok, "bearer "); ok {
		tok = strings.TrimSpace(rest)
	}
	if tok == "" {
		return "", "", usagef("%s is empty", from)
	}
	return tok, extracted, nil
}

// tokenFromResponse takes the access_token out of a pasted token endpoint
// response ({"access_token": …, "token_type": "bearer", …}).
func tokenFromResponse(doc, from string) (tok, extracted string, err error) {
	var resp struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(doc), &resp); err != nil {
		return "", "", usagef("%s looks like JSON but does not parse: %v", from, err)
	}
	tok = strings.TrimSpace(resp.AccessToken)
	if tok == "" {
		if resp.IDToken != "" {
			return "", "", usagef(`%s is JSON with an "id_token" but no "access_token"; pass the ID token itself (and --nonce) to check it`, from)
		}
		return "", "", usagef(`%s is JSON without an "access_token" member; pass the token itself`, from)
	}
	return tok, `the "access_token" of a pasted token response`, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// peeked holds claims read from a token without verifying anything, only
// for hints. The zero value means the token did not decode.
type peeked struct {
	iss     string
	hasIss  bool
	idToken bool // carries nonce or at_hash, as OpenID Connect ID tokens do
}

// peek decodes the payload of a compact JWS without verifying it. It uses
// the same strict JSON rules as the verifier (exact member names, no
// duplicates), so a hint never contradicts the verdict.
func peek(tok string) peeked {
	parts := strings.SplitN(tok, ".", 4) // bounded: a token of dots must not cost a slice per dot
	if len(parts) != 3 || len(parts[1]) > 64<<10 {
		return peeked{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return peeked{}
	}
	var c struct {
		Iss    *string        `json:"iss"`
		Nonce  jsontext.Value `json:"nonce"`
		AtHash jsontext.Value `json:"at_hash"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return peeked{}
	}
	p := peeked{idToken: len(c.Nonce) > 0 || len(c.AtHash) > 0}
	if c.Iss != nil {
		p.iss, p.hasIss = *c.Iss, true
	}
	return p
}

// unverifiedIssuer returns the token's "iss" without verifying anything,
// only to suggest an --issuer value, made safe to print. It returns ""
// when the token does not decode or the value is unreasonably long.
func unverifiedIssuer(tok string) string {
	p := peek(tok)
	if len(p.iss) > 256 {
		return ""
	}
	return oneLine(p.iss)
}
