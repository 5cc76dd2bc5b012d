package jwks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func mustFind(t *testing.T, c *Cache, kid string) *Key {
	t.Helper()
	k, err := c.Key(t.Context(), kid, "RS256")
	if err != nil {
		t.Fatalf("Key(%q) = %v", kid, err)
	}
	return k
}

func TestCacheRotation(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		mustFind(t, c, hydraKID(0))

		// Hydra publishes a new key and signs with it at once.
		f.setKeys(hydraJWK(1), hydraJWK(0))
		mustFind(t, c, hydraKID(1)) // first sight: one unknown-kid fetch
		if got := f.jwksHits.Load(); got != 2 {
			t.Errorf("JWKS fetches = %d, want 2 (initial + unknown kid)", got)
		}

		// The old key is deleted; after the scheduled refresh it is gone.
		f.setKeys(hydraJWK(1))
		time.Sleep(time.Until(c.Status().NextRefresh) + time.Millisecond)
		synctest.Wait()
		if got := f.jwksHits.Load(); got != 3 {
			t.Fatalf("JWKS fetches = %d, want 3 after the timer refresh", got)
		}
		if _, err := c.snap.Load().lookup(hydraKID(0), "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatalf("removed key still in set: %v", err)
		}
		if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatalf("Key(removed) = %v, want ErrKeyNotFound", err)
		}
		mustFind(t, c, hydraKID(1))
	})
}

func TestCacheCooldownNotConsumedByTimer(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{RefreshInterval: 2 * time.Minute})
		// A miss consumes the cooldown at t=0.
		if _, err := c.Key(t.Context(), "junk", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		before := f.jwksHits.Load()
		time.Sleep(time.Until(c.Status().NextRefresh) + time.Millisecond) // timer refresh
		synctest.Wait()
		if f.jwksHits.Load() != before+1 {
			t.Fatalf("timer refresh did not happen")
		}
		// Rotation right after the timer refresh is still seen at once.
		time.Sleep(time.Second)
		f.setKeys(hydraJWK(1), hydraJWK(0))
		mustFind(t, c, hydraKID(1))
	})
}

// TestCacheKIDStorm sends 10 000 random kids, one every 10 ms (100 s of
// fake time), and counts JWKS requests.
func TestCacheKIDStorm(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		start := time.Now()
		for i := range 10000 {
			kid := fmt.Sprintf("random-%d", i)
			if _, err := c.Key(t.Context(), kid, "RS256"); !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("Key(%q) = %v", kid, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		elapsed := time.Since(start)
		fetches := int(f.jwksHits.Load()) - 1
		windows := int(elapsed/DefaultUnknownKIDCooldown) + 1
		t.Logf("kid storm: 10000 random kids over %v -> %d JWKS fetches (cooldown %v, bound %d)", elapsed, fetches, DefaultUnknownKIDCooldown, windows)
		if fetches > windows {
			t.Errorf("fetches = %d, want <= %d (1 per cooldown window)", fetches, windows)
		}
		if fetches < 1 {
			t.Errorf("no unknown-kid fetch at all")
		}
		if got := ev.count(EventUnknownKIDFetch); got != fetches {
			t.Errorf("EventUnknownKIDFetch = %d, want %d", got, fetches)
		}
		if got := ev.count(EventUnknownKIDSuppressed); got != 10000-fetches {
			t.Errorf("EventUnknownKIDSuppressed = %d, want %d", got, 10000-fetches)
		}
		// The key that is there still works.
		mustFind(t, c, hydraKID(0))
	})
}

// TestCacheNegativeCache: a kid missing after a fresh fetch costs no fetch
// for 5 minutes even after the cooldown, and is found as soon as a refresh
// brings it.
func TestCacheNegativeCache(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook, RefreshInterval: time.Hour})
		if _, err := c.Key(t.Context(), "gone", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		if got := f.jwksHits.Load(); got != 2 {
			t.Fatalf("fetches = %d, want 2", got)
		}
		time.Sleep(DefaultUnknownKIDCooldown + time.Second) // cooldown over
		if _, err := c.Key(t.Context(), "gone", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		if got := f.jwksHits.Load(); got != 2 {
			t.Fatalf("fetches = %d, want 2 (negative cache)", got)
		}
		if e, ok := ev.last(EventUnknownKIDSuppressed); !ok || e.Reason != "negative cache" || e.KID != "gone" {
			t.Errorf("suppressed event = %+v", e)
		}
		// A refresh that brings the kid makes it found despite the entry.
		f.setKeys(hydraJWK(0), with(hydraJWK(1), "kid", "gone"))
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		mustFind(t, c, "gone")
		// Entries expire after negCacheTTL.
		if _, err := c.Key(t.Context(), "other", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		n := f.jwksHits.Load()
		time.Sleep(negCacheTTL + time.Second)
		if _, err := c.Key(t.Context(), "other", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		if got := f.jwksHits.Load(); got != n+1 {
			t.Errorf("fetches = %d, want %d after the negative entry expired", got, n+1)
		}
	})
}

func TestNegCacheBounded(t *testing.T) {
	var n negCache
	n.init(4, time.Minute)
	for i := range 10 {
		n.add(fmt.Sprint(i), 1)
	}
	if n.len() != 4 {
		t.Errorf("len = %d, want 4", n.len())
	}
	n.add(string(make([]byte, negCacheMaxKID+1)), 1)
	if n.has(string(make([]byte, negCacheMaxKID+1)), 1) {
		t.Errorf("over-long kid was stored")
	}
	if !n.has("9", 2) || n.has("9", 1+int64(time.Minute)) {
		t.Errorf("ttl not honoured")
	}
}

// TestCacheCoalescing: 100 concurrent requests for a new kid cause exactly
// one fetch, and all of them succeed.
func TestCacheCoalescing(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		f.setKeys(hydraJWK(0), hydraJWK(1))
		release := f.holdFetches()
		var wg sync.WaitGroup
		errs := make([]error, 100)
		for i := range errs {
			wg.Go(func() { _, errs[i] = c.Key(context.Background(), hydraKID(1), "RS256") })
		}
		synctest.Wait() // all 100 are blocked on the one fetch
		release()
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		fetches := f.jwksHits.Load() - 1
		t.Logf("coalescing: 100 concurrent misses -> %d JWKS fetch(es)", fetches)
		if fetches != 1 {
			t.Errorf("fetches = %d, want 1", fetches)
		}
	})
}

func TestCacheCtxCancelWhileWaiting(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		f.setKeys(hydraJWK(0), hydraJWK(1))
		release := f.holdFetches()
		defer release()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Key(ctx, hydraKID(1), "RS256")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Key = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Errorf("waited %v, want exactly the ctx timeout", d)
		}
		// The fetch itself was not cancelled: once released it lands.
		release()
		synctest.Wait()
		if f.jwksHits.Load() != 2 {
			t.Fatalf("fetches = %d", f.jwksHits.Load())
		}
		if k, err := c.snap.Load().lookup(hydraKID(1), "RS256"); err != nil || k == nil {
			t.Fatalf("fetch started by the cancelled request did not complete: %v", err)
		}
	})
}

func TestCacheOutageAndRecovery(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		f.setStatus(http.StatusServiceUnavailable)

		// Past the scheduled refresh: it fails, the set is still served.
		time.Sleep(time.Until(c.Status().NextRefresh) + time.Millisecond)
		synctest.Wait()
		st := c.Status()
		if st.ConsecutiveFailures != 1 || !st.Stale || !st.Available || !errors.Is(st.LastError, ErrFetch) {
			t.Fatalf("after first failure: %+v", st)
		}
		firstFailure := st.LastAttempt
		mustFind(t, c, hydraKID(0))

		// Just inside the stale window: still served; retries back off to 1 min.
		time.Sleep(time.Until(firstFailure.Add(DefaultStaleWindow)) - time.Second)
		mustFind(t, c, hydraKID(0))
		hits := f.jwksHits.Load() - 1
		t.Logf("outage: %d JWKS requests during the %v stale window", hits, DefaultStaleWindow)
		if max := int32(7 + 6*60*11/10); hits > max { // 1,2,4..32 s then about 1/min
			t.Errorf("retries = %d, want <= %d (backoff capped at 1 min)", hits, max)
		}
		if min := int32(5 * 60); hits < min {
			t.Errorf("retries = %d, want >= %d (about one a minute)", hits, min)
		}
		// Beyond the stale window: fail closed, distinctly.
		time.Sleep(2 * time.Second)
		_, err := c.Key(t.Context(), hydraKID(0), "RS256")
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrKeyNotFound) {
			t.Fatalf("Key beyond stale window = %v, want ErrUnavailable", err)
		}
		if st := c.Status(); st.Available || st.Stale || !st.Loaded {
			t.Fatalf("status beyond stale window: %+v", st)
		}
		// The issuer heals; the next retry (<= 1 min) recovers by itself.
		f.setStatus(http.StatusOK)
		time.Sleep(backoffCap + time.Second)
		synctest.Wait()
		mustFind(t, c, hydraKID(0))
		if st := c.Status(); !st.Available || st.Stale || st.ConsecutiveFailures != 0 || st.LastError != nil {
			t.Fatalf("status after recovery: %+v", st)
		}
		if e, ok := ev.last(EventRefreshed); !ok || e.Trigger != TriggerRetry {
			t.Errorf("recovery event = %+v, want trigger retry", e)
		}
	})
}

func TestCacheZeroUsableKeysIsFailure(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		old := c.snap.Load()
		f.setKeys(map[string]any{"kty": "oct", "k": "c2VjcmV0", "kid": "h"})
		err := c.Refresh(t.Context())
		if !errors.Is(err, ErrFetch) {
			t.Fatalf("Refresh = %v, want ErrFetch", err)
		}
		if c.snap.Load() != old {
			t.Errorf("set replaced by an empty one")
		}
		mustFind(t, c, hydraKID(0))
		if ev.count(EventKeySkipped) != 1 || ev.count(EventRefreshFailed) != 1 {
			t.Errorf("events: skipped=%d failed=%d", ev.count(EventKeySkipped), ev.count(EventRefreshFailed))
		}
	})
}

func TestCacheSchedule(t *testing.T) {
	const min, max = DefaultMinRefreshInterval, DefaultMaxRefreshInterval
	ri := DefaultRefreshInterval
	pct := func(d time.Duration, p float64) time.Duration { return time.Duration(float64(d) * p) }
	tests := []struct {
		name   string
		header map[string]string
		lo, hi time.Duration
	}{
		{"no headers (Hydra v1)", nil, pct(ri, 0.9), pct(ri, 1.1)},
		{"Hydra v2 no-store", map[string]string{"Cache-Control": "private, no-cache, no-store, must-revalidate"}, pct(ri, 0.9), pct(ri, 1.1)},
		{"max-age 600", map[string]string{"Cache-Control": "public, max-age=600"}, pct(600*time.Second, 0.9), pct(600*time.Second, 1.1)},
		{"max-age with no-store", map[string]string{"Cache-Control": "no-store, max-age=600"}, pct(600*time.Second, 0.9), pct(600*time.Second, 1.1)},
		{"max-age 0 clamped to min", map[string]string{"Cache-Control": "max-age=0"}, min, pct(min, 1.1)},
		{"max-age 5 clamped to min", map[string]string{"Cache-Control": "max-age=5"}, min, pct(min, 1.1)},
		{"max-age 1 day clamped to max", map[string]string{"Cache-Control": "max-age=86400"}, pct(max, 0.9), max},
		{"max-age wins over Expires", map[string]string{"Cache-Control": "max-age=600", "Expires": "Thu, 01 Jan 2099 00:00:00 GMT"}, pct(600*time.Second, 0.9), pct(600*time.Second, 1.1)},
		{"Expires +20 min", map[string]string{"Expires": "+20m"}, pct(20*time.Minute, 0.9), pct(20*time.Minute, 1.1)},
		{"Expires in past", map[string]string{"Expires": "-1h"}, min, pct(min, 1.1)},
		{"Expires invalid", map[string]string{"Expires": "0"}, pct(ri, 0.9), pct(ri, 1.1)},
		{"Cache-Control garbage", map[string]string{"Cache-Control": "max-age=abc"}, pct(ri, 0.9), pct(ri, 1.1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				f := newFakeIssuer(hydraJWK(0))
				now := time.Now()
				for k, v := range tc.header {
					if k == "Expires" && (v[0] == '+' || v[0] == '-') {
						d, _ := time.ParseDuration(v[1:])
						if v[0] == '-' {
							d = -d
						}
						v = now.Add(d).UTC().Format(http.TimeFormat)
						f.setHeader("Date", now.UTC().Format(http.TimeFormat))
					}
					f.setHeader(k, v)
				}
				c := newTestCache(t, f, Config{})
				st := c.Status()
				got := st.NextRefresh.Sub(st.LastSuccess)
				if got < tc.lo || got > tc.hi {
					t.Fatalf("next refresh in %v, want [%v, %v]", got, tc.lo, tc.hi)
				}
				// And the timer really fetches then.
				time.Sleep(got - time.Millisecond)
				synctest.Wait()
				if f.jwksHits.Load() != 1 {
					t.Fatalf("fetched before the scheduled time")
				}
				time.Sleep(2 * time.Millisecond)
				synctest.Wait()
				if f.jwksHits.Load() != 2 {
					t.Fatalf("no fetch at the scheduled time")
				}
			})
		})
	}
}

func TestCacheJitter(t *testing.T) {
	bubble(t, func(t *testing.T) {
		seen := map[time.Duration]bool{}
		for range 20 {
			f := newFakeIssuer(hydraJWK(0))
			c, err := New(t.Context(), Config{URL: fakeJWKSURL, HTTPClient: f.client()})
			if err != nil {
				t.Fatal(err)
			}
			st := c.Status()
			seen[st.NextRefresh.Sub(st.LastSuccess)] = true
			_ = c.Close()
		}
		if len(seen) < 10 {
			t.Errorf("only %d distinct refresh delays in 20 caches: no jitter?", len(seen))
		}
	})
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 6: 32 * time.Second, 7: time.Minute, 50: time.Minute} {
		got := backoff(n, time.Hour)
		if got < time.Duration(float64(want)*0.9) || got > time.Duration(float64(want)*1.1) || got > time.Minute {
			t.Errorf("backoff(%d) = %v, want about %v", n, got, want)
		}
	}
	if got := backoff(10, 20*time.Second); got > 20*time.Second {
		t.Errorf("backoff exceeds MaxRefreshInterval: %v", got)
	}
}

func TestCacheETag(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		f.etag = `"v1"`
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		set := c.snap.Load()
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		f.mu.Lock()
		inm, ccReq, accept := f.lastReq.Get("If-None-Match"), f.lastReq.Get("Cache-Control"), f.lastReq.Get("Accept")
		f.mu.Unlock()
		if inm != `"v1"` {
			t.Errorf("If-None-Match = %q, want %q", inm, `"v1"`)
		}
		if ccReq != "no-cache" || accept != "application/jwk-set+json, application/json" {
			t.Errorf("request headers: Cache-Control=%q Accept=%q", ccReq, accept)
		}
		e, _ := ev.last(EventRefreshed)
		if !e.NotModified || e.StatusCode != http.StatusNotModified || e.Keys != 1 {
			t.Errorf("event = %+v, want 304 not modified", e)
		}
		if c.snap.Load() != set {
			t.Errorf("304 replaced the set")
		}
		if st := c.Status(); st.ConsecutiveFailures != 0 || st.LastError != nil {
			t.Errorf("304 counted as failure: %+v", st)
		}
		// A new ETag brings the new document.
		f.mu.Lock()
		f.etag = `"v2"`
		f.keys = append(f.keys, hydraJWK(1))
		f.mu.Unlock()
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		mustFind(t, c, hydraKID(1))
	})
}

func TestCachePointerStability(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0), hydraJWK(1), jwkMap("", "", "", testkeysEd()))
		c := newTestCache(t, f, Config{})
		k0, k1 := mustFind(t, c, hydraKID(0)), mustFind(t, c, hydraKID(1))
		ed, err := c.Key(t.Context(), "", "EdDSA")
		if err != nil {
			t.Fatal(err)
		}
		// Reordered, k1's material changed under the same kid, a new key added.
		f.setKeys(jwkMap("", "", "", testkeysEd()), hydraJWK(2), with(hydraJWK(3), "kid", hydraKID(1)), hydraJWK(0))
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := mustFind(t, c, hydraKID(0)); got != k0 {
			t.Errorf("unchanged key got a new pointer")
		}
		if got := mustFind(t, c, hydraKID(1)); got == k1 {
			t.Errorf("changed key kept its old pointer")
		}
		if got, _ := c.Key(t.Context(), "", "EdDSA"); got != ed {
			t.Errorf("unchanged kid-less key got a new pointer")
		}
	})
}

func TestCacheLazyStart(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		f.setStatus(http.StatusInternalServerError)
		release := f.holdFetches()
		c := newTestCache(t, f, Config{LazyStart: true})
		if st := c.Status(); st.Loaded || st.Available {
			t.Fatalf("status before load: %+v", st)
		}
		// First use waits for the background fetch, which fails.
		go release()
		if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Key before load = %v, want ErrUnavailable", err)
		}
		// Later calls may trigger one fetch per cooldown, no more.
		n := f.jwksHits.Load()
		for range 10 {
			if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Key = %v, want ErrUnavailable", err)
			}
		}
		if got := f.jwksHits.Load(); got > n+1 {
			t.Errorf("fetches went from %d to %d on a fail-fast call", n, got)
		}
		// The issuer heals: the background retry loads the set.
		f.setStatus(http.StatusOK)
		time.Sleep(time.Until(c.Status().NextRefresh) + time.Millisecond)
		synctest.Wait()
		mustFind(t, c, hydraKID(0))
	})
}

func TestCacheLazyStartFirstUse(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{LazyStart: true})
		mustFind(t, c, hydraKID(0)) // joins the initial background fetch
		if got := f.jwksHits.Load(); got != 1 {
			t.Errorf("fetches = %d, want 1", got)
		}
	})
}

func TestCacheEagerStartFails(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		f.setStatus(http.StatusBadGateway)
		c, err := New(t.Context(), Config{URL: fakeJWKSURL, HTTPClient: f.client()})
		if !errors.Is(err, ErrFetch) || c != nil {
			t.Fatalf("New = %v, %v; want ErrFetch", c, err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		f.setStatus(http.StatusOK)
		release := f.holdFetches()
		defer release()
		if _, err := New(ctx, Config{URL: fakeJWKSURL, HTTPClient: f.client()}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("New with held issuer = %v, want DeadlineExceeded", err)
		}
	})
}

func TestCacheClose(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c, err := New(t.Context(), Config{URL: fakeJWKSURL, HTTPClient: f.client()})
		if err != nil {
			t.Fatal(err)
		}
		// A waiter on an in-flight fetch is released by Close.
		f.setKeys(hydraJWK(0), hydraJWK(1))
		release := f.holdFetches()
		defer release()
		errc := make(chan error, 1)
		go func() { _, err := c.Key(context.Background(), hydraKID(1), "RS256"); errc <- err }()
		synctest.Wait()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Errorf("waiter got %v, want ErrClosed", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); !errors.Is(err, ErrClosed) {
			t.Errorf("Key after Close = %v, want ErrClosed", err)
		}
		if err := c.Refresh(t.Context()); !errors.Is(err, ErrClosed) {
			t.Errorf("Refresh after Close = %v, want ErrClosed", err)
		}
		if c.Status().Available {
			t.Errorf("closed cache reports Available")
		}
		// synctest.Test itself fails if any goroutine of the bubble is left.
	})
}

func TestCacheStatusAndEvents(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0), hydraJWK(1), map[string]any{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"})
		var ev events
		start := time.Now()
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		st := c.Status()
		if !st.Loaded || st.Keys != 2 || len(st.KIDs) != 2 || st.KIDs[0] != hydraKID(0) || !st.Available || st.Stale ||
			!st.LastSuccess.Equal(start) || !st.LastAttempt.Equal(start) || st.LastError != nil || st.ConsecutiveFailures != 0 ||
			!st.NextRefresh.After(start) {
			t.Fatalf("status: %+v", st)
		}
		e, ok := ev.last(EventRefreshed)
		if !ok || e.Trigger != TriggerInitial || e.StatusCode != 200 || e.Keys != 2 || e.Err != nil {
			t.Errorf("refresh event: %+v", e)
		}
		if e, ok := ev.last(EventKeySkipped); !ok || e.KID != "sym" || !errors.Is(e.Err, ErrInvalidKey) {
			t.Errorf("skipped event: %+v", e)
		}
		if _, err := c.Key(t.Context(), "x", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		if e, ok := ev.last(EventUnknownKIDFetch); !ok || e.KID != "x" {
			t.Errorf("unknown kid event: %+v", e)
		}
		if e, ok := ev.last(EventRefreshed); !ok || e.Trigger != TriggerUnknownKID {
			t.Errorf("refresh trigger: %+v", e)
		}
		if _, err := c.Key(t.Context(), "y", "RS256"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		if e, ok := ev.last(EventUnknownKIDSuppressed); !ok || e.KID != "y" || e.Reason != "cooldown" {
			t.Errorf("suppressed event: %+v", e)
		}
		f.setStatus(http.StatusInternalServerError)
		time.Sleep(time.Second)
		if err := c.Refresh(t.Context()); !errors.Is(err, ErrFetch) {
			t.Fatal(err)
		}
		st = c.Status()
		if st.ConsecutiveFailures != 1 || !errors.Is(st.LastError, ErrFetch) || !st.Stale || !st.Available ||
			time.Until(st.NextRefresh) > 1100*time.Millisecond {
			t.Errorf("status after failure: %+v", st)
		}
		if e, ok := ev.last(EventRefreshFailed); !ok || e.Trigger != TriggerManual || e.StatusCode != 500 || e.Keys != 2 {
			t.Errorf("failure event: %+v", e)
		}
	})
}

func TestCacheKeyMismatchNoFetch(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		if _, err := c.Key(t.Context(), hydraKID(0), "HS256"); !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("Key = %v, want ErrKeyMismatch", err)
		}
		if _, err := c.Key(t.Context(), "", "RS512"); !errors.Is(err, ErrKeyNotFound) {
			t.Fatalf("kid-less Key = %v, want ErrKeyNotFound", err)
		}
		if got := f.jwksHits.Load(); got != 1 {
			t.Errorf("mismatch or kid-less miss fetched: %d", got)
		}
	})
}

func TestCacheHitAllocs(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		ctx := context.Background()
		kid := hydraKID(0)
		if n := testing.AllocsPerRun(100, func() { _, _ = c.Key(ctx, kid, "RS256") }); n != 0 {
			t.Errorf("Cache.Key hit: %v allocs, want 0", n)
		}
	})
}

func TestLogEvents(t *testing.T) {
	bubble(t, func(t *testing.T) {
		var buf syncBuffer
		f := newFakeIssuer(hydraJWK(0), map[string]any{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"})
		c := newTestCache(t, f, Config{OnEvent: LogEvents(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))})
		f.setStatus(http.StatusInternalServerError)
		_ = c.Refresh(t.Context())
		out := buf.String()
		for _, want := range []string{`level=WARN msg="jwks: key skipped"`, `kid=sym`, `level=WARN msg="jwks: refresh failed"`, `status=500`, `trigger=manual`} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "level=DEBUG") || strings.Contains(out, "level=INFO") {
			t.Errorf("logged below the handler level:\n%s", out)
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCacheCooldownLoserWaitsForWinner: when two requests for a new kid
// race, the one that loses the unknown-kid cooldown must wait for the
// winner's fetch, even if the winner has not kicked it yet, rather than
// fail with ErrKeyNotFound.
func TestCacheCooldownLoserWaitsForWinner(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		f.setKeys(hydraJWK(1), hydraJWK(0)) // rotation: the next fetch brings kid 1

		gateWon, resume := make(chan struct{}), make(chan struct{})
		c.testHookUnknownFetch = func() {
			c.testHookUnknownFetch = nil // only the winner pauses
			close(gateWon)
			<-resume
		}
		winner := make(chan error, 1)
		go func() { _, err := c.Key(t.Context(), hydraKID(1), "RS256"); winner <- err }()
		<-gateWon // the winner holds the cooldown and is paused

		loser := make(chan error, 1)
		go func() { _, err := c.Key(t.Context(), hydraKID(1), "RS256"); loser <- err }()
		synctest.Wait()
		var early error
		select {
		case early = <-loser:
			if early == nil {
				early = errors.New("<nil>")
			}
		default:
		}
		close(resume)
		if early != nil {
			<-winner
			t.Fatalf("the request that lost the cooldown returned before the winner's fetch ran: %v", early)
		}
		for name, ch := range map[string]chan error{"winner": winner, "loser": loser} {
			if err := <-ch; err != nil {
				t.Errorf("%s: Key(new kid) = %v", name, err)
			}
		}
		if got := f.jwksHits.Load(); got != 2 {
			t.Errorf("JWKS fetches = %d, want 2 (initial + one unknown-kid fetch)", got)
		}
	})
}

// At the clamp limits the refresh delay must still be spread, inside
// [min, max]: clamping after jittering put every cache at exactly max.
func TestJitterWithinLimits(t *testing.T) {
	const lo, hi = time.Minute, time.Hour
	tests := []struct {
		name     string
		d        time.Duration
		from, to time.Duration
	}{
		{"above max (max-age=1 day)", 24 * time.Hour, 54 * time.Minute, hi},
		{"at max", hi, 54 * time.Minute, hi},
		{"below min (max-age=0)", 0, lo, 66 * time.Second},
		{"inside", 15 * time.Minute, 13*time.Minute + 30*time.Second, 16*time.Minute + 30*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 50 {
				got := jitterWithin(tt.d, lo, hi)
				if got < tt.from || got > tt.to {
					t.Fatalf("jitterWithin(%v) = %v, want within [%v, %v]", tt.d, got, tt.from, tt.to)
				}
				seen[got] = true
			}
			if len(seen) < 25 {
				t.Errorf("only %d distinct delays in 50 draws: not spread", len(seen))
			}
		})
	}
}
