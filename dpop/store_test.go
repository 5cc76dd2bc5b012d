package dpop_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/verify"
)

func TestMemoryStore(t *testing.T) {
	clk := newClock()
	s := dpop.NewMemoryStore(3, clk.Now)
	claim := func(id string, ttl time.Duration) (bool, error) {
		return s.Claim(t.Context(), id, clk.Now().Add(ttl))
	}
	steps := []struct {
		name    string
		advance time.Duration
		id      string
		ttl     time.Duration
		want    bool
		wantErr error
		wantLen int
	}{
		{name: "first", id: "a", ttl: time.Minute, want: true, wantLen: 1},
		{name: "replay", id: "a", ttl: time.Minute, want: false, wantLen: 1},
		{name: "second id", id: "b", ttl: 2 * time.Minute, want: true, wantLen: 2},
		{name: "third id", id: "c", ttl: 30 * time.Second, want: true, wantLen: 3},
		{name: "full: fails closed", id: "d", ttl: time.Minute, wantErr: dpop.ErrStoreFull, wantLen: 3},
		{name: "full: replay still detected", id: "a", ttl: time.Minute, want: false, wantLen: 3},
		{name: "c expired, d fits", advance: 30 * time.Second, id: "d", ttl: time.Minute, want: true, wantLen: 3},
		{name: "a expired, may be claimed again", advance: 30 * time.Second, id: "a", ttl: time.Minute, want: true, wantLen: 3},
		{name: "b still held", id: "b", ttl: time.Minute, want: false, wantLen: 3},
		{name: "all expired", advance: 10 * time.Minute, id: "e", ttl: time.Minute, want: true, wantLen: 1},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		got, err := claim(st.id, st.ttl)
		if got != st.want || !errors.Is(err, st.wantErr) || (err == nil) != (st.wantErr == nil) || s.Len() != st.wantLen {
			t.Fatalf("%s: Claim(%q) = %v, %v, Len %d; want %v, %v, Len %d", st.name, st.id, got, err, s.Len(), st.want, st.wantErr, st.wantLen)
		}
	}
}

// TestStoreFullIsUnavailable checks that a full store refuses proofs as
// the server's fault, not the client's.
func TestStoreFullIsUnavailable(t *testing.T) {
	clk := newClock()
	cl := newClient(clk)
	v := newVerifier(t, clk, dpop.Config{Replay: dpop.NewMemoryStore(2, clk.Now)})
	c := boundTo(t, cl.JKT())
	for i := range 3 {
		_, err := v.Check(t.Context(), get(cl.Proof("GET", apiURL, apiToken)), c)
		want := verify.Reason("")
		if i == 2 {
			want = verify.ReasonUnavailable
		}
		if verify.ReasonOf(err) != want {
			t.Fatalf("proof %d: %v; want %q", i, err, want)
		}
	}
	if _, err := v.Check(t.Context(), get(cl.Proof("GET", apiURL, apiToken)), c); !errors.Is(err, dpop.ErrStoreFull) {
		t.Fatalf("full store error %v does not wrap ErrStoreFull", err)
	}
}

func BenchmarkMemoryStore(b *testing.B) {
	clk := newClock()
	s := dpop.NewMemoryStore(1<<16, clk.Now)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	i := 0
	for b.Loop() {
		clk.Advance(time.Millisecond)
		if _, err := s.Claim(b.Context(), ids[i%len(ids)], clk.Now().Add(time.Minute)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
