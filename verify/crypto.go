package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"strconv"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/jwks"
)

// minRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3).
const minRSABits = 2048

type algFamily uint8

const (
	famRSA   algFamily = iota + 1 // RS*: RSASSA-PKCS1-v1_5
	famPSS                        // PS*: RSASSA-PSS, salt length = hash length
	famECDSA                      // ES*
	famEdDSA                      // EdDSA (Ed25519)
)

// algSpec is everything the verifier needs to know about one JWS alg.
type algSpec struct {
	name      string
	family    algFamily
	hash      crypto.Hash
	curveBits int               // ES*: the curve's size
	method    jwt.SigningMethod // ES*, EdDSA: golang-jwt's verifier
}

// supportedAlgs lists every alg a Config may allow. "none" and HS* are
// absent by design: a verifier holding only public keys has no business
// with MACs (RFC 8725 §2.1).
var supportedAlgs = []*algSpec{
	{name: "RS256", family: famRSA, hash: crypto.SHA256},
	{name: "RS384", family: famRSA, hash: crypto.SHA384},
	{name: "RS512", family: famRSA, hash: crypto.SHA512},
	{name: "PS256", family: famPSS, hash: crypto.SHA256},
	{name: "PS384", family: famPSS, hash: crypto.SHA384},
	{name: "PS512", family: famPSS, hash: crypto.SHA512},
	{name: "ES256", family: famECDSA, hash: crypto.SHA256, curveBits: 256, method: jwt.SigningMethodES256},
	{name: "ES384", family: famECDSA, hash: crypto.SHA384, curveBits: 384, method: jwt.SigningMethodES384},
	{name: "ES512", family: famECDSA, hash: crypto.SHA512, curveBits: 521, method: jwt.SigningMethodES512},
	{name: "EdDSA", family: famEdDSA, method: jwt.SigningMethodEdDSA},
}

func lookupAlg(name string) *algSpec {
	for _, a := range supportedAlgs {
		if a.name == name {
			return a
		}
	}
	return nil
}

var errKeyBinding = errors.New("key does not fit the token's alg")

// bindKey is where the key ↔ alg binding (RFC 8725 §3.1) is enforced,
// whatever the Source promised: the key's kty and Go type must be the
// alg's family, its JWK "alg" (when stated) must equal the token's alg, its
// "use" must be "sig" or absent, RSA keys must have at least 2048 bits and
// EC keys the alg's curve. The checks read fields fixed when the key was
// parsed: no per-request derivation.
func bindKey(k *jwks.Key, a *algSpec) error {
	if k.Alg() != "" && k.Alg() != a.name {
		return errKeyBinding
	}
	if u := k.Use(); u != "" && u != "sig" {
		return errKeyBinding
	}
	switch a.family {
	case famRSA, famPSS:
		pub, ok := k.Public().(*rsa.PublicKey)
		if !ok || k.Kty() != "RSA" || pub.N == nil || pub.N.BitLen() < minRSABits {
			return errKeyBinding
		}
	case famECDSA:
		pub, ok := k.Public().(*ecdsa.PublicKey)
		if !ok || k.Kty() != "EC" || pub.Curve == nil || pub.Curve.Params().BitSize != a.curveBits {
			return errKeyBinding
		}
	case famEdDSA:
		pub, ok := k.Public().(ed25519.PublicKey)
		if !ok || k.Kty() != "OKP" || len(pub) != ed25519.PublicKeySize {
			return errKeyBinding
		}
	default:
		return errKeyBinding
	}
	return nil
}

var errSignature = errors.New("signature does not verify")

// checkSignature verifies sig over signingInput with a key bindKey
// accepted. RS* uses the key's prepared modulus (jwks.Key.VerifyPKCS1v15),
// PS* goes straight to crypto/rsa (see doc.go, "Performance"); ECDSA and
// EdDSA use golang-jwt's signing methods.
// sc, when not nil, provides the memory for hashing (the RSA checks retain
// nothing, but escape analysis cannot know, so stack memory would move to
// the heap).
func checkSignature(a *algSpec, k *jwks.Key, signingInput string, sig []byte, sc *scratch) error {
	switch a.family {
	case famRSA, famPSS:
		pub := k.Public().(*rsa.PublicKey)
		// RFC 8017 §8.2.2 step 1; crypto/rsa checks it too.
		if len(sig) != pub.Size() {
			return errors.New("signature is " + strconv.Itoa(len(sig)) + " bytes, modulus " + strconv.Itoa(pub.Size()))
		}
		if sc == nil {
			sc = new(scratch)
		}
		hashed := digest(sc, a.hash, signingInput)
		var err error
		if a.family == famRSA {
			// The key's modulus arithmetic was prepared once by jwks.NewKey;
			// rsa.VerifyPKCS1v15 would redo it on every call.
			err = k.VerifyPKCS1v15(a.hash, hashed, sig)
		} else {
			// RFC 7518 §3.5 fixes the salt length to the hash length.
			opts := rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
			err = rsa.VerifyPSS(pub, a.hash, hashed, sig, &opts)
		}
		if err != nil {
			return errSignature
		}
		return nil
	default:
		if err := a.method.Verify(signingInput, sig, k.Public()); err != nil {
			return errSignature
		}
		return nil
	}
}

// digest hashes s into sc.sum and returns the used prefix.
func digest(sc *scratch, h crypto.Hash, s string) []byte {
	in := append(sc.buf[:0], s...)
	sc.buf = in
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(in)
		return append(sc.sum[:0], d[:]...)
	case crypto.SHA384:
		d := sha512.Sum384(in)
		return append(sc.sum[:0], d[:]...)
	default:
		d := sha512.Sum512(in)
		return append(sc.sum[:0], d[:]...)
	}
}
