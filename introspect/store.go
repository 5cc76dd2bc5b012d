package introspect

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/jwtguard/jwtguard/verify"
)

// Key names a token in a Store: SHA-256 over the Checker's hash key (bound
// to the settings that decide an answer, see CacheConfig.HashKey) and the
// token. The token itself is never stored, and without the hash key a Key
// cannot be tested against guessed tokens.
type Key [32]byte

// Entry is one cached remote result.
type Entry struct {
	// Claims are the accepted token's claims; nil for a refusal.
	Claims *verify.Claims
	// Reason and Detail describe a refusal (Claims nil).
	Reason verify.Reason
	Detail string
	// Expires is when the entry stops answering.
	Expires time.Time
	// Bytes approximates the entry's memory, for stores bounded in bytes.
	Bytes int
}

// Store holds remote results by Key. Implementations must be safe for
// concurrent use and must not block: Get is called on every request and,
// on a miss, with the Checker's lock held (a shared remote store belongs
// behind a local one). A Store may drop entries at any time; the Checker
// checks Expires itself. Entries returned by Get must not be modified.
type Store interface {
	Get(k Key) (Entry, bool)
	Set(k Key, e Entry)
}

// hashKeyed returns SHA-256(hashKey ‖ token), hashKey being 32 bytes,
// without allocating for tokens up to 512 bytes (opaque tokens are far
// shorter). The fixed-length secret prefix keeps Keys unguessable; length
// extension does not matter, since a Key is only compared, never checked
// as a MAC.
func hashKeyed(hashKey *[32]byte, token string) Key {
	var buf [32 + 512]byte
	if len(token) <= len(buf)-32 {
		copy(buf[:], hashKey[:])
		n := 32 + copy(buf[32:], token)
		return sha256.Sum256(buf[:n])
	}
	h := sha256.New()
	h.Write(hashKey[:])
	h.Write([]byte(token))
	var k Key
	h.Sum(k[:0])
	return k
}

// memoryStore is the built-in Store: a map under a read-write lock,
// bounded in entries and bytes, evicting the oldest insertion first.
type memoryStore struct {
	maxEntries int
	maxBytes   int64

	mu    sync.RWMutex
	m     map[Key]memEntry
	fifo  []fifoItem // insertion order; stale items are skipped
	bytes int64
	seq   uint64
}

type memEntry struct {
	Entry
	seq uint64
}

type fifoItem struct {
	k   Key
	seq uint64
}

func newMemoryStore(maxEntries int, maxBytes int64) *memoryStore {
	return &memoryStore{maxEntries: maxEntries, maxBytes: maxBytes, m: make(map[Key]memEntry)}
}

func (s *memoryStore) Get(k Key) (Entry, bool) {
	s.mu.RLock()
	e, ok := s.m[k]
	s.mu.RUnlock()
	return e.Entry, ok
}

func (s *memoryStore) Set(k Key, e Entry) {
	if int64(e.Bytes) > s.maxBytes {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[k]; ok {
		s.bytes -= int64(old.Bytes)
		delete(s.m, k)
	}
	for len(s.m) >= s.maxEntries || s.bytes+int64(e.Bytes) > s.maxBytes {
		if !s.evictOldestLocked() {
			return
		}
	}
	s.seq++
	s.m[k] = memEntry{e, s.seq}
	s.bytes += int64(e.Bytes)
	s.fifo = append(s.fifo, fifoItem{k, s.seq})
	if len(s.fifo) > 2*len(s.m)+64 { // compact: keep the current items
		live := s.fifo[:0]
		for _, it := range s.fifo {
			if s.current(it) {
				live = append(live, it)
			}
		}
		clear(s.fifo[len(live):])
		s.fifo = live
	}
}

func (s *memoryStore) current(it fifoItem) bool {
	e, ok := s.m[it.k]
	return ok && e.seq == it.seq
}

// evictOldestLocked removes the oldest present entry.
func (s *memoryStore) evictOldestLocked() bool {
	for len(s.fifo) > 0 {
		it := s.fifo[0]
		s.fifo = s.fifo[1:]
		if s.current(it) {
			s.bytes -= int64(s.m[it.k].Bytes)
			delete(s.m, it.k)
			return true
		}
	}
	return false
}

func (s *memoryStore) len() (int, int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m), s.bytes
}
