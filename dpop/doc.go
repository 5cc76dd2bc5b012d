// Package dpop checks DPoP proofs (RFC 9449): access tokens bound to a key
// the client holds, so that a stolen token is useless without the key.
//
// A client sends, with each request, "Authorization: DPoP <token>" and a
// DPoP header holding a proof: a compact JWS with typ "dpop+jwt" that
// carries its own public key (jwk), signed with the private half, naming
// the request (htm, htu), its time (iat), a unique id (jti) and the hash
// of the access token (ath). The token names the key it is bound to by
// its RFC 7638 thumbprint, cnf.jkt (a JWT claim, or a member of the
// introspection answer).
//
// A [Verifier] checks a proof against a [Request] and the claims a
// verify.Checker returned for the token ([Verifier.Check], or
// [Verifier.CheckHTTP] for an *http.Request). httpmw does this for
// requests when its Config.DPoP is set, and refuses tokens bound to a key
// that arrive as Bearer tokens. [Thumbprint] computes cnf.jkt for an
// issuer; [NormalizeHTU] is the URI comparison htu uses.
//
// Refusals are *verify.Error values: verify.ReasonInvalidDPoPProof
// (RFC 9449's invalid_dpop_proof), verify.ReasonUseDPoPNonce
// (use_dpop_nonce: retry with the nonce from the DPoP-Nonce header),
// verify.ReasonBindingMismatch (a 401 invalid_token: the proof's key is
// not the token's), or verify.ReasonUnavailable when the replay store
// fails.
//
// gRPC and Connect calls are HTTP POSTs to their full method path, so a
// proof for one names htm "POST" and htu "https://" + authority + path,
// e.g. "https://api.example.com/pkg.Service/Method", where authority is
// the :authority the client dialled (Config.Origin replaces
// "https://" + authority when set). The proof travels in the "dpop"
// metadata key (exactly one value) and the token as
// "authorization: DPoP <token>". [Verifier.CheckRPC] checks such a call;
// grpcmw and connectguard call it when their Config.DPoP is set.
//
// # Security
//
// In the order Check runs them (RFC 9449 §4.3):
//
//   - exactly one DPoP header, at most Config.MaxProofBytes (8 KiB);
//   - three strict base64url segments; header and claims JSON parsed with
//     JSON v2 semantics: member names case-sensitive, a name twice is
//     refused, invalid UTF-8 is refused;
//   - typ exactly "dpop+jwt"; no crit, b64, zip or enc;
//   - alg one of Config.Algorithms, all asymmetric: "none" and HS* can
//     never be accepted, since the verifier has no secret, only the key in
//     the proof;
//   - jwk parsed as strictly as package jwks parses key sets: RSA of 2048
//     to 8192 bits, EC on P-256/384/521 (on the curve), Ed25519; any
//     private member (d, p, q, dp, dq, qi, oth, k) or a symmetric key is
//     refused; the key must fit alg;
//   - the signature under that key (PS* with the salt length RFC 7518
//     §3.5 fixes);
//   - jti present and at most 64 bytes; htm equal to the request method
//     (case-sensitive); htu equal to the request URI after [NormalizeHTU]
//     on both, so case of scheme and host, default ports, unreserved
//     percent-encodings and dot segments do not matter, while query and
//     fragment are ignored;
//   - iat a NumericDate no older than Config.MaxAge (60 s) and no further
//     in the future than Config.Leeway (5 s): the window a captured proof
//     could be used in;
//   - ath equal to base64url(SHA-256(access token)), compared in constant
//     time, when an access token is presented;
//   - with Config.Nonces, a nonce the server handed out (RFC 9449 §9);
//   - the token's cnf.jkt equal to the proof key's thumbprint; a token
//     without cnf.jkt is refused with a proof;
//   - last, the replay store: a proof (per key and jti) is accepted once
//     while its window lasts. Only proofs that passed every other check
//     reach it, so only holders of a bound token and its key can fill
//     it. The in-memory store is bounded ([DefaultMaxReplayEntries]) and
//     fails closed when full: a 503, never a forgotten jti.
//
// Not checked, and why: htu is compared with the URI the server was
// reached at. Without Config.Origin that URI is built from the request's
// Host header and TLS state, which a client controls; a proof made for
// another server that shares this server's keys and tokens could then be
// replayed here under a forged Host (for gRPC and Connect, a forged
// :authority). Set Origin in production. Replay
// protection covers one process unless Config.Replay is a store shared
// by every instance that accepts the same tokens. A proof proves
// possession of a key at iat, not that the client still holds it: a
// client whose key was stolen must have its tokens revoked. The
// resource's own request body is not covered by the proof.
package dpop
