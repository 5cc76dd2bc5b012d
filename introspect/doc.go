// Package introspect checks opaque OAuth 2.0 access tokens with the
// provider that issued them: an RFC 7662 introspection endpoint, or, where
// there is none, a userinfo endpoint (or any protected resource) called
// with the token itself. Ory Hydra (id.wgtwo.com) issues opaque HMAC access
// tokens by default; only its ID tokens are JWTs. Net2Phone Canada's tokens
// are 32 hexadecimal digits.
//
// A [Checker] implements verify.Checker, so httpmw and grpcmw take it as
// Config.Checker. [Route] combines it with a verify.Verifier so that one
// middleware accepts JWTs and opaque tokens:
//
//	remote, err := introspect.New(introspect.HydraIntrospection(
//		"https://hydra-admin.internal:4445/admin/oauth2/introspect", "https://id.wgtwo.com/"))
//	defer remote.Close()
//	mw, err := httpmw.New(httpmw.Config{Checker: introspect.Route(jwtVerifier, remote)})
//
// The profiles [WgtwoUserinfo], [HydraIntrospection], [Sangoma] and
// [Net2Phone] are ordinary Configs; their comments list their assumptions.
//
// # What is checked
//
// An introspection answer must be one JSON object decoded exactly (member
// names case-sensitive, duplicates refused, body at most 64 KiB) with
// "active" the JSON literal true; false is [verify.ReasonInactive]
// (401 invalid_token), whatever else the answer holds. In an active answer
// every member read has its RFC 7662 type (null is not a string). exp, nbf and iat are checked against the clock with
// Config.Leeway as the JWT verifier checks them (exp may be absent);
// "iss" must equal Config.Issuer when both are set; "aud" must hold one of
// Config.Audiences unless InsecureSkipAudienceCheck; a Hydra "token_use" other
// than access_token (a refresh token) is invalid_type. "scope" is split on
// spaces, or kept whole with Config.WholeScope for role names such as
// "Office Manager". sub, client_id, jti and token_type (as Claims.Type)
// are copied into the Claims. Scope requirements are checked by
// verify.ScopeRule.Check,
// as for JWTs; prefixes ([verify.ScopeRule.AnyPrefix]) name families such as
// "cx.". Unknown members are kept for Claims.Decode.
//
// A userinfo answer accepts the token with 2xx and a JSON object holding a
// string "sub", refuses it with 401 or 403 (inactive), and is unavailable
// otherwise. It grants no scopes.
//
// Anything that is not an answer about the token — a transport error, a
// timeout, a redirect, another status (an introspection 401 refuses the
// checker's own credentials), an oversized or malformed body — is
// [verify.ReasonUnavailable]: 503 or codes.Unavailable, never a 401 that
// would make a client discard a good token.
//
// # Cache and load
//
// Answers are cached under a keyed SHA-256 of the token: an accepted token
// until min(exp, Cache.MaxTTL), 5 minutes by default (exp+Leeway when the
// provider calls it active after its exp, accepted only within the
// leeway); a refusal for
// Cache.NegativeTTL, 10 s by default; an unavailable answer never. exp and
// nbf are checked again on every hit and scopes per call. Concurrent
// requests with one token share one remote call, which runs on a goroutine
// the Checker owns (Close cancels and waits for it); a request whose ctx
// ends leaves without cancelling it for the others. Cache.Store replaces
// the built-in store, bounded to 10 000 entries and 32 MiB, e.g. with a
// shared one.
//
// Each replica caches on its own: N replicas make up to N remote calls per
// token per MaxTTL, and up to N×MissRate calls per second under a storm of
// new tokens. A shared Store (with the same Cache.HashKey and settings
// everywhere: see CacheConfig.HashKey) brings the first figure back to
// about one.
//
// # Security
//
// Amplification: every remote call is driven by a request, so each is
// bounded. A token of the wrong shape (Config.TokenShape: HydraToken,
// Hex32Token) or size is refused before any network call; identical tokens
// are coalesced and cached; at most Config.MaxInFlight calls run at once,
// and cache misses may start at most Config.MissRate calls per second
// (burst Config.MissBurst). A miss over either bound is answered at once
// with ReasonUnavailable: the client retries later and no good token is
// ever refused for it, while a storm of random tokens costs the provider at
// most MissRate calls per second per replica.
//
// Cache poisoning: a Key is a 256-bit hash of a per-Checker secret and the
// whole token, so no token can be made to collide with another's entry
// (with a shared HashKey, the secret also binds the settings that decide
// an answer, so differently configured Checkers never share entries);
// only well-formed answers are stored, and outages are never cached, so a
// failure cannot pin a refusal, and a refusal is remembered only briefly.
//
// Token leakage: the token is sent only to Config.URL, over https unless
// InsecureAllowHTTP names a loopback host; redirects are never followed;
// the token is neither logged nor stored (errors carry no token, the cache
// holds its hash). The introspection endpoint, and with Userinfo the
// provider, necessarily see every token presented; point Config.URL only
// at the issuer. Client credentials go only to the same URL.
//
// Revocation: a revoked token is accepted until its cache entry expires,
// at most Cache.MaxTTL after it was first checked.
package introspect
