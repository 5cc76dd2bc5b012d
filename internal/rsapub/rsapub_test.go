package rsapub

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// sign returns the PKCS#1 v1.5 signature and digest of msg under h.
func sign(t testing.TB, priv *rsa.PrivateKey, h crypto.Hash, msg []byte) (hashed, sig []byte) {
	t.Helper()
	hw := h.New()
	hw.Write(msg)
	hashed = hw.Sum(nil)
	sig, err := rsa.SignPKCS1v15(nil, priv, h, hashed)
	if err != nil {
		t.Fatal(err)
	}
	return hashed, sig
}

// rawSign returns em^d mod n as k bytes, a signature whose verification
// recovers em mod n whatever em holds. It uses the CRT values the pool's
// keys carry.
func rawSign(priv *rsa.PrivateKey, em []byte) []byte {
	c := new(big.Int).SetBytes(em)
	p, q, pc := priv.Primes[0], priv.Primes[1], priv.Precomputed
	m1 := new(big.Int).Exp(new(big.Int).Mod(c, p), pc.Dp, p)
	m2 := new(big.Int).Exp(new(big.Int).Mod(c, q), pc.Dq, q)
	m1.Sub(m1, m2).Mul(m1, pc.Qinv).Mod(m1, p) // h = qInv (m1 - m2) mod p
	return m1.Mul(m1, q).Add(m1, m2).FillBytes(make([]byte, priv.Size()))
}

func TestVerifyPKCS1v15(t *testing.T) {
	msg := []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0")
	for _, priv := range []*rsa.PrivateKey{testkeys.RSA2048(0), testkeys.RSA4096(0)} {
		pub := &priv.PublicKey
		h256, sig256 := sign(t, priv, crypto.SHA256, msg)
		h384, sig384 := sign(t, priv, crypto.SHA384, msg)
		h512, sig512 := sign(t, priv, crypto.SHA512, msg)
		hSHA1, sigSHA1 := sign(t, priv, crypto.SHA1, msg)
		k := priv.Size()
		nBytes := priv.N.FillBytes(make([]byte, k))
		nMinus1 := new(big.Int).Sub(priv.N, big.NewInt(1)).FillBytes(make([]byte, k))
		one := big.NewInt(1).FillBytes(make([]byte, k))
		flipped := append([]byte(nil), sig256...)
		flipped[k/2] ^= 0x01
		// A correct EM for SHA-256 with its last padding byte turned
		// into 0x00: crypto/rsa refuses it, so must we.
		em := encode(make([]byte, k), digestInfo(crypto.SHA256), h256)
		em[k-len(h256)-len(digestInfo(crypto.SHA256))-2] = 0x00
		shortPad := rawSign(priv, em)
		tests := []struct {
			name   string
			hash   crypto.Hash
			hashed []byte
			sig    []byte
			ok     bool
		}{
			{"SHA-256", crypto.SHA256, h256, sig256, true},
			{"SHA-384", crypto.SHA384, h384, sig384, true},
			{"SHA-512", crypto.SHA512, h512, sig512, true},
			{"valid EM rebuilt", crypto.SHA256, h256, rawSign(priv, encode(make([]byte, k), digestInfo(crypto.SHA256), h256)), true},
			{"SHA-1 refused", crypto.SHA1, hSHA1, sigSHA1, false},
			{"raw digest refused", 0, h256, sig256, false},
			{"signed SHA-256, checked SHA-512", crypto.SHA512, h512, sig256, false},
			{"digest of the wrong length", crypto.SHA256, h256[:31], sig256, false},
			{"other digest", crypto.SHA256, h512[:32], sig256, false},
			{"one bit flipped", crypto.SHA256, h256, flipped, false},
			{"one byte short", crypto.SHA256, h256, sig256[1:], false},
			{"leading zero added", crypto.SHA256, h256, append([]byte{0}, sig256...), false},
			{"empty", crypto.SHA256, h256, nil, false},
			{"s = 0", crypto.SHA256, h256, make([]byte, k), false},
			{"s = 1", crypto.SHA256, h256, one, false},
			{"s = n-1", crypto.SHA256, h256, nMinus1, false},
			{"s = n", crypto.SHA256, h256, nBytes, false},
			{"s = n+1", crypto.SHA256, h256, new(big.Int).Add(priv.N, big.NewInt(1)).FillBytes(make([]byte, k)), false},
			{"s = 2^8k-1", crypto.SHA256, h256, bytes.Repeat([]byte{0xff}, k), false},
			{"padding one byte short", crypto.SHA256, h256, shortPad, false},
		}
		for _, tt := range tests {
			t.Run(priv.N.Text(16)[:8]+"/"+tt.name, func(t *testing.T) {
				std := rsa.VerifyPKCS1v15(pub, tt.hash, tt.hashed, tt.sig) == nil
				if std != tt.ok && tt.hash != crypto.SHA1 {
					t.Fatalf("crypto/rsa accepted=%v, want %v: the case is wrong", std, tt.ok)
				}
				for name, p := range backends(t, pub) {
					err := p.VerifyPKCS1v15(tt.hash, tt.hashed, tt.sig)
					if (err == nil) != tt.ok {
						t.Errorf("%s: err = %v, want ok=%v", name, err, tt.ok)
					}
					if err != nil && err != ErrVerification {
						t.Errorf("%s: err = %v, want ErrVerification", name, err)
					}
				}
			})
		}
	}
}

func TestNew(t *testing.T) {
	good := &testkeys.RSA2048(0).PublicKey
	with := func(n *big.Int, e int) *rsa.PublicKey { return &rsa.PublicKey{N: n, E: e} }
	even := new(big.Int).Add(good.N, big.NewInt(1))
	tests := []struct {
		name string
		pub  *rsa.PublicKey
		ok   bool
	}{
		{"RSA-2048", good, true},
		{"RSA-4096", &testkeys.RSA4096(0).PublicKey, true},
		{"RSA-1024", &testkeys.RSA1024Weak().PublicKey, true}, // crypto/rsa's floor; jwks refuses it
		{"e = 3", with(good.N, 3), true},
		{"nil", nil, false},
		{"nil modulus", with(nil, 65537), false},
		{"zero modulus", with(new(big.Int), 65537), false},
		{"negative modulus", with(new(big.Int).Neg(good.N), 65537), false},
		{"even modulus", with(even, 65537), false},
		{"512-bit modulus", with(new(big.Int).Rsh(good.N, 1536), 65537), false},
		{"huge modulus", with(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), maxBits), big.NewInt(1)), 65537), false},
		{"e = 1", with(good.N, 1), false},
		{"even e", with(good.N, 65536), false},
		{"negative e", with(good.N, -65537), false},
		{"e = 2^31+1", with(good.N, 1<<31+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.pub)
			if (err == nil) != tt.ok {
				t.Fatalf("New: err = %v, want ok=%v", err, tt.ok)
			}
			if err == nil && p.Size() != tt.pub.Size() {
				t.Errorf("Size() = %d, want %d", p.Size(), tt.pub.Size())
			}
		})
	}
}

// TestAllocs guards the allocation budget: nothing with bigmod (2048
// bits), and math/big's own four temporaries above.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	tests := []struct {
		name string
		priv *rsa.PrivateKey
		max  float64
	}{
		{"RSA-2048", testkeys.RSA2048(1), 0},
		{"RSA-4096", testkeys.RSA4096(1), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hashed, sig := sign(t, tt.priv, crypto.SHA256, []byte("m"))
			p, err := New(&tt.priv.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			got := testing.AllocsPerRun(20, func() {
				if err := p.VerifyPKCS1v15(crypto.SHA256, hashed, sig); err != nil {
					t.Fatal(err)
				}
			})
			if got > tt.max {
				t.Errorf("%v allocs per verification, want ≤ %v", got, tt.max)
			}
		})
	}
}
