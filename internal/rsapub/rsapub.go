package rsapub

import (
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"math/big"
	"sync"

	"filippo.io/bigmod"
)

// bigmodMaxBits is the largest modulus verified with filippo.io/bigmod;
// larger moduli use math/big. The boundary comes from BenchmarkBackends,
// which alternates crypto/rsa and both backends call by call on a
// Wycheproof key and signature of each size (its figures are in the bench
// module's notes): bigmod (crypto/rsa's own arithmetic, with the
// Montgomery modulus and R² mod N kept per key) has unrolled assembly up
// to 2048 bits and allocates nothing there; above, math/big's variable-time
// Exp (plain square-and-multiply with division for a one-word exponent)
// wins by far, for four allocations per call. Public-key operations need
// no constant time.
const bigmodMaxBits = 2048

// maxBits bounds the modulus: larger keys only cost CPU per verification.
const maxBits = 16384

// PublicKey is an RSA public key with its modulus prepared for repeated
// verification. It is immutable and safe for concurrent use.
type PublicKey struct {
	k       int  // modulus length in bytes
	e       uint // public exponent
	mod     *bigmod.Modulus
	n, bigE *big.Int  // when mod is nil
	scratch sync.Pool // *scratch
}

// scratch is per-call working memory.
type scratch struct {
	s, m, w *bigmod.Nat // bigmod: signature, recovered and expected message
	bs, bm  big.Int     // math/big: signature and recovered message
	em      []byte      // the expected encoded message, k bytes
	got     []byte      // math/big: the recovered message, k bytes
}

// New prepares pub for verification. It refuses what crypto/rsa refuses:
// a nil or even modulus, a modulus under 1024 bits, and an exponent that is
// even, below 2 or not below 2^31. It also refuses moduli over 16384 bits.
// pub is not retained.
func New(pub *rsa.PublicKey) (*PublicKey, error) {
	switch {
	case pub == nil || pub.N == nil || pub.N.Sign() <= 0:
		return nil, errors.New("missing RSA modulus")
	case pub.N.Bit(0) == 0:
		return nil, errors.New("RSA modulus is even")
	case pub.N.BitLen() < 1024 || pub.N.BitLen() > maxBits:
		return nil, errors.New("RSA modulus size out of range")
	case pub.E < 3 || pub.E&1 == 0 || int64(pub.E) >= 1<<31:
		return nil, errors.New("RSA exponent out of range")
	}
	return newKey(pub, pub.N.BitLen() <= bigmodMaxBits)
}

// newKey prepares pub for one backend: bigmod or math/big.
func newKey(pub *rsa.PublicKey, useBigmod bool) (*PublicKey, error) {
	p := &PublicKey{k: (pub.N.BitLen() + 7) / 8, e: uint(pub.E)}
	if useBigmod {
		m, err := bigmod.NewModulus(pub.N.Bytes())
		if err != nil {
			return nil, err
		}
		p.mod = m
	} else {
		p.n = new(big.Int).Set(pub.N)
		p.bigE = big.NewInt(int64(pub.E))
	}
	return p, nil
}

// Size returns the modulus length in bytes.
func (p *PublicKey) Size() int { return p.k }

// ErrVerification is the one error VerifyPKCS1v15 returns for a signature
// that does not verify.
var ErrVerification = errors.New("rsapub: verification error")

// The DER DigestInfo prefixes of RFC 8017 §9.2, note 1. Never modified.
var (
	prefixSHA256 = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	prefixSHA384 = []byte{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}
	prefixSHA512 = []byte{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}
)

// digestInfo returns the DigestInfo prefix for hash, or nil for a hash
// other than SHA-256, SHA-384 and SHA-512.
func digestInfo(hash crypto.Hash) []byte {
	switch hash {
	case crypto.SHA256:
		return prefixSHA256
	case crypto.SHA384:
		return prefixSHA384
	case crypto.SHA512:
		return prefixSHA512
	}
	return nil
}

// VerifyPKCS1v15 verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2)
// of the digest hashed, which hash (SHA-256, SHA-384 or SHA-512) computed.
// It returns nil or ErrVerification, like rsa.VerifyPKCS1v15 for the same
// key, digest and signature.
func (p *PublicKey) VerifyPKCS1v15(hash crypto.Hash, hashed, sig []byte) error {
	prefix := digestInfo(hash)
	if prefix == nil || len(hashed) != hash.Size() {
		return ErrVerification
	}
	// Step 1: the signature is exactly k bytes.
	if len(sig) != p.k {
		return ErrVerification
	}
	sc := p.getScratch()
	defer p.scratch.Put(sc)
	// Step 3 (it needs only public inputs): the whole expected EM.
	em := encode(sc.em, prefix, hashed)
	if em == nil || !p.recovers(sc, sig, em) {
		return ErrVerification
	}
	return nil
}

func (p *PublicKey) getScratch() *scratch {
	if sc, ok := p.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{s: bigmod.NewNat(), m: bigmod.NewNat(), w: bigmod.NewNat(), em: make([]byte, p.k), got: make([]byte, p.k)}
}

// recovers runs steps 2 and 4: s = OS2IP(sig) must be below n, and
// m = s^e mod n must equal em, compared whole in constant time.
func (p *PublicKey) recovers(sc *scratch, sig, em []byte) bool {
	if p.mod == nil {
		sc.bs.SetBytes(sig)
		if sc.bs.Cmp(p.n) >= 0 {
			return false
		}
		m := sc.bm.Exp(&sc.bs, p.bigE, p.n)
		return subtle.ConstantTimeCompare(m.FillBytes(sc.got), em) == 1
	}
	s, err := sc.s.SetBytes(sig, p.mod)
	if err != nil {
		return false // s >= n
	}
	// em starts 0x00 0x01, so it is below 2^(8(k-1)) <= n: the integer
	// OS2IP(em) is an element mod n, and comparing it with m compares
	// I2OSP(m, k) with em byte for byte, without converting m to bytes.
	w, err := sc.w.SetBytes(em, p.mod)
	if err != nil {
		return false
	}
	return sc.m.ExpShortVarTime(s, p.e, p.mod).Equal(w) == 1
}

// encode writes into em the EMSA-PKCS1-v1_5 encoding of RFC 8017 §9.2
// with emLen = len(em): 0x00 0x01 PS 0x00 DigestInfo‖hashed, with PS at
// least 8 bytes of 0xFF. It returns nil when em is too short for that.
func encode(em, prefix, hashed []byte) []byte {
	k, tLen := len(em), len(prefix)+len(hashed)
	if k < tLen+11 {
		return nil
	}
	em[0], em[1] = 0x00, 0x01
	ps := em[2 : k-tLen-1]
	for i := range ps {
		ps[i] = 0xff
	}
	em[k-tLen-1] = 0x00
	copy(em[k-tLen:], prefix)
	copy(em[k-len(hashed):], hashed)
	return em
}
