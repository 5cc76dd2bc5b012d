package jwks

import (
	"context"
	"errors"
)

// Refresher is implemented by a [Source] that can refetch its keys when a
// key it returned did not verify a signature: the issuer may have
// republished the kid with new material. [*Cache] implements it; a [*Set]
// is static and does not. The verifier type-asserts its Source to
// Refresher after a signature failure under a kid.
type Refresher interface {
	// RefreshKey is called after seen, returned by Key(ctx, kid, alg),
	// failed to verify a signature. It returns the key now published for
	// kid and alg: seen itself when nothing changed or no refetch is
	// allowed yet, another key when the kid was republished, or Key's
	// errors (for example ErrKeyNotFound when the kid left the set). It
	// must not fetch more often than the Source's unknown-kid limit
	// allows, since any client can forge a signature under a known kid.
	RefreshKey(ctx context.Context, kid, alg string, seen *Key) (*Key, error)
}

var _ Refresher = (*Cache)(nil)

// RefreshKey implements [Refresher]. If the current set already holds
// another key for kid (a refresh happened since seen was returned), it
// returns that key without fetching. Otherwise it waits for a fetch already
// in flight, then takes the unknown-kid cooldown exactly as an unknown kid
// would: at most one fetch per [Config.UnknownKIDCooldown] for unknown kids
// and signature failures together, so forged signatures under a known kid
// cannot make the Cache fetch more often than random kids can. Within the
// cooldown it returns seen at once (or what a fetch in flight brought). A
// kid-less lookup never fetches, nor does a pinned key, which no fetch can
// replace. ctx bounds only the wait for a fetch.
func (c *Cache) RefreshKey(ctx context.Context, kid, alg string, seen *Key) (*Key, error) {
	if c.pinned != nil && !c.closed.Load() {
		if k, err := c.pinned.lookup(kid, alg); err == nil && k == seen {
			return seen, nil // a pinned key never changes
		}
	}
	if k, err, done := c.changedKey(kid, alg, seen); done || kid == "" {
		return k, err
	}
	if f := c.inflight(); f != nil {
		if err := c.wait(ctx, f); err != nil && !errors.Is(err, ErrFetch) {
			return nil, err
		}
		if k, err, done := c.changedKey(kid, alg, seen); done {
			return k, err
		}
	}
	f, started := c.unknownFetch(TriggerSigFailure)
	keys := 0
	if s := c.snap.Load(); s != nil {
		keys = s.Len()
	}
	switch {
	case started:
		c.emit(Event{Kind: EventUnknownKIDFetch, Trigger: TriggerSigFailure, KID: truncKID(kid), Keys: keys})
	case f == nil:
		if !c.closed.Load() {
			c.emit(Event{Kind: EventUnknownKIDSuppressed, Trigger: TriggerSigFailure, KID: truncKID(kid),
				Reason: "cooldown", Keys: keys})
		}
		k, err, _ := c.changedKey(kid, alg, seen)
		return k, err
	}
	// Our fetch, or the one the cooldown's taker registered.
	if err := c.wait(ctx, f); err != nil && !errors.Is(err, ErrFetch) {
		return nil, err
	}
	k, err, _ := c.changedKey(kid, alg, seen)
	return k, err
}

// changedKey looks kid up in the current set. done is true when the answer
// is final: another key than seen, or an error (closed, past the stale
// window, kid gone or no longer fitting alg). Otherwise it returns seen.
func (c *Cache) changedKey(kid, alg string, seen *Key) (*Key, error, bool) {
	if c.closed.Load() {
		return nil, ErrClosed, true
	}
	if c.pastStale() {
		return nil, c.unavailable(), true
	}
	s := c.snap.Load()
	if s == nil {
		return seen, nil, false
	}
	k, err := s.lookup(kid, alg)
	if err != nil {
		return nil, err, true
	}
	return k, nil, k != seen
}
