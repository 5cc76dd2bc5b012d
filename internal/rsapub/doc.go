// Package rsapub verifies RSASSA-PKCS1-v1_5 signatures (RS256, RS384,
// RS512) with a public key prepared once and reused for every signature.
//
// rsa.VerifyPKCS1v15 rebuilds its Montgomery modulus (including R² mod N)
// on every call, and its arithmetic is constant-time, which a public-key
// operation does not need. [New] does the per-key work once; each
// [PublicKey.VerifyPKCS1v15] then only exponentiates, with
// filippo.io/bigmod (crypto/rsa's own arithmetic) for moduli up to 2048
// bits and math/big's variable-time Exp above, whichever
// BenchmarkBackends measured faster at that size.
//
// # Security
//
// Verification follows RFC 8017 §8.2.2 without parsing the recovered
// block: the signature must be exactly k bytes (the modulus length), its
// value s must be below the modulus, m = s^e mod n is computed, and the
// whole expected encoding EM = 0x00 0x01 FF…FF 0x00 DigestInfo‖digest (k
// bytes) is built and compared with m in constant time: as k-byte strings
// with math/big, as integers with bigmod (EM is below the modulus, and a
// k-byte string and its integer determine each other, so the two
// comparisons are the same). Only SHA-256, SHA-384
// and SHA-512 are accepted, with a digest of exactly their size. Any
// failure is the one error [ErrVerification], so nothing tells a caller
// which step failed. Keys crypto/rsa refuses (even or sub-1024-bit
// modulus, exponent even, below 3 or not below 2^31) are refused by New;
// key policy beyond that (size, exponent) is the caller's.
//
// Timing depends on the key and on the signature, both public; it does
// not depend on the digest's value except through the final constant-time
// comparison. The package is checked against every Wycheproof
// RSASSA-PKCS1-v1_5 vector in the repository and differentially fuzzed
// against rsa.VerifyPKCS1v15.
package rsapub
