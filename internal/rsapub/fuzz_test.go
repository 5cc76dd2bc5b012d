package rsapub

import (
	"crypto"
	"crypto/rsa"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

var fuzzHashes = []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}

// FuzzVerifyPKCS1v15 is a differential test against rsa.VerifyPKCS1v15 on
// the test key pool (no key generation). mode picks the signature under
// test:
//
//	0: a real signature of msg, with mut XORed into it from its start;
//	1: the raw signature of the correct encoded message with mut XORed
//	   into that message from its end, so that the recovered EM is
//	   attacker-chosen (padding, DigestInfo, digest);
//	2: mut itself, as an arbitrary signature.
//
// Both backends must decide as crypto/rsa does, and an unmutated
// signature must verify.
func FuzzVerifyPKCS1v15(f *testing.F) {
	// Seeds are in testdata/fuzz/FuzzVerifyPKCS1v15.
	f.Fuzz(func(t *testing.T, mode, key, hashSel byte, msg, mut []byte) {
		priv := poolKey(key)
		pub := &priv.PublicKey
		h := fuzzHashes[int(hashSel)%len(fuzzHashes)]
		hashed, sig := sign(t, priv, h, msg)
		changed := false
		switch mode % 3 {
		case 0:
			for i := range min(len(mut), len(sig)) {
				sig[i] ^= mut[i]
				changed = changed || mut[i] != 0
			}
		case 1:
			k := priv.Size()
			em := encode(make([]byte, k), digestInfo(h), hashed)
			for i := range min(len(mut), k) {
				em[k-1-i] ^= mut[i]
				changed = changed || mut[i] != 0
			}
			sig = rawSign(priv, em)
		case 2:
			sig, changed = mut, true
		}
		std := rsa.VerifyPKCS1v15(pub, h, hashed, sig) == nil
		if !changed && !std {
			t.Fatal("crypto/rsa refused an unmutated signature")
		}
		for name, p := range poolBackends(t, pub) {
			if got := p.VerifyPKCS1v15(h, hashed, sig) == nil; got != std {
				t.Fatalf("%s: accepted=%v, crypto/rsa %v (mode %d, sig %x)", name, got, std, mode%3, sig)
			}
		}
	})
}

// poolKey maps i onto the test key pool, RSA-2048 keys first.
func poolKey(i byte) *rsa.PrivateKey {
	n := int(i) % (testkeys.RSA2048Count + testkeys.RSA4096Count)
	if n < testkeys.RSA2048Count {
		return testkeys.RSA2048(n)
	}
	return testkeys.RSA4096(n - testkeys.RSA2048Count)
}

// prepared memoizes backends for the pool's keys, whose preparation would
// otherwise dominate each fuzz execution.
var prepared sync.Map // *rsa.PublicKey -> map[string]*PublicKey

func poolBackends(t *testing.T, pub *rsa.PublicKey) map[string]*PublicKey {
	if m, ok := prepared.Load(pub); ok {
		return m.(map[string]*PublicKey)
	}
	m, _ := prepared.LoadOrStore(pub, backends(t, pub))
	return m.(map[string]*PublicKey)
}
