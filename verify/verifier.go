package verify

import (
	"context"
	"errors"
)

// CONTRACT STUB — the verify implementer replaces the bodies; the
// signatures below are the API the other packages code against.

// Verifier checks bearer tokens. It is safe for concurrent use and owns no
// goroutines; the key sources it was given are closed by their owner.
type Verifier struct {
	cfg Config
}

// New validates cfg and returns a Verifier.
func New(cfg Config) (*Verifier, error) {
	return nil, errors.New("verify: not implemented")
}

// Verify checks token (the compact JWS, without "Bearer ") and, when it is
// valid, the scope requirement need. It returns the claims or an *Error.
// ctx bounds only the wait for a key fetch already in flight; Verify never
// waits on a rate limiter.
func (v *Verifier) Verify(ctx context.Context, token string, need Scopes) (*Claims, error) {
	return nil, errors.New("verify: not implemented")
}

// Decode unmarshals the full verified payload into dst (any JSON target).
func (c *Claims) Decode(dst any) error {
	return errors.New("verify: not implemented")
}

// Check reports whether scopes satisfy s; on failure it returns an *Error
// with ReasonInsufficientScope and Required set to s.
func (s Scopes) Check(scopes []string) error {
	return errors.New("verify: not implemented")
}

// String renders the requirement for RFC 6750's scope= attribute: the
// AllOf scopes then the AnyOf scopes, space-separated.
func (s Scopes) String() string { return "" }
