package dpopproof

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
)

// Thumbprint returns the RFC 7638 JWK SHA-256 thumbprint of pub,
// base64url without padding: the value of an access token's cnf.jkt
// (RFC 9449 §6.1). pub is an *rsa.PublicKey, an *ecdsa.PublicKey on
// P-256, P-384 or P-521, or an ed25519.PublicKey.
//
// The thumbprint hashes the key's required JWK members in lexicographic
// order without whitespace, each encoded one way only (RFC 7638 §3.2–3.3):
// it is built from the decoded key here, so two JWKs that encode the same
// key get the same thumbprint.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	var j string
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N == nil || k.E <= 0 {
			return "", errors.New("thumbprint: incomplete RSA key")
		}
		j = `{"e":"` + b64(big.NewInt(int64(k.E)).Bytes()) + `","kty":"RSA","n":"` + b64(k.N.Bytes()) + `"}`
	case *ecdsa.PublicKey:
		if k.Curve == nil {
			return "", errors.New("thumbprint: incomplete EC key")
		}
		crv := k.Curve.Params().Name
		if crv != "P-256" && crv != "P-384" && crv != "P-521" {
			return "", errors.New("thumbprint: unsupported curve " + crv)
		}
		pt, err := k.Bytes() // 0x04 || X || Y, each coordinate the curve's size
		if err != nil {
			return "", errors.New("thumbprint: " + err.Error())
		}
		n := (len(pt) - 1) / 2
		j = `{"crv":"` + crv + `","kty":"EC","x":"` + b64(pt[1:1+n]) + `","y":"` + b64(pt[1+n:]) + `"}`
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", errors.New("thumbprint: Ed25519 key of wrong size")
		}
		j = `{"crv":"Ed25519","kty":"OKP","x":"` + b64(k) + `"}`
	default:
		return "", errors.New("thumbprint: unsupported key type")
	}
	sum := sha256.Sum256([]byte(j))
	return b64(sum[:]), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
