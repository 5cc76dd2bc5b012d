// Package dpopproof holds the mechanics of RFC 9449 proofs that package
// dpop (the policy) and issuertest (the test issuer's token endpoint)
// share: strict parsing and signature checking, the request checks, htu
// normalisation and RFC 7638 thumbprints. It imports nothing that imports
// package verify, so that issuertest may use it.
//
// # Security
//
// Every function reads attacker input and none panics; see package dpop
// for what is checked.
package dpopproof
