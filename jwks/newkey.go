package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/rsapub"
)

// Limits on RSA exponents (threat model T5, docs/threat-model.md); the
// modulus limits are jose.MinRSABits and jose.MaxRSABits.
const (
	minRSAExp = 65537   // NIST SP 800-56B: e > 2^16
	maxRSAExp = 1 << 31 // exclusive; Go stores E in an int
)

// jwsAlgs indexes jose's algorithm table, the JWS algorithms a Key can
// fit, by name. HS*, "none" and anything else are absent: a public key
// never fits them.
var jwsAlgs = func() map[string]*jose.Alg {
	m := make(map[string]*jose.Alg, len(jose.Algs()))
	for _, a := range jose.Algs() {
		m[a.Name] = a
	}
	return m
}()

// NewKey validates a public key and wraps it as a [Key].
//
// pub must be a *rsa.PublicKey (2048 to 8192 bits, odd modulus, odd
// exponent with 65537 <= e < 2^31), a *ecdsa.PublicKey on P-256, P-384 or
// P-521 (the point must be on the curve), or an ed25519.PublicKey. Private
// keys are refused.
// alg, when not empty, must be a JWS algorithm that fits the key type (for
// example RS256 or PS256 for RSA, ES384 for P-384). use must be "" or "sig".
// kid may be empty. pub is not copied: the caller must not modify it later.
//
// Errors wrap [ErrInvalidKey].
func NewKey(kid, alg, use string, pub crypto.PublicKey) (*Key, error) {
	k := &Key{kid: kid, alg: alg, use: use, pub: pub}
	if use != "" && use != "sig" {
		return nil, fmt.Errorf("%w: kid %q: use %q is not \"sig\"", ErrInvalidKey, kid, use)
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p == nil || p.N == nil {
			return nil, fmt.Errorf("%w: kid %q: nil RSA key", ErrInvalidKey, kid)
		}
		k.kty, k.bits = "RSA", p.N.BitLen()
		if k.bits < jose.MinRSABits || k.bits > jose.MaxRSABits {
			return nil, fmt.Errorf("%w: kid %q: RSA modulus of %d bits, want %d to %d", ErrInvalidKey, kid, k.bits, jose.MinRSABits, jose.MaxRSABits)
		}
		if err := checkRSAExponent(int64(p.E)); err != nil {
			return nil, fmt.Errorf("%w: kid %q: %v", ErrInvalidKey, kid, err)
		}
		if rocaVulnerable(p.N) {
			return nil, fmt.Errorf("%w: kid %q: RSA modulus has the ROCA fingerprint (CVE-2017-15361): its private key can be recovered", ErrInvalidKey, kid)
		}
		pre, err := rsapub.New(p) // refuses even moduli, which crypto/rsa refuses too
		if err != nil {
			return nil, fmt.Errorf("%w: kid %q: %v", ErrInvalidKey, kid, err)
		}
		k.rsa = pre
	case *ecdsa.PublicKey:
		if p == nil || p.Curve == nil {
			return nil, fmt.Errorf("%w: kid %q: nil EC key", ErrInvalidKey, kid)
		}
		switch p.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return nil, fmt.Errorf("%w: kid %q: unsupported curve %s", ErrInvalidKey, kid, p.Curve.Params().Name)
		}
		if _, err := p.ECDH(); err != nil { // rejects points off the curve and the point at infinity
			return nil, fmt.Errorf("%w: kid %q: invalid EC point: %v", ErrInvalidKey, kid, err)
		}
		k.kty, k.bits = "EC", p.Curve.Params().BitSize
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: kid %q: Ed25519 key of %d bytes, want %d", ErrInvalidKey, kid, len(p), ed25519.PublicKeySize)
		}
		k.kty, k.bits = "OKP", 256
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return nil, fmt.Errorf("%w: kid %q: private key given, pass its public half", ErrInvalidKey, kid)
	default:
		return nil, fmt.Errorf("%w: kid %q: unsupported key type %T", ErrInvalidKey, kid, pub)
	}
	if alg != "" {
		if err := k.fitsFamily(alg); err != nil {
			return nil, fmt.Errorf("%w: kid %q: alg %q does not fit a %s key", ErrInvalidKey, kid, alg, k.describe())
		}
	}
	for _, a := range jose.Algs() {
		if k.fitErr(a.Name) == nil {
			k.fits = append(k.fits, a.Name)
		}
	}
	return k, nil
}

func checkRSAExponent(e int64) error {
	if e < minRSAExp || e >= maxRSAExp || e%2 == 0 {
		return fmt.Errorf("RSA exponent %d not allowed (want odd, 65537 <= e < 2^31)", e)
	}
	return nil
}

func (k *Key) describe() string {
	if k.kty == "RSA" {
		return fmt.Sprintf("RSA-%d", k.bits)
	}
	if k.kty == "EC" {
		return fmt.Sprintf("EC P-%d", k.bits)
	}
	return "OKP Ed25519"
}

// familyError is returned by fitsFamily; the exported paths wrap it with detail.
type familyError struct{}

func (familyError) Error() string { return "wrong key family" }

// fitsFamily reports whether alg is a JWS algorithm for this key's type and
// size. It does not allocate.
func (k *Key) fitsFamily(alg string) error {
	if a, ok := jwsAlgs[alg]; !ok || !a.FitsKey(k.kty, k.bits) {
		return familyError{}
	}
	return nil
}

// Fits reports whether k can verify a JWS whose header names alg: the key
// type must match the algorithm family (RS*/PS* need RSA, ES256/ES384/ES512
// need P-256/P-384/P-521, EdDSA needs Ed25519), the key's own alg, when
// stated, must equal alg exactly, and its use must be "" or "sig". It
// returns nil when the key fits and otherwise an error wrapping
// [ErrKeyMismatch] that says why. A nil error costs no allocation.
func (k *Key) Fits(alg string) error {
	// Fast path: the algorithms this key fits were decided once, in NewKey.
	for _, a := range k.fits {
		if a == alg {
			return nil
		}
	}
	return k.fitErr(alg)
}

// fitErr decides from scratch whether the key fits alg, saying why not.
func (k *Key) fitErr(alg string) error {
	if k.use != "" && k.use != "sig" {
		return fmt.Errorf("%w: kid %q: use %q", ErrKeyMismatch, k.kid, k.use)
	}
	if k.alg != "" && k.alg != alg {
		return fmt.Errorf("%w: kid %q: key alg %q, token alg %q", ErrKeyMismatch, k.kid, k.alg, alg)
	}
	if _, known := jwsAlgs[alg]; !known {
		return fmt.Errorf("%w: kid %q: unsupported token alg %q", ErrKeyMismatch, k.kid, alg)
	}
	if k.fitsFamily(alg) != nil {
		return fmt.Errorf("%w: kid %q: token alg %q needs another key type than %s", ErrKeyMismatch, k.kid, alg, k.describe())
	}
	return nil
}
