package jose

import "crypto"

// Limits on RSA moduli, in bits.
const (
	MinRSABits = 2048 // RFC 7518 §3.3
	MaxRSABits = 8192 // larger moduli only cost CPU per verification
)

// Family is the signature scheme of a JWS algorithm.
type Family uint8

// The families of the algorithms in the table.
const (
	RSA   Family = iota + 1 // RS*: RSASSA-PKCS1-v1_5
	PSS                     // PS*: RSASSA-PSS, salt length = hash length
	ECDSA                   // ES*
	EdDSA                   // EdDSA (Ed25519)
)

// Alg is one JWS algorithm and the key it needs.
type Alg struct {
	Name   string
	Family Family
	Hash   crypto.Hash // zero for EdDSA
	Kty    string      // the JWK key type: "RSA", "EC" or "OKP"
	Curve  int         // ES*: the curve's size in bits (521 for P-521); 0 otherwise
}

// algs is the table. "none" and HS* are absent by design: a public key
// never fits a MAC (RFC 8725 §2.1).
var algs = []*Alg{
	{Name: "RS256", Family: RSA, Hash: crypto.SHA256, Kty: "RSA"},
	{Name: "RS384", Family: RSA, Hash: crypto.SHA384, Kty: "RSA"},
	{Name: "RS512", Family: RSA, Hash: crypto.SHA512, Kty: "RSA"},
	{Name: "PS256", Family: PSS, Hash: crypto.SHA256, Kty: "RSA"},
	{Name: "PS384", Family: PSS, Hash: crypto.SHA384, Kty: "RSA"},
	{Name: "PS512", Family: PSS, Hash: crypto.SHA512, Kty: "RSA"},
	{Name: "ES256", Family: ECDSA, Hash: crypto.SHA256, Kty: "EC", Curve: 256},
	{Name: "ES384", Family: ECDSA, Hash: crypto.SHA384, Kty: "EC", Curve: 384},
	{Name: "ES512", Family: ECDSA, Hash: crypto.SHA512, Kty: "EC", Curve: 521},
	{Name: "EdDSA", Family: EdDSA, Kty: "OKP"},
}

// Algs returns every algorithm in the table, in a fixed order. The caller
// must not modify the slice or its elements.
func Algs() []*Alg { return algs }

// LookupAlg returns the algorithm named name (case-sensitive), or nil.
func LookupAlg(name string) *Alg {
	for _, a := range algs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// FitsKey reports whether a key of type kty and size bits (the RSA modulus
// length, the EC curve size, 256 for Ed25519) can verify a under RFC 7518:
// the key type must be the algorithm's, an RSA modulus at least
// MinRSABits, and an EC curve exactly the algorithm's.
func (a *Alg) FitsKey(kty string, bits int) bool {
	switch {
	case kty != a.Kty:
		return false
	case a.Kty == "RSA":
		return bits >= MinRSABits
	case a.Kty == "EC":
		return bits == a.Curve
	}
	return true
}
