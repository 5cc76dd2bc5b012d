// Package testkeys holds a fixed pool of private keys for tests, the test
// issuer and benchmarks, so nothing generates RSA keys at run time. The keys
// are public knowledge: never use them to protect anything.
//
// Each key is parsed once per process (parsing and validating an RSA key
// costs about a millisecond under -race) and every call returns the same
// value: callers must not modify it.
package testkeys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"sync"
)

//go:embed keys/*.pem
var files embed.FS

// parsed memoizes parse by file name; its values are never modified.
var parsed sync.Map // string -> func() crypto.Signer

func load(name string) crypto.Signer {
	f, ok := parsed.Load(name)
	if !ok {
		f, _ = parsed.LoadOrStore(name, sync.OnceValue(func() crypto.Signer { return parse(name) }))
	}
	return f.(func() crypto.Signer)()
}

func parse(name string) crypto.Signer {
	b, err := files.ReadFile("keys/" + name + ".pem")
	if err != nil {
		panic(fmt.Sprintf("testkeys: %v", err))
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		panic("testkeys: no PEM block in " + name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		panic(fmt.Sprintf("testkeys: %s: %v", name, err))
	}
	return k.(crypto.Signer)
}

// RSA2048Count and RSA4096Count are the pool sizes.
const (
	RSA2048Count = 8
	RSA4096Count = 3
)

// RSA2048 returns the i'th 2048-bit key (0 <= i < RSA2048Count).
func RSA2048(i int) *rsa.PrivateKey { return load(fmt.Sprintf("rsa2048-%d", i)).(*rsa.PrivateKey) }

// RSA4096 returns the i'th 4096-bit key (0 <= i < RSA4096Count).
func RSA4096(i int) *rsa.PrivateKey { return load(fmt.Sprintf("rsa4096-%d", i)).(*rsa.PrivateKey) }

// RSA1024Weak returns a 1024-bit key that verifiers must refuse.
func RSA1024Weak() *rsa.PrivateKey { return load("rsa1024-weak").(*rsa.PrivateKey) }

// ECP256 returns a P-256 key.
func ECP256() *ecdsa.PrivateKey { return load("ec-p256").(*ecdsa.PrivateKey) }

// Ed25519 returns an Ed25519 key.
func Ed25519() ed25519.PrivateKey { return load("ed25519").(ed25519.PrivateKey) }
