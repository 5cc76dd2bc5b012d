// Package jwks holds the public keys an OAuth 2.0 / OpenID Connect issuer
// signs tokens with, and keeps them fresh.
//
// A [Key] is one validated public key (RSA, EC P-256/384/521 or Ed25519)
// with its kid, alg, kty and use, so a verifier can bind a token's alg to the
// key ([Key.Fits]). A [Set] is an immutable snapshot of keys and a static
// [Source] for tests and offline use; [NewSet] builds one from keys in
// memory and [ParseSet] from a JWK Set document, key by key. A [Cache] is a
// [Source] that fetches an issuer's JWK Set (from a URL, or discovered from
// the issuer's OpenID configuration), refreshes it in the background and
// survives unannounced key rotation and issuer outages. The subpackage
// golangjwt adapts any Source for github.com/golang-jwt/jwt/v5.
//
// # Cache behaviour
//
// Lookups read an atomically swapped snapshot: a hit takes no lock and
// allocates nothing. Each refresh replaces the whole set, so a key the
// issuer removed stops verifying after the next refresh; a key whose kid,
// kty, alg, use, key_ops and public material did not change keeps its *Key
// pointer and is not built again.
//
// Refreshes happen on a timer (Cache-Control max-age or Expires, else
// RefreshInterval, clamped and jittered), on an unknown kid or, through
// [Cache.RefreshKey], a signature failure under a known kid (the issuer may
// have republished it with a new key) — at most once per
// UnknownKIDCooldown for both together; requests never wait on a limiter —
// as retries with exponential backoff after a failure, and on
// [Cache.Refresh]. All of them
// run on the Cache's single goroutine, so concurrent triggers share one
// fetch. A request waits for a fetch only until its own ctx ends.
//
// Defaults (see [Config] for the reasoning):
//
//	HTTP client timeout        10 s, same-host redirects only, no cookies
//	MaxBodyBytes               1 MiB
//	RefreshInterval            15 min (no usable max-age/Expires)
//	Min/MaxRefreshInterval     1 min / 1 h
//	UnknownKIDCooldown         15 s; negative cache 1024 kids for 1 min
//	Retry backoff              1 s doubling to 1 min, ±10 % jitter
//	StaleWindow                6 h, then Key fails with ErrUnavailable
//	Start-up                   New fetches first and fails if it cannot (LazyStart opts out)
//	PersistPath / Pinned       off / none
//
// # Restarts and pinned keys
//
// With [Config.PersistPath], the Cache writes each new document (and, to
// renew its fetch time, an unchanged one at most every 5 min) to a file.
// When the first fetch of a later Cache fails, it serves the file's keys
// until StaleWindow after the file's fetch time, so a replica restarted
// during an issuer outage verifies what its siblings still verify, and no
// longer. [Config.Pinned] keys are served beside the fetched ones at all
// times.
//
// # Security
//
// Checked:
//   - Keys: only RSA (2048–8192 bits, odd modulus, odd e with
//     65537 <= e < 2^31, no ROCA fingerprint (CVE-2017-15361), checked once
//     per key, when its modulus arithmetic for [Key.VerifyPKCS1v15] is
//     also prepared), EC on P-256/P-384/P-521 with the point on the curve,
//     and Ed25519 are accepted. Symmetric ("oct") keys and anything carrying private
//     material are never imported. A JWK "use" must be "sig" (or absent),
//     "key_ops" must include "verify" (or be absent), "alg" must be a JWS
//     algorithm for the key type. Keys sharing a kid are all dropped.
//   - Parsing: the JWK Set and every JWK are read exactly: member names are
//     case-sensitive ("USE" is not "use"), a JWK with a member named twice
//     (also after unescaping) is skipped, and a document with a top-level
//     member named twice ("keys" twice), invalid UTF-8 or data after its
//     object is refused whole. Key material (RSA n and e, EC x and y,
//     Ed25519 x) must be strict base64url (no padding, no standard
//     alphabet, no line breaks, no non-zero trailing bits), RSA integers
//     without a leading zero octet, EC coordinates and Ed25519 keys exactly
//     the curve's size; jwx then builds the key, which must equal what the
//     members state.
//   - Binding: [Key.Fits] requires the token alg to match the key type and
//     curve, and the JWK's alg when stated, so HS256-with-an-RSA-key and
//     similar confusions fail with [ErrKeyMismatch].
//   - Transport: https is required for the URL, the issuer, the
//     discovered jwks_uri and every request and redirect actually sent
//     unless InsecureAllowHTTP is set; redirects stay on the same host, at
//     most 5; requests time out after 10 s. These hold for a
//     caller-supplied HTTPClient too (the Cache uses a copy that enforces
//     them before the client's own policy). A private CA is trusted with
//     Config.RootCAs or Config.TLSConfig without losing any of this. The
//     discovery document is decoded exactly (case-sensitive names,
//     duplicates refused) and its issuer must equal Config.Issuer exactly;
//     bodies are capped; non-200 responses are rejected (304 only in
//     answer to If-None-Match).
//   - Availability: unknown kids and forged signatures under known kids
//     cannot make the Cache fetch more than once per cooldown; stale keys
//     are served for at most StaleWindow.
//   - Persisted keys: a PersistPath file is written atomically (temporary
//     file in the same directory, synced, renamed) with mode 0600, and
//     trusted only when the first fetch fails and it names the same URL or
//     Issuer, was fetched less than StaleWindow ago (and not in the
//     future), fits MaxBodyBytes, is a regular file not writable by group
//     or others, and its header and document parse exactly ([ParseSet]).
//     Anything else is ignored with [EventPersistLoadFailed]; a restart
//     never extends the stale window.
//   - Pinned keys win over fetched keys with their kid (the fetched key is
//     reported as skipped), so the issuer cannot replace them; nor can it
//     revoke them.
//
// Not checked (the caller's or the verifier's job): token signatures
// (Key.VerifyPKCS1v15 checks one when asked, RFC 8017 §8.2.2 exactly),
// claims and the token's alg allow-list; x5c/x5u certificate chains (ignored,
// there is no trust store); kid length or content (kids are opaque map keys);
// the TLS settings and proxy of a caller-supplied HTTPClient's transport
// (used as given). The issuer itself is trusted: whoever controls its JWKS
// endpoint or TLS certificate controls which tokens verify. So is whoever
// can write PersistPath (during outages after a restart) or Config.Pinned.
package jwks
