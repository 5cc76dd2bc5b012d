package jwks

import (
	"context"
	"crypto"
)

// Key is one public verification key from a JWK Set, parsed once and ready
// for use. A Key is immutable and safe for concurrent use.
//
// A Cache that republishes a key with the same kid and the same public
// material keeps returning the same *Key pointer across refreshes, so
// callers may remember a key by pointer identity and learn that it left the
// set when a lookup stops returning that pointer.
type Key struct {
	kid  string
	alg  string // JWK "alg"; "" when the JWK states none
	kty  string // "RSA", "EC" or "OKP"
	use  string // "sig" or ""
	bits int    // modulus or curve size in bits
	pub  crypto.PublicKey
	fits []string // the JWS algs this key verifies, decided once by NewKey
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
type Source interface {
	Key(ctx context.Context, kid, alg string) (*Key, error)
}
