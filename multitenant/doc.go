// Package multitenant accepts tokens from issuers that cannot all be listed
// up front: one issuer per tenant on a shared host, as multi-tenant
// identity providers ("https://login.example.com/{tenant}/v2.0") and
// Keycloak realms ("https://kc.example.com/realms/{tenant}") have.
//
// A [Resolver] is a [verify.Resolver]: the Verifier asks it for the keys
// of any issuer that is not one of its fixed Config.Issuers, once the
// token's shape, algorithm, time, audience and kind checks have passed.
//
//	r, err := multitenant.New(multitenant.Config{
//		Patterns: []string{"https://kc.example.com/realms/{tenant}"},
//	})
//	defer r.Close()
//	v, err := verify.New(verify.Config{Resolver: r, Audiences: []string{"https://api.example.com/"}})
//
// An issuer that matches a pattern gets its own [jwks.Cache] on first use,
// set up by OpenID Connect discovery from the issuer itself (the discovery
// document's issuer must equal it exactly), so one tenant's keys never
// verify another tenant's tokens. The Resolver owns these caches: it
// closes the least recently used beyond Config.MaxIssuers, and
// [Resolver.Close] closes all of them and waits for their goroutines.
//
// # Answers
//
//	iss matches no pattern                 ErrNoMatch      invalid_issuer (401), no fetch
//	iss held                               its cache       no fetch
//	iss new, budget left                   setup           one discovery + one JWKS fetch, shared by concurrent callers
//	iss new, budget spent                  ErrTooManyNew   unavailable (503)
//	setup failed within the last minute    the same error  unavailable (503), no fetch
//
// A new issuer that fails its setup (unknown tenant, issuer down) is
// answered unavailable rather than invalid_issuer: the Resolver cannot
// tell a tenant that does not exist from one that is down, and fails
// closed either way.
//
// # Security
//
// Checked: patterns are parsed once at New, with no regular expressions:
// scheme and host are fixed, the placeholder is exactly one path segment,
// and a tenant is 1 to 64 bytes of [A-Za-z0-9._-] other than "." and "..",
// so no issuer can reach another host, another path depth, an escaped
// slash or a dot segment. The unverified iss is matched before anything
// else; an issuer that does not match costs a few string comparisons and
// never a fetch. Every fetch goes through a jwks.Cache built from
// Config.Keys, with its rules (https unless InsecureAllowHTTP, same-host
// redirects, timeouts, body caps, exact discovery issuer, unknown-kid
// cooldown).
//
// Bounded: a storm of tokens naming random matching tenants sets up at
// most NewIssuersPerMinute issuers per minute (bursts of that many) and
// then fails at once, so it costs the identity provider at most that many
// discovery and key fetches per minute, plus each held cache's own
// bounded refreshes; at most MaxIssuers caches (and their goroutines) and
// MaxIssuers remembered failures exist at once. Issuers already held keep
// working during such a storm, but a tenant seen for the first time then
// gets 503 until the budget refills.
//
// Not checked: whether a tenant exists or is allowed to call this service.
// Any tenant of a matching issuer whose token carries an accepted audience
// is accepted: check the tenant (the iss, or a tenant-id claim) in the
// handler when only some tenants may call. An attacker who can create
// tenants at the provider can evict held caches at NewIssuersPerMinute;
// size MaxIssuers above the number of active tenants. A request that
// holds a cache while it is evicted is answered unavailable once; the
// Verifier's token cache re-resolves its entries.
package multitenant
