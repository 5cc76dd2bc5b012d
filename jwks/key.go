package jwks

import (
	"context"
	"crypto"
	"crypto/rsa"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/rsapub"
)

// Key is one public verification key from a JWK Set, parsed once and ready
// for use. A Key is immutable and safe for concurrent use.
//
// A Cache that republishes a key with the same kid, kty, alg, use, key_ops
// and public material keeps returning the same *Key pointer across
// refreshes, so callers may remember a key by pointer identity and learn
// that it left the set or changed when a lookup stops returning that
// pointer (see [Source]).
type Key struct {
	kid  string
	alg  string // JWK "alg"; "" when the JWK states none
	kty  string // "RSA", "EC" or "OKP"
	use  string // "sig" or ""
	bits int    // modulus or curve size in bits
	pub  crypto.PublicKey
	fits []string          // the JWS algs this key verifies, decided once by NewKey
	rsa  *rsapub.PublicKey // RSA keys: the modulus prepared once by NewKey

	// ops is the JWK "key_ops" as ParseSet read it (nil when absent or
	// built by NewKey); a refresh reuses the key only if it is unchanged.
	ops []string
}

// KID returns the key's "kid" ("" if the JWK had none).
func (k *Key) KID() string { return k.kid }

// Alg returns the JWK's "alg" member, or "" when the JWK states none.
func (k *Key) Alg() string { return k.alg }

// Kty returns the key type: "RSA", "EC" or "OKP".
func (k *Key) Kty() string { return k.kty }

// Use returns the JWK's "use" member: "sig" or "".
func (k *Key) Use() string { return k.use }

// Bits returns the RSA modulus length or the curve size, in bits.
func (k *Key) Bits() int { return k.bits }

// Public returns the public key: *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey. Callers must not modify it.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// VerifyPKCS1v15 verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017
// §8.2.2), as [rsa.VerifyPKCS1v15] does for [Key.Public], of hashed, the
// digest of the signed message under hash (crypto.SHA256, crypto.SHA384 or
// crypto.SHA512: RS256, RS384, RS512). It is faster than
// rsa.VerifyPKCS1v15, which prepares the modulus arithmetic on every call:
// [NewKey] prepared it once. It does not check that the key fits an alg
// (see [Key.Fits]).
//
// It returns nil when the signature verifies, an error matching
// [rsa.ErrVerification] when it does not (including a signature that is
// not exactly the modulus length, or a digest of the wrong length), and an
// error wrapping [ErrKeyMismatch] when k is not an RSA key.
func (k *Key) VerifyPKCS1v15(hash crypto.Hash, hashed, sig []byte) error {
	if k.rsa == nil {
		return fmt.Errorf("%w: kid %q: %s is not an RSA key", ErrKeyMismatch, k.kid, k.describe())
	}
	if k.rsa.VerifyPKCS1v15(hash, hashed, sig) != nil {
		return rsa.ErrVerification
	}
	return nil
}

// Source finds the key that verifies a token. Both *Set (a static source)
// and *Cache implement it; the verifier consumes it.
//
// Key returns the key whose kid is kid and which fits alg (see
// [Key.Fits]). When kid is "" it returns the only key in the source that
// fits alg, and fails when there are none or several.
//
// Errors: an error matching [ErrKeyNotFound] when no key has that kid,
// [ErrKeyMismatch] when the key with that kid does not fit alg,
// [ErrUnavailable] when the source cannot vouch for its keys (never loaded,
// or the stale window has passed), [ErrClosed] after Close, or ctx.Err()
// when ctx ends while waiting for an in-flight fetch.
//
// Implementations must be safe for concurrent use and must not block
// except to wait for a fetch already in flight.
//
// Pointer identity is part of the contract: a Source must return the same
// *Key for a key that did not change, across refreshes too, and a new *Key
// when the key material (or its alg or use) changes, even under the same
// kid. The verifier's token cache relies on it: it keeps a verified token
// only while the Source returns the very *Key that verified it, so a Source
// that built a new *Key on every refresh or lookup would empty that cache
// each time.
type Source interface {
	Key(ctx context.Context, kid, alg string) (*Key, error)
}
