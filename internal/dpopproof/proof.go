package dpopproof

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/jwks"
)

// Type is the JOSE "typ" every DPoP proof carries (RFC 9449 §4.2).
const Type = "dpop+jwt"

// MaxJTIBytes caps a proof's jti. RFC 9449 asks for at least 96 bits of
// randomness; 64 bytes leaves room for any encoding of far more.
const MaxJTIBytes = 64

// header is a proof's JOSE header. Members are matched case-sensitively
// and a duplicate name is refused (JSON v2 semantics).
type header struct {
	Typ  *string        `json:"typ"`
	Alg  *string        `json:"alg"`
	JWK  jsontext.Value `json:"jwk"`
	Crit jsontext.Value `json:"crit"`
	B64  jsontext.Value `json:"b64"`
	Zip  jsontext.Value `json:"zip"`
	Enc  jsontext.Value `json:"enc"`
}

// claims are the claims a proof may carry (RFC 9449 §4.2, §9). Unknown
// claims are ignored.
type claims struct {
	JTI   *string        `json:"jti"`
	HTM   *string        `json:"htm"`
	HTU   *string        `json:"htu"`
	IAT   jsontext.Value `json:"iat"`
	ATH   *string        `json:"ath"`
	Nonce *string        `json:"nonce"`
}

// Proof is a proof whose form and signature were checked.
type Proof struct {
	Alg      string
	Key      *jwks.Key
	JTI      string
	HTM, HTU string
	IAT      time.Time
	ATH      *string // nil when absent
	Nonce    *string // nil when absent
}

// Error is a refused proof; the text says why, for logs.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

func fail(format string, a ...any) error { return &Error{msg: fmt.Sprintf(format, a...)} }

// Parse checks a proof's form and signature (RFC 9449 §4.3 steps 1–7)
// and decodes its claims; it checks nothing about the request. It never
// panics on any input. Every error is an *Error.
func Parse(proof string, maxBytes int, algs []string) (*Proof, error) {
	if len(proof) > maxBytes {
		return nil, fail("proof is %d bytes, more than %d", len(proof), maxBytes)
	}
	h64, rest, ok1 := strings.Cut(proof, ".")
	p64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s64, ".") || h64 == "" || p64 == "" || s64 == "" {
		return nil, fail("proof is not a compact JWS of three non-empty segments")
	}
	hb, ok := decode(h64)
	if !ok {
		return nil, fail("header is not strict base64url")
	}
	pb, ok := decode(p64)
	if !ok {
		return nil, fail("payload is not strict base64url")
	}
	sig, ok := decode(s64)
	if !ok {
		return nil, fail("signature is not strict base64url")
	}

	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fail("header: %v", err)
	}
	switch {
	case h.Typ == nil || *h.Typ != Type:
		return nil, fail("typ is not %q", Type)
	case h.Alg == nil:
		return nil, fail("no alg")
	case h.Crit != nil || h.B64 != nil || h.Zip != nil || h.Enc != nil:
		return nil, fail("header carries crit, b64, zip or enc")
	case h.JWK == nil || h.JWK.Kind() != '{':
		return nil, fail("header has no jwk object")
	}
	alg := jose.LookupAlg(*h.Alg)
	if alg == nil || !slices.Contains(algs, alg.Name) {
		return nil, fail("alg %q is not accepted", jose.Truncate(*h.Alg, 32))
	}
	key, err := parseJWK(h.JWK)
	if err != nil {
		return nil, err
	}
	if err := key.Fits(alg.Name); err != nil {
		return nil, fail("jwk does not fit alg %s: %v", alg.Name, err)
	}
	if !verifySignature(alg, key.Public(), proof[:len(h64)+1+len(p64)], sig) {
		return nil, fail("signature does not verify under the jwk")
	}

	var c claims
	if err := json.Unmarshal(pb, &c); err != nil {
		return nil, fail("claims: %v", err)
	}
	switch {
	case c.JTI == nil || *c.JTI == "":
		return nil, fail("no jti")
	case len(*c.JTI) > MaxJTIBytes:
		return nil, fail("jti is %d bytes, more than %d", len(*c.JTI), MaxJTIBytes)
	case c.HTM == nil || *c.HTM == "":
		return nil, fail("no htm")
	case c.HTU == nil || *c.HTU == "":
		return nil, fail("no htu")
	case c.IAT == nil:
		return nil, fail("no iat")
	case c.IAT.Kind() != '0':
		return nil, fail("iat is not a number")
	}
	iat, ok := jose.ParseNumericDate(string(c.IAT))
	if !ok {
		return nil, fail("iat %s is not a NumericDate", jose.Truncate(string(c.IAT), 32))
	}
	return &Proof{Alg: alg.Name, Key: key, JTI: *c.JTI, HTM: *c.HTM, HTU: *c.HTU, IAT: iat, ATH: c.ATH, Nonce: c.Nonce}, nil
}

// CheckRequest checks the proof against a request (RFC 9449 §4.3 steps
// 8–12 without the nonce): htm equal to method, htu equal to url after
// NormalizeHTU on both, iat within [now−maxAge, now+leeway], and, when
// accessToken is not "", ath equal to its hash. Every error is an *Error.
func (p *Proof) CheckRequest(method, url, accessToken string, now time.Time, maxAge, leeway time.Duration) error {
	if p.HTM != method {
		return fail("htm %q is not the request method %q", jose.Truncate(p.HTM, 64), method)
	}
	want, err := NormalizeHTU(url)
	if err != nil {
		return fail("request URL %q: %v", jose.Truncate(url, 64), err)
	}
	if got, err := NormalizeHTU(p.HTU); err != nil || got != want {
		return fail("htu %q is not the request URL %q", jose.Truncate(p.HTU, 64), want)
	}
	if age := now.Sub(p.IAT); age > maxAge {
		return fail("iat is %v old, more than %v", age, maxAge)
	} else if -age > leeway {
		return fail("iat is %v in the future, more than %v", -age, leeway)
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		if p.ATH == nil || subtle.ConstantTimeCompare([]byte(*p.ATH), []byte(b64(sum[:]))) != 1 {
			return fail("ath is missing or not the access token's hash")
		}
	}
	return nil
}

func decode(s string) ([]byte, bool) {
	n := jose.DecodedLen(len(s))
	if n < 0 {
		return nil, false
	}
	b := make([]byte, n)
	n, ok := jose.DecodeSegment(b, s)
	return b[:n], ok
}

// parseJWK reads the proof's public key with the jwks parser, which
// enforces RFC 7517/7518 exactly: case-sensitive unique members, strict
// base64url, key sizes and curves, and no private or symmetric material.
func parseJWK(raw jsontext.Value) (*jwks.Key, error) {
	doc := make([]byte, 0, len(raw)+12)
	doc = append(append(append(doc, `{"keys":[`...), raw...), `]}`...)
	set, skipped, err := jwks.ParseSet(doc)
	switch {
	case err != nil:
		return nil, fail("jwk: %v", err)
	case len(skipped) > 0:
		return nil, fail("jwk: %v", skipped[0].Err)
	case set.Len() != 1:
		return nil, fail("jwk: not one key")
	}
	return set.Keys()[0], nil
}

// verifySignature reports whether sig is a's signature over input under
// pub. RSA goes to crypto/rsa with the salt length RFC 7518 §3.5 fixes
// (golang-jwt's PS* verifier accepts any); ECDSA and EdDSA use golang-jwt,
// as package verify does.
func verifySignature(a *jose.Alg, pub crypto.PublicKey, input string, sig []byte) bool {
	switch a.Family {
	case jose.RSA, jose.PSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || len(sig) != k.Size() {
			return false
		}
		h := a.Hash.New()
		h.Write([]byte(input))
		if a.Family == jose.RSA {
			return rsa.VerifyPKCS1v15(k, a.Hash, h.Sum(nil), sig) == nil
		}
		return rsa.VerifyPSS(k, a.Hash, h.Sum(nil), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	case jose.ECDSA:
		if _, ok := pub.(*ecdsa.PublicKey); !ok {
			return false
		}
	case jose.EdDSA:
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return false
		}
	default:
		return false
	}
	m := jwt.GetSigningMethod(a.Name)
	return m != nil && m.Verify(input, sig, pub) == nil
}
