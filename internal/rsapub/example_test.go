package rsapub_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/rsapub"
	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func Example() {
	priv := testkeys.RSA2048(0)
	digest := sha256.Sum256([]byte("header.payload"))
	sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}

	key, err := rsapub.New(&priv.PublicKey) // once per key
	if err != nil {
		panic(err)
	}
	fmt.Println(key.VerifyPKCS1v15(crypto.SHA256, digest[:], sig)) // per signature
	sig[0] ^= 1
	fmt.Println(key.VerifyPKCS1v15(crypto.SHA256, digest[:], sig))
	// Output:
	// <nil>
	// rsapub: verification error
}
