package jwks

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"errors"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func TestKeyVerifyPKCS1v15(t *testing.T) {
	priv := testkeys.RSA2048(0)
	key := mustKey(t, "k", "RS384", priv.Public())
	digest := sha512.Sum384([]byte("header.payload"))
	sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA384, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), sig...)
	flipped[len(flipped)-1] ^= 1
	other := mustKey(t, "o", "", testkeys.RSA2048(1).Public())
	tests := []struct {
		name    string
		key     *Key
		hash    crypto.Hash
		sig     []byte
		wantErr error
	}{
		{"valid", key, crypto.SHA384, sig, nil},
		{"flipped bit", key, crypto.SHA384, flipped, rsa.ErrVerification},
		{"other hash", key, crypto.SHA512, sig, rsa.ErrVerification},
		{"other key", other, crypto.SHA384, sig, rsa.ErrVerification},
		{"short", key, crypto.SHA384, sig[1:], rsa.ErrVerification},
		{"EC key", mustKey(t, "e", "", &testkeys.ECP256().PublicKey), crypto.SHA384, sig, ErrKeyMismatch},
		{"Ed25519 key", mustKey(t, "d", "", testkeysEd()), crypto.SHA384, sig, ErrKeyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := digest[:]
			if tt.hash == crypto.SHA512 {
				d = append(d, make([]byte, 16)...)
			}
			err := tt.key.VerifyPKCS1v15(tt.hash, d, tt.sig)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
