package introspect_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

// randomHydraToken returns a fresh token of Hydra's shape.
func randomHydraToken() string {
	var b [64]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:32]) + "." + base64.RawURLEncoding.EncodeToString(b[32:])
}

// TestBurstOneCall sends 1 000 concurrent requests with one new token: the
// provider must see exactly one call, and every request the same answer.
func TestBurstOneCall(t *testing.T) {
	release := make(chan struct{})
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		reply(200, active("a", ""))(w, r)
	})
	c := newChecker(t, p.config(newClock()))
	const n = 1000
	var started, done sync.WaitGroup
	var failures atomic.Int64
	started.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			started.Done()
			if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{AllOf: []string{"a"}}); err != nil {
				failures.Add(1)
			}
		}()
	}
	started.Wait()
	close(release)
	done.Wait()
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d of %d requests failed", f, n)
	}
	if got := p.calls.Load(); got != 1 {
		t.Fatalf("remote calls = %d, want exactly 1", got)
	}
}

// TestWaiterLeavesOnItsOwnContext checks that a request whose ctx ends
// stops waiting (unavailable) while the call goes on for the others.
func TestWaiterLeavesOnItsOwnContext(t *testing.T) {
	release := make(chan struct{})
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		reply(200, active("a", ""))(w, r)
	})
	c := newChecker(t, p.config(newClock()))
	ctx, cancel := context.WithCancel(context.Background())
	other := make(chan error, 1)
	go func() {
		_, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{})
		other <- err
	}()
	cancel()
	if _, err := c.Verify(ctx, hydraTok, verify.ScopeRule{}); verify.ReasonOf(err) != verify.ReasonUnavailable {
		t.Fatalf("Verify with a cancelled ctx = %v, want unavailable", err)
	}
	close(release)
	if err := <-other; err != nil {
		t.Fatalf("the other request = %v", err)
	}
}

// stormResult is what a storm of random tokens cost the provider.
type stormResult struct {
	calls, maxConcurrent, inactive, unavailable int64
	goroutines                                  int
}

// storm sends n random Hydra-shaped tokens from workers goroutines; the
// fixed clock means the miss limiter never refills.
func storm(t testing.TB, n, workers int, cfg func(*introspect.Config)) stormResult {
	var cur, peak atomic.Int64
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		v := cur.Add(1)
		for {
			old := peak.Load()
			if v <= old || peak.CompareAndSwap(old, v) {
				break
			}
		}
		defer cur.Add(-1)
		reply(200, `{"active":false}`)(w, r)
	})
	conf := p.config(newClock())
	cfg(&conf)
	c := newChecker(t, conf)
	tokens := make(chan string)
	var res stormResult
	var wg sync.WaitGroup
	var goroutines atomic.Int64
	for range workers {
		wg.Go(func() {
			for tok := range tokens {
				_, err := c.Verify(context.Background(), tok, verify.ScopeRule{})
				switch verify.ReasonOf(err) {
				case verify.ReasonInactive:
					atomic.AddInt64(&res.inactive, 1)
				case verify.ReasonUnavailable:
					atomic.AddInt64(&res.unavailable, 1)
				default:
					t.Errorf("Verify = %v", err)
				}
				if g := int64(runtime.NumGoroutine()); g > goroutines.Load() {
					goroutines.Store(g)
				}
			}
		})
	}
	for range n {
		tokens <- randomHydraToken()
	}
	close(tokens)
	wg.Wait()
	res.calls, res.maxConcurrent, res.goroutines = p.calls.Load(), peak.Load(), int(goroutines.Load())
	return res
}

// TestStormBounded sends 10 000 random opaque tokens: remote calls stay
// within MissBurst (the clock does not move), concurrency within
// MaxInFlight, and every refused miss is unavailable, not invalid.
func TestStormBounded(t *testing.T) {
	const burst, inFlight, workers = 40, 4, 64
	before := runtime.NumGoroutine()
	r := storm(t, 10000, workers, func(c *introspect.Config) {
		c.MissBurst, c.MaxInFlight = burst, inFlight
	})
	if r.calls == 0 || r.calls > burst {
		t.Fatalf("remote calls = %d, want 1..%d", r.calls, burst)
	}
	if r.maxConcurrent > inFlight {
		t.Fatalf("concurrent remote calls = %d, want ≤ %d", r.maxConcurrent, inFlight)
	}
	if r.inactive != r.calls || r.inactive+r.unavailable != 10000 {
		t.Fatalf("inactive %d, unavailable %d, calls %d", r.inactive, r.unavailable, r.calls)
	}
	// workers, at most inFlight fetch goroutines, and the HTTP machinery
	// of one client and one server; not one goroutine per token.
	if limit := before + workers + inFlight + 64; r.goroutines > limit {
		t.Fatalf("goroutines peaked at %d, want ≤ %d", r.goroutines, limit)
	}
}

// BenchmarkStorm reports the remote calls a storm of random tokens causes.
func BenchmarkStorm(b *testing.B) {
	for b.Loop() {
		r := storm(b, 10000, 64, func(c *introspect.Config) {})
		b.ReportMetric(float64(r.calls), "remote-calls")
		b.ReportMetric(float64(r.goroutines), "peak-goroutines")
	}
}

// TestMissRate checks the miss limiter against the injected clock: a
// burst, then MissRate calls per second, every refused miss unavailable
// and nothing cached for it.
func TestMissRate(t *testing.T) {
	p := newProvider(t, reply(200, `{"active":false}`))
	clk := newClock()
	cfg := p.config(clk)
	cfg.MissBurst, cfg.MissRate = 5, 10
	c := newChecker(t, cfg)
	steps := []struct {
		advance             time.Duration
		tokens              int
		inactive, unavailbl int
	}{
		{tokens: 20, inactive: 5, unavailbl: 15},
		{tokens: 20, unavailbl: 20},
		{advance: time.Second, tokens: 20, inactive: 5, unavailbl: 15}, // refilled to the burst
		{advance: 200 * time.Millisecond, tokens: 20, inactive: 2, unavailbl: 18},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		var inactive, unavail int
		for range s.tokens {
			_, err := c.Verify(context.Background(), randomHydraToken(), verify.ScopeRule{})
			switch verify.ReasonOf(err) {
			case verify.ReasonInactive:
				inactive++
			case verify.ReasonUnavailable:
				unavail++
			default:
				t.Fatalf("step %d: Verify = %v", i, err)
			}
		}
		if inactive != s.inactive || unavail != s.unavailbl {
			t.Fatalf("step %d: inactive %d, unavailable %d; want %d, %d", i, inactive, unavail, s.inactive, s.unavailbl)
		}
	}
}

// TestMaxInFlight holds MaxInFlight calls open: one more new token is
// answered unavailable at once, while a request for a token already in
// flight joins it instead.
func TestMaxInFlight(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 8)
	p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		reply(200, `{"active":false}`)(w, r)
	})
	cfg := p.config(newClock())
	cfg.MaxInFlight = 2
	c := newChecker(t, cfg)
	held := []string{randomHydraToken(), randomHydraToken()}
	results := make(chan error, 3)
	for _, tok := range append(held, held[0]) {
		go func() {
			_, err := c.Verify(context.Background(), tok, verify.ScopeRule{})
			results <- err
		}()
	}
	<-arrived
	<-arrived
	if _, err := c.Verify(context.Background(), randomHydraToken(), verify.ScopeRule{}); verify.ReasonOf(err) != verify.ReasonUnavailable {
		t.Fatalf("third new token = %v, want unavailable", err)
	}
	close(release)
	for range 3 {
		if err := <-results; verify.ReasonOf(err) != verify.ReasonInactive {
			t.Fatalf("held request = %v, want inactive", err)
		}
	}
	if n := p.calls.Load(); n != 2 {
		t.Fatalf("remote calls = %d, want 2", n)
	}
}
