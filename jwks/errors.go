package jwks

import "errors"

// Sentinel errors, one per failure kind. Errors from lookups, fetches and
// key parsing wrap exactly one of them, so callers branch with errors.Is.
// The exceptions: a lookup or Refresh whose ctx ends while it waits for a
// fetch returns an error wrapping ctx.Err(), and New reports an invalid
// Config with a plain error.
var (
	// ErrKeyNotFound: no key in the current set has the requested kid (or,
	// for a token without kid, no single key fits the algorithm).
	ErrKeyNotFound = errors.New("jwks: key not found")
	// ErrKeyMismatch: a key with the requested kid exists but its kty, alg
	// or use does not fit the token's algorithm.
	ErrKeyMismatch = errors.New("jwks: key does not fit algorithm")
	// ErrUnavailable: the source cannot vouch for its keys: never loaded,
	// or refreshes have failed for longer than the stale window.
	ErrUnavailable = errors.New("jwks: keys unavailable")
	// ErrClosed: the cache was closed.
	ErrClosed = errors.New("jwks: cache closed")
	// ErrInvalidKey: a JWK was refused (unsupported kty, weak or malformed
	// key, wrong use, private material, duplicate kid).
	ErrInvalidKey = errors.New("jwks: invalid key")
	// ErrFetch: fetching or decoding the JWKS or discovery document failed.
	ErrFetch = errors.New("jwks: fetch failed")
	// ErrPersist: reading or writing Config.PersistPath failed, or its
	// file was refused. It reaches only [Config.OnEvent], never Key.
	ErrPersist = errors.New("jwks: persisted key set")
)
