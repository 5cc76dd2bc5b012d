package jwks

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func pinnedKey(t *testing.T) *Key {
	return mustKey(t, "pinned-1", "RS256", testkeys.RSA2048(5).Public())
}

// TestPinnedBeforeFirstFetch: a pinned key verifies while the first fetch
// is still in flight; other kids wait for it.
func TestPinnedBeforeFirstFetch(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		release := f.holdFetches()
		defer release()
		pin := pinnedKey(t)
		c := newTestCache(t, f, Config{LazyStart: true, Pinned: []*Key{pin}})
		synctest.Wait() // the first fetch is held
		if k := mustFind(t, c, "pinned-1"); k != pin {
			t.Fatalf("Key = %p, want the pinned key %p", k, pin)
		}
		if c.Status().Loaded {
			t.Fatal("loaded before the first fetch ended")
		}
		go release()
		mustFind(t, c, hydraKID(0)) // waits for the first fetch
		if k := mustFind(t, c, "pinned-1"); k != pin {
			t.Fatalf("after the fetch: Key = %p, want the pinned key %p", k, pin)
		}
		if got := c.Status().Keys; got != 2 {
			t.Errorf("keys = %d, want 2 (pinned + fetched)", got)
		}
	})
}

// TestPinnedAfterStaleWindow: past the stale window fetched keys fail
// with ErrUnavailable, pinned keys still verify and never trigger fetches.
func TestPinnedAfterStaleWindow(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		pin := pinnedKey(t)
		c := newTestCache(t, f, Config{Pinned: []*Key{pin}})
		f.setStatus(http.StatusServiceUnavailable)
		time.Sleep(time.Until(c.Status().NextRefresh) + DefaultStaleWindow + time.Second)
		synctest.Wait()
		if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("fetched key after the stale window = %v, want ErrUnavailable", err)
		}
		if k := mustFind(t, c, "pinned-1"); k != pin {
			t.Fatalf("Key = %p, want the pinned key %p", k, pin)
		}
		if _, err := c.Key(t.Context(), "pinned-1", "ES256"); err == nil {
			t.Fatal("pinned RS256 key returned for ES256")
		}
		n := f.jwksHits.Load()
		if k, err := c.RefreshKey(t.Context(), "pinned-1", "RS256", pin); k != pin || err != nil {
			t.Fatalf("RefreshKey(pinned) = %p, %v; want the pinned key", k, err)
		}
		synctest.Wait()
		if got := f.jwksHits.Load(); got != n {
			t.Errorf("RefreshKey on a pinned key fetched (%d -> %d)", n, got)
		}
	})
}

// TestPinnedWins: a fetched key with a pinned kid is left out and reported.
func TestPinnedWins(t *testing.T) {
	bubble(t, func(t *testing.T) {
		pin := pinnedKey(t)
		f := newFakeIssuer(jwkMap("pinned-1", "RS256", "sig", testkeys.RSA2048(1).Public()), hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{Pinned: []*Key{pin}, OnEvent: ev.hook})
		if k := mustFind(t, c, "pinned-1"); k != pin {
			t.Fatalf("Key = %p, want the pinned key %p", k, pin)
		}
		mustFind(t, c, hydraKID(0))
		e, ok := ev.last(EventKeySkipped)
		if !ok || e.KID != "pinned-1" || !strings.Contains(e.Err.Error(), "pinned") {
			t.Fatalf("skip event = %+v, %v", e, ok)
		}
		// A fetched copy of the pinned key itself is not reported.
		f.setKeys(jwkMap("pinned-1", "RS256", "sig", testkeys.RSA2048(5).Public()), hydraJWK(0))
		n := ev.count(EventKeySkipped)
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := c.Status().Keys; got != 2 {
			t.Errorf("keys = %d, want 2", got)
		}
		if got := ev.count(EventKeySkipped); got != n {
			t.Errorf("skip events went from %d to %d", n, got)
		}
	})
}

func TestPinnedConfig(t *testing.T) {
	pin := pinnedKey(t)
	for _, tc := range []struct {
		name   string
		pinned []*Key
	}{
		{"nil key", []*Key{nil}},
		{"kid twice", []*Key{pin, mustKey(t, "pinned-1", "RS256", testkeys.RSA2048(6).Public())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(t.Context(), Config{URL: fakeJWKSURL, LazyStart: true, Pinned: tc.pinned})
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("New = %v, want ErrInvalidKey", err)
			}
		})
	}
}
