package dpop

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultMaxReplayEntries bounds the MemoryStore a zero Config creates:
// 65536 proofs accepted within one MaxAge, about 8 MiB with the Verifier's
// 43-byte ids.
const DefaultMaxReplayEntries = 1 << 16

// ReplayStore remembers the proofs a Verifier accepted, so that each is
// accepted once (RFC 9449 §11.1). A store shared by several servers
// (a database, Redis SET NX with an expiry) implements it to stop a proof
// replayed at another instance.
type ReplayStore interface {
	// Claim records id until the time until and reports true, or reports
	// false when id is already recorded and until has not passed for it.
	// id is at most 64 bytes of base64url. An error (a full or unreachable
	// store) refuses the proof as the server's fault (503): a store that
	// cannot remember must not accept.
	Claim(ctx context.Context, id string, until time.Time) (bool, error)
}

// MemoryStore is an in-process ReplayStore of bounded size. Expired
// entries are dropped as new ones arrive; it owns no goroutine. When it
// holds max unexpired entries it refuses new proofs (fails closed) rather
// than forgetting one that could then be replayed. Only proofs whose
// signature, claims and token binding were verified reach the store, so
// filling it takes max valid proofs within one MaxAge.
type MemoryStore struct {
	max int
	now func() time.Time

	mu   sync.Mutex
	seen map[string]struct{}
	exp  expiryHeap // the entries of seen, soonest expiry first
}

// ErrStoreFull is returned by MemoryStore.Claim when the store holds its
// maximum number of unexpired entries.
var ErrStoreFull = errors.New("dpop: replay store full")

// NewMemoryStore returns a MemoryStore holding at most max entries (max
// below 1 means DefaultMaxReplayEntries), with the clock now (nil means
// time.Now).
func NewMemoryStore(max int, now func() time.Time) *MemoryStore {
	if max < 1 {
		max = DefaultMaxReplayEntries
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{max: max, now: now, seen: make(map[string]struct{})}
}

// Claim implements ReplayStore.
func (s *MemoryStore) Claim(_ context.Context, id string, until time.Time) (bool, error) {
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.exp) > 0 && s.exp[0].until <= now {
		e := heap.Pop(&s.exp).(entry)
		delete(s.seen, e.id) // an id is never recorded twice at once
	}
	if _, ok := s.seen[id]; ok { // expired entries were just dropped
		return false, nil
	}
	if len(s.seen) >= s.max {
		return false, ErrStoreFull
	}
	s.seen[id] = struct{}{}
	heap.Push(&s.exp, entry{id: id, until: until.UnixNano()})
	return true, nil
}

// Len returns the number of entries held, expired ones not yet dropped
// included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

type entry struct {
	id    string
	until int64 // Unix nanoseconds
}

// expiryHeap orders entries by expiry, soonest first.
type expiryHeap []entry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until < h[j].until }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
