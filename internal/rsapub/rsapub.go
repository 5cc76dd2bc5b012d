package rsapub

import (
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"math/big"
	"math/bits"
	"sync"

	"filippo.io/bigmod"
)

// bigmodMaxBits is the largest modulus verified with filippo.io/bigmod;
// larger moduli use math/big. BenchmarkBackends alternates crypto/rsa and
// both backends call by call on a Wycheproof key and signature of each
// size; the medians relative to rsa.VerifyPKCS1v15, over three runs on a
// shared 2-core amd64 VM, were:
//
//	modulus   bigmod       math/big
//	2048      0.67×        1.15–1.17×
//	3072      0.68–0.69×   0.38–0.39×
//	4096      0.68×        0.35×
//	8192      0.63–0.68×   0.25–0.28×
//
// bigmod (crypto/rsa's own arithmetic, with the Montgomery modulus and
// R² mod N kept per key) has unrolled assembly up to 2048 bits and
// allocates nothing there; above, math/big's variable-time Exp (plain
// square-and-multiply with division for a one-word exponent) wins by far,
// for four allocations per call.
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
	s, m   *bigmod.Nat
	bs, bm big.Int
	got    []byte // the recovered encoded message
	want   []byte // the expected encoded message
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

// digestInfo are the DER DigestInfo prefixes of RFC 8017 §9.2, note 1.
var digestInfo = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// VerifyPKCS1v15 verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2)
// of the digest hashed, which hash (SHA-256, SHA-384 or SHA-512) computed.
// It returns nil or ErrVerification, like rsa.VerifyPKCS1v15 for the same
// key, digest and signature.
func (p *PublicKey) VerifyPKCS1v15(hash crypto.Hash, hashed, sig []byte) error {
	prefix, ok := digestInfo[hash]
	if !ok || len(hashed) != hash.Size() {
		return ErrVerification
	}
	// Step 1: the signature is exactly k bytes.
	if len(sig) != p.k {
		return ErrVerification
	}
	sc := p.getScratch()
	defer p.scratch.Put(sc)
	// Step 2: s = OS2IP(S) must be below n; m = s^e mod n; EM = I2OSP(m, k).
	got, ok := p.recover(sc, sig)
	if !ok {
		return ErrVerification
	}
	// Steps 3 and 4: build the whole expected EM and compare every byte.
	want := encode(sc.want[:len(got)], p.k, prefix, hashed)
	if want == nil || subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrVerification
	}
	return nil
}

func (p *PublicKey) getScratch() *scratch {
	if sc, ok := p.scratch.Get().(*scratch); ok {
		return sc
	}
	// got and want are whole limbs long, so that bigmod's limbs convert
	// without a copy; the leading bytes beyond k are zero in both.
	n := (p.k + bits.UintSize/8 - 1) / (bits.UintSize / 8) * (bits.UintSize / 8)
	return &scratch{s: bigmod.NewNat(), m: bigmod.NewNat(), got: make([]byte, n), want: make([]byte, n)}
}

// recover returns m = s^e mod n as a big-endian byte string, zero-extended
// to len(sc.got) >= k bytes, or false when s >= n.
func (p *PublicKey) recover(sc *scratch, sig []byte) ([]byte, bool) {
	if p.mod == nil {
		sc.bs.SetBytes(sig)
		if sc.bs.Cmp(p.n) >= 0 {
			return nil, false
		}
		sc.bm.Exp(&sc.bs, p.bigE, p.n)
		return sc.bm.FillBytes(sc.got), true
	}
	if _, err := sc.s.SetBytes(sig, p.mod); err != nil {
		return nil, false // s >= n
	}
	m := sc.m.ExpShortVarTime(sc.s, p.e, p.mod)
	got := sc.got
	i := len(got)
	for _, limb := range m.Bits() {
		for range bits.UintSize / 8 {
			i--
			got[i] = byte(limb)
			limb >>= 8
		}
	}
	clear(got[:i])
	return got, true
}

// encode writes into dst (len(dst) >= k) the EMSA-PKCS1-v1_5 encoding of
// RFC 8017 §9.2 for an emLen of k, right-aligned and zero-extended:
// 0x00 0x01 PS 0x00 DigestInfo‖hashed, with PS at least 8 bytes of 0xFF.
// It returns nil when k is too short for that.
func encode(dst []byte, k int, prefix, hashed []byte) []byte {
	tLen := len(prefix) + len(hashed)
	if k < tLen+11 {
		return nil
	}
	em := dst[len(dst)-k:]
	clear(dst[:len(dst)-k])
	em[0], em[1] = 0x00, 0x01
	ps := em[2 : k-tLen-1]
	for i := range ps {
		ps[i] = 0xff
	}
	em[k-tLen-1] = 0x00
	copy(em[k-tLen:], prefix)
	copy(em[k-len(hashed):], hashed)
	return dst
}
