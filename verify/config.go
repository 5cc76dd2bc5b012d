package verify

import (
	"context"
	"time"

	"github.com/jwtguard/jwtguard/jwks"
)

// Issuer is one accepted issuer and the source of its signing keys.
type Issuer struct {
	// Name is the exact "iss" value, compared byte for byte (RFC 7519
	// §7.3): "https://id.wgtwo.com/" and "https://id.wgtwo.com" are
	// different issuers. Hydra v1 (id.wgtwo.com) always adds the slash.
	Name string
	// Keys verifies this issuer's tokens: a *jwks.Cache or a *jwks.Set.
	Keys jwks.Source
}

// Resolver finds the key source of an issuer that is not one of
// Config.Issuers, for issuers that cannot all be listed up front (one per
// tenant or realm). The multitenant package provides one.
type Resolver interface {
	// Resolve returns the key source for the unverified iss. An error
	// wrapping ErrInvalidIssuer refuses the token as invalid_issuer; any
	// other error refuses it as unavailable. It must be safe for
	// concurrent use and must not fetch anything for an issuer it does
	// not accept.
	Resolve(ctx context.Context, iss string) (jwks.Source, error)
}

// Decision is passed to Config.OnDecision after every Verify call.
type Decision struct {
	// Reason is "" when the token was accepted.
	Reason  Reason
	Issuer  string // unverified iss, when the token got that far
	KID     string // kid from the header, when the token got that far
	Latency time.Duration
	// Cached is true when the verified-token cache answered.
	Cached bool
	// Err is the refusal (an *Error), nil on success.
	Err error
}

// Config configures a Verifier. The zero value is not usable: Issuers is
// required, and audiences must be given or skipped explicitly. Every other
// zero field means the documented secure default.
type Config struct {
	// Issuers lists the accepted issuers. The token's unverified "iss"
	// selects one; a token from any other issuer is refused
	// (invalid_issuer) before any key lookup or network fetch, unless
	// Resolver accepts it. Required unless Resolver is set.
	Issuers []Issuer

	// Resolver, if set, is asked for the keys of a token whose "iss" is
	// none of Issuers' names, once its time, audience and kind checks
	// have passed; it decides whether that issuer is accepted (see
	// [Resolver]). nil accepts only Issuers. It cannot be combined
	// with InsecureSkipIssuerCheck. The Verifier does not close it.
	Resolver Resolver

	// InsecureSkipIssuerCheck accepts any "iss". Issuers must then hold
	// exactly one entry, whose Keys verify every token and whose Name is
	// ignored. Only for tests or single-tenant setups where the key source
	// alone identifies the issuer.
	InsecureSkipIssuerCheck bool

	// Audiences lists the accepted "aud" values; the token must carry at
	// least one of them (any-of). Required unless InsecureSkipAudienceCheck.
	Audiences []string

	// InsecureSkipAudienceCheck accepts tokens whatever their "aud": a
	// token minted for any other service of the same issuer is then
	// accepted too. Hydra issues access tokens with "aud": [] unless the
	// client requested an audience, so some deployments need this; say so
	// explicitly, and prefer requiring scopes that only this service's
	// clients are granted.
	InsecureSkipAudienceCheck bool

	// Algorithms lists the accepted JWS "alg" values, case-sensitive.
	// Zero means ["RS256"]. Supported: RS256, RS384, RS512, PS256, PS384,
	// PS512, ES256, ES384, ES512, EdDSA. "none" and HS* are never accepted.
	Algorithms []string

	// Leeway is the clock skew tolerated on exp, nbf and iat. Zero means
	// none; values over 5 minutes are refused by New.
	Leeway time.Duration

	// MaxTokenAge, when positive, refuses tokens whose "iat" is older than
	// this, plus Leeway (expired), and then requires "iat". It bounds how
	// long after issue any token is accepted, whatever its exp.
	MaxTokenAge time.Duration

	// MaxLifetime, when positive, refuses tokens whose issuer-stated
	// lifetime, exp − iat, exceeds it (lifetime_too_long), and then
	// requires "iat". Both times come from the token, so Leeway does not
	// apply. It keeps out tokens minted to live far longer than the
	// issuer's policy (Hydra issues one-hour tokens), as a stolen signing
	// key or a misconfigured client would produce; MaxTokenAge instead
	// measures age against this server's clock.
	MaxLifetime time.Duration

	// Kind is the kind of token this Verifier accepts. The zero value,
	// TokenKindAccess, is right for a resource server: tokens carrying
	// OpenID Connect ID-token claims are refused (wrong_token_kind), see
	// [TokenKind]. TokenKindID verifies ID tokens instead and requires
	// Audiences (the client ids).
	Kind TokenKind

	// RequiredType, when set, requires the JOSE header "typ" to equal it,
	// compared case-insensitively with an optional "application/" prefix
	// (RFC 7515 §4.1.9), e.g. "at+jwt" for RFC 9068 access tokens. Empty
	// accepts any typ, including Hydra's "JWT" and none.
	RequiredType string

	// ScopeClaims lists extra claim names read as scopes in addition to
	// "scope" (space-separated string) and "scp" (array or string), e.g.
	// "permissions". Each may be a string or an array of strings.
	ScopeClaims []string

	// MaxTokenBytes caps the compact token's length before any work.
	// Zero means 16 KiB.
	MaxTokenBytes int

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// OnDecision, if set, is called synchronously after every Verify with
	// the outcome. It must be fast and safe for concurrent use.
	OnDecision func(Decision)

	// TokenCache configures the verified-token cache.
	TokenCache TokenCacheConfig
}

// TokenCacheConfig configures the cache of verified tokens. The zero value
// enables it with the defaults below.
type TokenCacheConfig struct {
	// Disable turns the cache off: every Verify checks the signature.
	Disable bool
	// MaxEntries bounds the number of cached tokens. Zero means 10000.
	MaxEntries int
	// MaxBytes bounds the memory the cached tokens and claims use,
	// approximately. Zero means 32 MiB.
	MaxBytes int64
	// MaxCachedTokenBytes: longer tokens are verified but never cached.
	// Zero means 8 KiB. (Config.MaxTokenBytes instead refuses longer
	// tokens outright.)
	MaxCachedTokenBytes int
}
