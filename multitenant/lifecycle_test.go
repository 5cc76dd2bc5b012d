package multitenant

import (
	"context"
	"errors"
	"testing"

	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
)

func resolve(t *testing.T, r *Resolver, iss string) jwks.Source {
	t.Helper()
	src, err := r.Resolve(context.Background(), iss)
	if err != nil {
		t.Fatalf("Resolve(%q): %v", iss, err)
	}
	return src
}

func closed(src jwks.Source) bool {
	_, err := src.Key(context.Background(), tokentest.KID, "RS256")
	return errors.Is(err, jwks.ErrClosed)
}

// TestEvictionClosesLeastRecentlyUsed: beyond MaxIssuers the least
// recently resolved cache is closed (goleak proves its goroutine ends),
// and resolving it again sets it up anew.
func TestEvictionClosesLeastRecentlyUsed(t *testing.T) {
	f := newFakeIdP(t, allowAll)
	r, _ := newResolver(t, Config{Patterns: []string{f.pattern()}, MaxIssuers: 2})
	a := resolve(t, r, f.issuer("a"))
	b := resolve(t, r, f.issuer("b"))
	resolve(t, r, f.issuer("a")) // a is now the most recent
	c := resolve(t, r, f.issuer("c"))
	for _, tt := range []struct {
		name   string
		src    jwks.Source
		closed bool
	}{{"a", a, false}, {"b", b, true}, {"c", c, false}} {
		if closed(tt.src) != tt.closed {
			t.Errorf("%s closed = %v, want %v", tt.name, !tt.closed, tt.closed)
		}
	}
	if r.Len() != 2 {
		t.Errorf("%d held, want 2", r.Len())
	}
	if b2 := resolve(t, r, f.issuer("b")); b2 == b || closed(b2) || f.discovery.Load() != 4 {
		t.Errorf("b set up again: same=%v closed=%v, %d discovery fetches", b2 == b, closed(b2), f.discovery.Load())
	}
	if !closed(a) { // a was the least recent when b came back
		t.Error("a not evicted")
	}
	r.Close()
	if !closed(c) {
		t.Error("Close left c open")
	}
	if _, err := r.Resolve(context.Background(), f.issuer("c")); !errors.Is(err, jwks.ErrClosed) {
		t.Errorf("Resolve after Close: %v", err)
	}
}

// TestFailureRemembered: a failed setup is answered from memory, without
// fetching or spending budget, for FailureMemory; then tried again.
func TestFailureRemembered(t *testing.T) {
	f := newFakeIdP(t, func(tenant string) bool { return tenant != "gone" })
	r, clk := newResolver(t, Config{Patterns: []string{f.pattern()}, NewIssuersPerMinute: 2})
	for i := range 5 {
		_, err := r.Resolve(context.Background(), f.issuer("gone"))
		if !errors.Is(err, jwks.ErrFetch) {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if n := f.requests.Load(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	resolve(t, r, f.issuer("ok")) // the second token of the budget is still there
	if _, err := r.Resolve(context.Background(), f.issuer("new")); !errors.Is(err, ErrTooManyNew) {
		t.Fatalf("budget spent: %v", err)
	}
	clk.Advance(FailureMemory)
	if _, err := r.Resolve(context.Background(), f.issuer("gone")); !errors.Is(err, jwks.ErrFetch) || f.requests.Load() != 4 {
		t.Fatalf("after memory: %v, %d requests", err, f.requests.Load())
	}
}

// TestWaiterContext: a caller whose ctx ends stops waiting, but the
// setup goes on for the others.
func TestWaiterContext(t *testing.T) {
	f := newFakeIdP(t, allowAll)
	f.hold = true
	r, _ := newResolver(t, Config{Patterns: []string{f.pattern()}})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := r.Resolve(ctx, f.issuer("slow"))
		errc <- err
	}()
	<-f.entered
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	close(f.release)
	resolve(t, r, f.issuer("slow"))
	if n := f.discovery.Load(); n != 1 {
		t.Errorf("%d discovery fetches, want 1", n)
	}
}

// TestCloseDuringSetup: Close ends a setup in flight, its waiters fail,
// and nothing is left running.
func TestCloseDuringSetup(t *testing.T) {
	f := newFakeIdP(t, allowAll)
	f.hold = true
	r, _ := newResolver(t, Config{Patterns: []string{f.pattern()}})
	errc := make(chan error, 1)
	go func() {
		_, err := r.Resolve(context.Background(), f.issuer("slow"))
		errc <- err
	}()
	<-f.entered
	r.Close()
	if err := <-errc; !errors.Is(err, jwks.ErrClosed) {
		t.Fatalf("waiter: %v", err)
	}
	if r.Len() != 0 {
		t.Errorf("%d held after Close", r.Len())
	}
}

// TestOnEvent: events name the issuer they concern.
func TestOnEvent(t *testing.T) {
	f := newFakeIdP(t, allowAll)
	got := make(chan string, 4)
	r, _ := newResolver(t, Config{Patterns: []string{f.pattern()}, OnEvent: func(iss string, e jwks.Event) {
		if e.Kind == jwks.EventRefreshed {
			got <- iss
		}
	}})
	resolve(t, r, f.issuer("t1"))
	if iss := <-got; iss != f.issuer("t1") {
		t.Errorf("event for %q", iss)
	}
}
