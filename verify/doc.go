// Package verify decides whether an OAuth 2.0 bearer token — a compact JWS
// JWT such as an Ory Hydra (id.wgtwo.com) access or ID token — is to be
// trusted, and if not, exactly why.
//
// A [Verifier] is built once from a [Config] naming the accepted issuers
// (each with the [jwks.Source] of its keys), audiences and algorithms, and
// is then shared by every request:
//
//	v, err := verify.New(verify.Config{
//		Issuers:   []verify.Issuer{{Name: "https://id.wgtwo.com/", Keys: cache}},
//		Audiences: []string{"https://api.example.com/"},
//	})
//	claims, err := v.Verify(ctx, token, verify.ScopeRule{AllOf: []string{"sms.text:send"}})
//
// Every refusal is an [*Error] carrying a stable [Reason]; errors.Is matches
// the reason's sentinel (ErrExpired, ErrInvalidSignature, …) and
// [Reason.Outcome] (or [OutcomeOf] for any error) gives the class of answer
// the transports (httpmw, grpcmw, connectguard) send, each in its own
// codes. Clients only ever see that vague class; [Error.Detail],
// [Config.OnDecision] and the transports' [Rejection] hook are for the
// operator.
//
// # Order of checks
//
// Verify runs these steps in this order, cheapest first, and stops at the
// first failure. Nothing touches a key source (and so nothing can trigger a
// JWKS fetch) before the shape, the algorithm, the issuer, the time claims,
// the audience and the token kind have passed.
//
//  1. Size: a token longer than Config.MaxTokenBytes (16 KiB by default) is
//     token_too_large, before any other work.
//  2. Shape: exactly three non-empty segments separated by dots (counted
//     with strings.IndexByte, never split), each strictly
//     [A-Za-z0-9_-] without padding, whitespace or CR/LF, with zero
//     trailing bits (as base64.RawURLEncoding.Strict(), minus its tolerance
//     of CR/LF). JWE (five segments), the JSON serialization, opaque Hydra
//     tokens (<43>.<43>, ory_at_…) and anything else are malformed.
//  3. Header: a strict JSON object (see "JSON" below). crit, b64, enc or zip
//     present, or cty "JWT" (a nested token), is malformed; a missing or
//     non-string alg is malformed; an alg not in Config.Algorithms
//     (case-sensitive; "none" and HS* can never be configured) is
//     unsupported_algorithm. kid must be a string of at most 256 bytes.
//     jwk, jku, x5u and x5c are ignored: keys come only from the issuer's
//     source. With Config.RequiredType, typ must match (invalid_type).
//  4. Payload: decoded once, strictly, into the registered claims: exp, nbf
//     and iat must be JSON numbers from 0 to 253402300799 (year 9999);
//     fractions are kept to the nanosecond, rounding up, never truncated to
//     seconds. iss, sub, jti, client_id and nonce must be strings; aud a
//     string or an array of strings; scope, scp and Config.ScopeClaims a
//     string, an array of strings or null (no scopes). Any other type is
//     malformed. The raw
//     payload is kept for [Claims.Decode].
//  5. Issuer: iss selects the configured [Issuer] by exact byte comparison
//     (RFC 7519 §7.3); no configured issuer is invalid_issuer, no iss is
//     missing_claim (unless InsecureSkipIssuerCheck). Hydra v1, which
//     id.wgtwo.com runs, always issues "https://id.wgtwo.com/" with the
//     trailing slash; Hydra v2 issues the issuer exactly as configured. A
//     mismatched slash is refused; to accept both spellings during a
//     migration, configure two Issuers with the same Keys.
//     With Config.Resolver, an iss that is none of Issuers is left to
//     step 9, so that nothing can fetch before steps 6–8 pass; Issuers
//     are always compared first and never reach the Resolver.
//  6. Time, with Config.Leeway and Config.Now: no exp is missing_claim;
//     now ≥ exp+leeway is expired; nbf > now+leeway is not_yet_valid; iat >
//     now+leeway is issued_in_future; with MaxTokenAge, no iat is
//     missing_claim and now−iat > MaxTokenAge+leeway is expired; with
//     MaxLifetime, no iat is missing_claim and exp−iat > MaxLifetime is
//     lifetime_too_long (no leeway: both times are the issuer's).
//  7. Audience: unless InsecureSkipAudienceCheck, the token must carry at least one
//     of Config.Audiences (any-of). No aud is missing_claim; an aud that
//     matches none, including "" and [], is invalid_audience.
//  8. Kind ([TokenKind], Config.Kind): by default the token must be an
//     access token. Unless typ is "at+jwt", a token carrying "nonce",
//     "at_hash" or "c_hash", or "auth_time" without "client_id" and without
//     any scope claim, is an OpenID Connect ID token and is
//     wrong_token_kind. With TokenKindID the token must be an ID token:
//     typ "at+jwt", "client_id", "scope" or "scp" is wrong_token_kind, and
//     no sub or no iat is missing_claim.
//  9. Key: for an iss left to Config.Resolver, [Resolver.Resolve] first
//     returns its source, refuses it (invalid_issuer) or fails
//     (unavailable). Then the issuer's Source.Key(ctx, kid, alg). A token
//     without kid is verified only when exactly one key in the source fits alg, and is
//     otherwise unknown_key. Source errors map as: jwks.ErrKeyNotFound →
//     unknown_key; jwks.ErrKeyMismatch → unsupported_algorithm;
//     jwks.ErrUnavailable, jwks.ErrClosed, ctx errors and anything else →
//     unavailable (a server-side condition, not the client's). The key ↔ alg
//     binding (RFC 8725 §3.1) is enforced here again, whatever the source
//     promised: kty and Go key type must be the alg's family, the JWK's
//     alg (when stated) must equal the token's, use must be "sig" or
//     absent, RSA keys need ≥ 2048 bits and EC keys the alg's curve; a
//     mismatch is unsupported_algorithm.
//  10. Signature: RSASSA-PKCS1-v1_5 and RSASSA-PSS (salt length = hash
//     length, RFC 7518 §3.5) through crypto/rsa, which requires the
//     signature to be exactly as long as the modulus (RFC 8017 §8.2.2);
//     ECDSA (r‖s of the curve's size) and Ed25519 through golang-jwt's
//     signing methods. Failure is invalid_signature. An issuer may
//     republish a kid with a new key; so when the token has a kid and the
//     source is a [jwks.Refresher] (a *jwks.Cache is), a failure asks the
//     source once for the kid's current key — a *jwks.Cache refetches at
//     most once per UnknownKIDCooldown, a budget shared with unknown kids,
//     so forged signatures cannot cause more fetches than random kids —
//     and, if the kid now names another key, steps 9–10 run once more
//     under it. If ctx ends during that wait the result is unavailable.
//  11. Scopes: the per-call requirement: every scope in need.AllOf, and one
//     of need.AnyOf, or one starting with a need.AnyPrefix entry, when
//     either is not empty, else insufficient_scope with
//     Error.Required set for the scope= attribute. Scopes are the union of
//     "scope", "scp" and Config.ScopeClaims; every string is split on
//     spaces, so "a b" and ["a","b"] carry the same scopes (and a required
//     role with a space, valid for remote checkers that keep scopes whole,
//     never matches a JWT). Matching is exact, token by token: "admin"
//     never matches "superadmin", and a granted "sms.*" is just a name.
//
// [Claims.CheckNonce] compares an ID token's nonce with the one the client
// sent (invalid_nonce, or missing_claim when the token has none).
// [Claims.CheckCertBinding] compares a certificate-bound token's cnf
// x5t#S256 (RFC 8705 §3) with the request's TLS client certificate; the
// transports call it after the Checker accepts a token
// (invalid_cert_binding).
//
// Steps 4–8 run before the signature so that expired, foreign,
// misaddressed or wrong-kind tokens cost no key lookup and no RSA
// operation; their outcome is never "accepted" before step 10 passes, and the payload
// decoder is bounded by the size cap and fuzzed. It allocates nothing
// beyond the claims it returns unless a string has escapes (unescaped into
// a new string) or an object has more than 16 members (a map for the
// duplicate check): work and memory linear in the token's size.
//
// # JSON
//
// Header and payload are parsed by a small strict scanner, not
// encoding/json, which matches member names case-insensitively and keeps
// the last duplicate (threat model T7): here duplicate member names are
// refused in every object (compared after unescaping, so "\u0065xp" and
// "exp" collide), names are case-sensitive, strings must be valid UTF-8
// without lone surrogates or control characters, nesting is capped at 64
// and nothing may follow the object. A fuzz test holds the scanner to the
// verdicts of go-json-experiment/json/jsontext. [Claims.Decode] uses
// go-json-experiment/json (JSON v2 semantics: case-sensitive, duplicates
// refused).
//
// # Verified-token cache
//
// Clients reuse one access token until it expires, so by default a
// Verifier remembers the tokens it accepted (Config.TokenCache) and answers
// a repeat in a few hundred nanoseconds without an RSA operation. It is on
// by default because it cannot accept anything the full check would refuse:
//
//   - The key is the whole token string: an entry is found only by
//     full-string equality with a token that passed every check, so no
//     collision or truncated hash can admit a forged token.
//   - On every hit the time claims are checked again against Config.Now
//     (exp, nbf, iat, MaxTokenAge, MaxLifetime, with the same leeway): an
//     entry never outlives its token.
//   - On every hit the issuer's key source is asked again for the token's
//     kid and alg and must return the very *jwks.Key that verified it. A key
//     that left the set or changed (a kid republished with new material
//     gets a new *jwks.Key) drops the entry and the token is checked from
//     scratch; a source that can no longer vouch for its keys (stale
//     window passed, closed) answers unavailable, as it would without the
//     cache.
//   - Scope requirements are per call and evaluated on every hit.
//   - Only accepted tokens are cached (a token refused only for scope is
//     accepted: its scopes are re-evaluated per call); tokens longer than
//     TokenCache.MaxCachedTokenBytes (8 KiB) are never cached.
//   - It is bounded by TokenCache.MaxEntries (10 000) and MaxBytes (32 MiB,
//     token and payload bytes plus a fixed per-entry estimate). Nothing is
//     evicted before one of the bounds is reached; then SIEVE picks the
//     victim (a hand moves from older to newer entries, wrapping around, and
//     evicts the first one not hit since it last passed), which keeps the
//     tokens in use at least as well as LRU and lets one-off tokens go
//     first. Expired entries are removed when next seen.
//   - The cache keeps its own copy of each token, never the caller's
//     string, which is often a substring of a larger request string a
//     client can pad.
//   - Concurrent misses of the same new token are verified once: later
//     callers wait for the first one's result, or give up (unavailable)
//     when their own ctx ends first; a waiter whose ctx is still alive
//     retries alone if the first caller's ctx ended. No goroutine is
//     started (x/sync/singleflight's Do cannot abandon a wait and DoChan
//     starts a goroutine).
//
// The trade-off: the cached *Claims is shared between calls (it is
// immutable), and a token stays accepted while its key stays published
// and it is unexpired — exactly as without the cache. Per-token revocation
// is not possible with self-contained JWTs either way. Set
// TokenCache.Disable to verify every signature.
//
// Reads take no lock (atomic loads along a chain in a fixed table, and one
// atomic store the first time an entry is hit after the eviction hand
// passed it), so the hit path scales across cores, allocates nothing and
// costs the same whether one token or MaxEntries are cached. The table is
// allocated by New: 8 bytes per allowed entry rounded up to a power of two
// (128 KiB for the default 10 000); a cached token costs about its length
// plus its payload plus 512 bytes.
//
// # Design of the cold path
//
// RS* signatures are checked with [jwks.Key.VerifyPKCS1v15], whose modulus
// arithmetic jwks.NewKey prepared once per key; crypto/rsa redoes that on
// every call (BenchmarkColdVsFloor compares the two and a cold Verify). PS*
// signatures go straight to crypto/rsa: golang-jwt verifies PSS with
// PSSSaltLengthAuto, accepting any salt length, where RFC 7518 §3.5 fixes
// it to the hash length; and golang-jwt's SigningMethodRSA would copy the
// signing input and allocate a hasher per token (BenchmarkSignature), where
// the verifier hashes into pooled scratch memory. ECDSA and EdDSA use
// golang-jwt.
//
// Header and payload are decoded by the strict scanner in internal/jose,
// kept over go-json-experiment/json for its measured share of a whole cold
// verification (BenchmarkPayloadDecode, and internal/jose's
// BenchmarkColdShare). A cold Verify allocates two objects beyond the
// signature check's own (pinned by TestAllocs): one string holding the
// decoded header and payload, of which every claim string is a substring,
// and the Claims. Everything about a key is derived once when the key is
// parsed (jwks); per request the verifier only compares fields. The
// figures are in the bench module's RESULTS.md.
//
// # Security
//
// Checked: everything listed under "Order of checks": size, compact
// shape and strict base64url, strict JSON without duplicates, the alg
// allow-list (none and HS* impossible), crit/b64/enc/nested refusal, the
// key binding, the signature, exp (required), nbf, iat, max age, max
// lifetime (optional), iss (exact), aud (any-of), typ (optional), the token
// kind (access tokens by default: ID tokens are refused even without an
// audience check), scopes (exact), nonce (on request). A signature failure
// under a known kid refetches the issuer's keys within the unknown-kid
// budget (see step 10), never more often. Certificate binding (RFC 8705
// §3), through [Claims.CheckCertBinding]: cnf must be a JSON object and
// x5t#S256 a 43-character strict base64url string, both names exact (case
// variants and duplicates are malformed, never "unbound"), compared with
// SHA-256 of the client certificate in constant time.
//
// Not checked, or the caller's job: sub, jti and client_id are returned
// but not validated (no replay cache: a jti can be replayed until exp);
// tokens cannot be revoked before exp except by removing their key from
// the issuer's set; "at_hash", "c_hash" and "auth_time" only decide the
// token kind, and "azp", "acr" and "amr" are not interpreted (use
// [Claims.Decode]); cnf is only read by CheckCertBinding, which Verify
// does not call (it has no certificate), and DPoP (cnf jkt) is not
// checked; the kind rule cannot recognise an ID token that
// carries none of its markers (configure Audiences, or RequiredType
// "at+jwt" for issuers that type their access tokens); header jwk, jku, x5u
// and x5c are never followed or trusted; keys are only as good as the
// jwks.Source they come from (HTTPS, discovery issuer check, stale window
// — see package jwks; it refuses RSA keys with the ROCA fingerprint,
// CVE-2017-15361, when it parses them). The verifier trusts Config.Now: a
// wrong clock accepts expired tokens.
package verify
