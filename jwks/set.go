package jwks

import (
	"context"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// Set is an immutable snapshot of verification keys. It implements
// [Source] as a static key source for tests and offline use, and it is
// what a [Cache] swaps atomically on every refresh. A Set is safe for
// concurrent use.
type Set struct {
	keys  []*Key          // in document order
	byKID map[string]*Key // keys with a non-empty kid
	// noKID holds, for each JWS alg, the only key that fits it, or nil
	// when zero or several keys fit; fitCount says how many did.
	noKID    map[string]*Key
	fitCount map[string]int
}

// NewSet builds a Set from keys. Two keys with the same non-empty kid are
// an error wrapping [ErrInvalidKey]; nil keys are an error too. Keys
// without a kid are allowed; they are found only by lookups without kid.
func NewSet(keys ...*Key) (*Set, error) {
	s := &Set{
		keys:     make([]*Key, 0, len(keys)),
		byKID:    make(map[string]*Key, len(keys)),
		noKID:    make(map[string]*Key, len(jwsAlgs)),
		fitCount: make(map[string]int, len(jwsAlgs)),
	}
	for i, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("%w: key %d is nil", ErrInvalidKey, i)
		}
		if k.kid != "" {
			if _, dup := s.byKID[k.kid]; dup {
				return nil, fmt.Errorf("%w: duplicate kid %q", ErrInvalidKey, k.kid)
			}
			s.byKID[k.kid] = k
		}
		s.keys = append(s.keys, k)
	}
	// k.fits lists the algs k fits, so no Fits error is built (and thrown
	// away) for the algs it does not.
	for _, k := range s.keys {
		for _, alg := range k.fits {
			s.fitCount[alg]++
			s.noKID[alg] = k
		}
	}
	for alg, n := range s.fitCount {
		if n != 1 {
			s.noKID[alg] = nil
		}
	}
	return s, nil
}

// Len returns the number of keys.
func (s *Set) Len() int { return len(s.keys) }

// Keys returns a copy of the keys in their original order.
func (s *Set) Keys() []*Key { return append([]*Key(nil), s.keys...) }

// Key implements [Source]. ctx is ignored: a Set never blocks.
// A hit costs one map read and no allocation.
func (s *Set) Key(_ context.Context, kid, alg string) (*Key, error) {
	return s.lookup(kid, alg)
}

func (s *Set) lookup(kid, alg string) (*Key, error) {
	if kid == "" {
		if k := s.noKID[alg]; k != nil {
			return k, nil
		}
		return nil, fmt.Errorf("%w: token has no kid and %d keys fit alg %q", ErrKeyNotFound, s.fitCount[alg], alg)
	}
	k, ok := s.byKID[kid]
	if !ok {
		return nil, &notFoundError{kid: kid, alg: alg}
	}
	if err := k.Fits(alg); err != nil {
		return nil, err
	}
	return k, nil
}

// notFoundError is ErrKeyNotFound with the kid; the message is built lazily.
type notFoundError struct{ kid, alg string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("%s: kid %q (alg %q)", ErrKeyNotFound.Error(), truncKID(e.kid), e.alg)
}
func (e *notFoundError) Unwrap() error { return ErrKeyNotFound }

// truncKID keeps attacker-controlled kids from bloating logs.
func truncKID(kid string) string { return jose.Truncate(kid, 128) }
