package jwks

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// jwkMembers are the members ParseSet reads itself rather than trusting
// jwx. They are decoded with JSON v2 semantics: names match exactly
// ("USE" is an unknown member, not "use") and a JWK with a duplicate name
// never gets this far.
type jwkMembers struct {
	Kty    string    `json:"kty"`
	Kid    *string   `json:"kid"`
	Alg    *string   `json:"alg"`
	Use    *string   `json:"use"`
	KeyOps *[]string `json:"key_ops"`
	N      string    `json:"n"`
	E      string    `json:"e"`
	Crv    string    `json:"crv"`
	X      string    `json:"x"`
	Y      string    `json:"y"`
}

// coordSize returns the octet length of an EC coordinate (RFC 7518
// §6.2.1.2) or of an OKP public key (RFC 8037 §2) for the curves a Key
// supports, and 0 for any other "crv".
func coordSize(crv string) int {
	switch crv {
	case "P-256":
		return 32
	case "P-384":
		return 48
	case "P-521":
		return 66
	case "Ed25519":
		return ed25519.PublicKeySize
	}
	return 0
}

// material is the public key a JWK states, decoded strictly by
// [jwkMembers.material]. ParseSet still lets jwx build the key, and then
// requires jwx's key to be exactly this one, so that jwx's more lenient
// decoding is never the only gate.
type material struct {
	kty  string
	n    *big.Int // RSA
	e    int64    // RSA
	crv  string   // EC, OKP
	x, y []byte   // EC (x, y); OKP (x)
}

// material decodes the members holding key material for m.Kty: n and e
// for RSA, crv, x and y for EC, crv and x for OKP. Each must be strict
// base64url (see b64url); n and e must also be minimal unsigned integers
// (see b64uint), and EC coordinates and OKP keys exactly the curve's size.
func (m *jwkMembers) material() (material, error) {
	mat := material{kty: m.Kty, crv: m.Crv}
	switch m.Kty {
	case "RSA":
		nb, err := b64uint(m.N)
		if err != nil {
			return mat, fmt.Errorf("bad RSA modulus encoding: %w", err)
		}
		mat.n = new(big.Int).SetBytes(nb)
		// jwx truncates e to an int64; check the encoded value ourselves.
		eb, err := b64uint(m.E)
		if err != nil {
			return mat, fmt.Errorf("bad RSA exponent encoding: %w", err)
		}
		e := new(big.Int).SetBytes(eb)
		if !e.IsInt64() {
			return mat, errors.New("RSA exponent too large")
		}
		mat.e = e.Int64()
		if err := checkRSAExponent(mat.e); err != nil {
			return mat, err
		}
	case "EC", "OKP":
		size := coordSize(m.Crv)
		if size == 0 || (m.Kty == "OKP") != (m.Crv == "Ed25519") {
			return mat, fmt.Errorf("unsupported %s curve %q", m.Kty, truncKID(m.Crv))
		}
		var err error
		if mat.x, err = b64fixed(m.X, size); err != nil {
			return mat, fmt.Errorf("bad %s x: %w", m.Crv, err)
		}
		if m.Kty == "EC" {
			if mat.y, err = b64fixed(m.Y, size); err != nil {
				return mat, fmt.Errorf("bad %s y: %w", m.Crv, err)
			}
		}
	}
	return mat, nil
}

// matches reports whether pub, as jwx decoded it, is exactly the key mat
// states.
func (mat material) matches(pub any) bool {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return mat.kty == "RSA" && p.N != nil && p.N.Cmp(mat.n) == 0 && int64(p.E) == mat.e
	case *ecdsa.PublicKey:
		if mat.kty != "EC" || p.Curve == nil || p.Curve.Params().Name != mat.crv {
			return false
		}
		b, err := p.Bytes() // 0x04 || X || Y; fails off the curve
		return err == nil && len(b) == 1+2*len(mat.x) && bytes.Equal(b[1:1+len(mat.x)], mat.x) && bytes.Equal(b[1+len(mat.x):], mat.y)
	case ed25519.PublicKey:
		return mat.kty == "OKP" && bytes.Equal(p, mat.x)
	}
	return false
}

// b64url decodes a base64url member exactly as RFC 7515 §2 defines it: the
// URL-safe alphabet, no padding, and zero trailing bits (so that each value
// has one encoding), using base64.RawURLEncoding.Strict. Go's decoders skip
// CR and LF even in strict mode, so those are refused here first: that
// rule is the only hand-written part.
func b64url(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in base64url")
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// b64uint decodes a Base64urlUInt (RFC 7518 §2): strict base64url of the
// minimal big-endian octets of a positive integer, so no leading zero
// octet (RFC 7518 §6.3.1.1 asks issuers to drop the one some libraries
// prefix to the modulus).
func b64uint(s string) ([]byte, error) {
	b, err := b64url(s)
	switch {
	case err != nil:
		return nil, err
	case len(b) == 0:
		return nil, errors.New("missing or empty")
	case b[0] == 0:
		return nil, errors.New("leading zero octet")
	}
	return b, nil
}

// b64fixed decodes strict base64url of exactly size octets.
func b64fixed(s string, size int) ([]byte, error) {
	b, err := b64url(s)
	if err != nil {
		return nil, err
	}
	if len(b) != size {
		return nil, fmt.Errorf("%d octets, want %d", len(b), size)
	}
	return b, nil
}
