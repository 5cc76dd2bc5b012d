// Package claimsctx holds the context key under which verify.NewContext
// stores verified claims, and a context node that answers both that key
// and a second one with the same claims. httpmw stores the claims its
// Checker verified with one such node instead of two context.WithValue
// calls: one allocation per request instead of two, and one node less for
// every later Value lookup to walk.
package claimsctx

import "context"

// Key is the context key of the claims verify.FromContext returns.
type Key struct{}

// marked answers Value(Key{}) and Value(mark) with claims.
type marked struct {
	context.Context
	claims any
	mark   any
}

// WithMark returns a child of parent whose Value returns claims for Key{}
// and for mark, and defers to parent for any other key. mark must be a
// non-nil comparable value of a type only its owner uses, like a key for
// context.WithValue.
func WithMark(parent context.Context, claims, mark any) context.Context {
	return &marked{Context: parent, claims: claims, mark: mark}
}

func (c *marked) Value(key any) any {
	if key == (Key{}) || key == c.mark {
		return c.claims
	}
	return c.Context.Value(key)
}
