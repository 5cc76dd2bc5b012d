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

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/jwks"
)

// algSpec is a JWS algorithm from jose's table with the verifier golang-jwt
// provides for it.
type algSpec struct {
	*jose.Alg
	method jwt.SigningMethod // ES*, EdDSA: golang-jwt's verifier
}

// supportedAlgs lists every alg a Config may allow: jose's table.
var supportedAlgs = func() []*algSpec {
	out := make([]*algSpec, 0, len(jose.Algs()))
	for _, a := range jose.Algs() {
		s := &algSpec{Alg: a}
		if a.Family == jose.ECDSA || a.Family == jose.EdDSA {
			if s.method = jwt.GetSigningMethod(a.Name); s.method == nil {
				panic("verify: golang-jwt has no signing method " + a.Name)
			}
		}
		out = append(out, s)
	}
	return out
}()

func lookupAlg(name string) *algSpec {
	for _, a := range supportedAlgs {
		if a.Name == name {
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
	if k.Alg() != "" && k.Alg() != a.Name {
		return errKeyBinding
	}
	if u := k.Use(); u != "" && u != "sig" {
		return errKeyBinding
	}
	bits := 0
	switch a.Family {
	case jose.RSA, jose.PSS:
		pub, ok := k.Public().(*rsa.PublicKey)
		if !ok || pub.N == nil {
			return errKeyBinding
		}
		bits = pub.N.BitLen()
	case jose.ECDSA:
		pub, ok := k.Public().(*ecdsa.PublicKey)
		if !ok || pub.Curve == nil {
			return errKeyBinding
		}
		bits = pub.Curve.Params().BitSize
	case jose.EdDSA:
		pub, ok := k.Public().(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return errKeyBinding
		}
	default:
		return errKeyBinding
	}
	if !a.FitsKey(k.Kty(), bits) {
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
	switch a.Family {
	case jose.RSA, jose.PSS:
		pub := k.Public().(*rsa.PublicKey)
		// RFC 8017 §8.2.2 step 1; crypto/rsa checks it too.
		if len(sig) != pub.Size() {
			return errors.New("signature is " + strconv.Itoa(len(sig)) + " bytes, modulus " + strconv.Itoa(pub.Size()))
		}
		if sc == nil {
			sc = new(scratch)
		}
		hashed := digest(sc, a.Hash, signingInput)
		var err error
		if a.Family == jose.RSA {
			// The key's modulus arithmetic was prepared once by jwks.NewKey;
			// rsa.VerifyPKCS1v15 would redo it on every call.
			err = k.VerifyPKCS1v15(a.Hash, hashed, sig)
		} else {
			// RFC 7518 §3.5 fixes the salt length to the hash length.
			opts := rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
			err = rsa.VerifyPSS(pub, a.Hash, hashed, sig, &opts)
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
