package introspect

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/verify"
)

func key(i int) Key {
	var hk [32]byte
	return hashKeyed(&hk, strings.Repeat("t", i+1))
}

func TestMemoryStoreBounds(t *testing.T) {
	tests := []struct {
		name       string
		maxEntries int
		maxBytes   int64
		sizes      []int
		wantLen    int
		wantFirst  bool // whether the first key survives
	}{
		{name: "entries", maxEntries: 3, maxBytes: 1 << 20, sizes: []int{10, 10, 10, 10, 10}, wantLen: 3},
		{name: "bytes", maxEntries: 100, maxBytes: 100, sizes: []int{40, 40, 40}, wantLen: 2},
		{name: "entry over the byte bound is not stored", maxEntries: 100, maxBytes: 100, sizes: []int{10, 101}, wantLen: 1, wantFirst: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newMemoryStore(tt.maxEntries, tt.maxBytes)
			for i, n := range tt.sizes {
				s.Set(key(i), Entry{Reason: verify.ReasonInactive, Bytes: n})
			}
			n, b := s.len()
			if n != tt.wantLen || b > tt.maxBytes {
				t.Fatalf("len = %d, %d bytes; want %d entries within %d bytes", n, b, tt.wantLen, tt.maxBytes)
			}
			if _, ok := s.Get(key(0)); ok != tt.wantFirst {
				t.Fatalf("first key present = %v, want %v", ok, tt.wantFirst)
			}
		})
	}
}

// TestMemoryStoreReplace checks that replacing a key neither double-counts
// it nor lets its stale FIFO position evict the new value first.
func TestMemoryStoreReplace(t *testing.T) {
	s := newMemoryStore(2, 1<<20)
	s.Set(key(0), Entry{Detail: "old", Bytes: 10})
	s.Set(key(1), Entry{Bytes: 10})
	s.Set(key(0), Entry{Detail: "new", Bytes: 10}) // now the newest
	s.Set(key(2), Entry{Bytes: 10})                // evicts key(1), the oldest
	if e, ok := s.Get(key(0)); !ok || e.Detail != "new" {
		t.Fatalf("key 0 = %+v, %v", e, ok)
	}
	if _, ok := s.Get(key(1)); ok {
		t.Fatal("key 1 survived")
	}
	if n, b := s.len(); n != 2 || b != 20 {
		t.Fatalf("len = %d, %d", n, b)
	}
	for i := range 1000 { // churn: the FIFO stays compact
		s.Set(key(i%3), Entry{Expires: time.Unix(int64(i), 0), Bytes: 10})
	}
	if len(s.fifo) > 2*2+64 {
		t.Fatalf("fifo holds %d items for 2 entries", len(s.fifo))
	}
}

func TestHashKeyed(t *testing.T) {
	var k1, k2 [32]byte
	k2[0] = 1
	long := strings.Repeat("a", 600) // past the stack buffer
	for _, tok := range []string{"", hydraFixture, long} {
		if hashKeyed(&k1, tok) == hashKeyed(&k2, tok) {
			t.Fatalf("hash keys do not separate %q", tok)
		}
		if a, b := hashKeyed(&k1, tok), hashKeyed(&k1, tok); a != b {
			t.Fatal("not deterministic")
		}
	}
	if hashKeyed(&k1, long) == hashKeyed(&k1, long+"a") {
		t.Fatal("long tokens collide")
	}
}

const hydraFixture = "ih_iwZar30-sjSJiJkBRsNePNZ_MGjhmhgAwMg6tLr0.YzzYG3UIUOb9W8XFZkUQ1S0OuIJE5mvmSGsO1cBx_RE"

func BenchmarkHashKeyed(b *testing.B) {
	var k [32]byte
	b.ReportAllocs()
	for b.Loop() {
		hashKeyed(&k, hydraFixture)
	}
}
