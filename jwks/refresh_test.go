package jwks

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// TestRefreshKeyRepublished: the issuer republishes a known kid with new
// material; RefreshKey fetches once and returns the new key, and a second
// call within the cooldown does not fetch again.
func TestRefreshKeyRepublished(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		seen := mustFind(t, c, hydraKID(0))

		f.setKeys(jwkMap(hydraKID(0), "RS256", "sig", testkeys.RSA2048(5).Public()))
		k, err := c.RefreshKey(t.Context(), hydraKID(0), "RS256", seen)
		if err != nil {
			t.Fatal(err)
		}
		if k == seen || !testkeys.RSA2048(5).PublicKey.Equal(k.Public()) {
			t.Fatalf("RefreshKey returned %p (seen %p), want the republished key", k, seen)
		}
		if got := f.jwksHits.Load(); got != 2 {
			t.Errorf("JWKS fetches = %d, want 2 (initial + one refetch)", got)
		}
		if e, ok := ev.last(EventUnknownKIDFetch); !ok || e.Trigger != TriggerSigFailure || e.KID != hydraKID(0) {
			t.Errorf("fetch event = %+v, %v; want trigger %v for the kid", e, ok, TriggerSigFailure)
		}
		if mustFind(t, c, hydraKID(0)) != k {
			t.Error("Key does not return the republished key")
		}

		// A forged signature under the new key: within the cooldown,
		// answered at once with the same key and no fetch.
		again, err := c.RefreshKey(t.Context(), hydraKID(0), "RS256", k)
		if err != nil || again != k {
			t.Fatalf("second RefreshKey = %p, %v; want %p", again, err, k)
		}
		if got := f.jwksHits.Load(); got != 2 {
			t.Errorf("JWKS fetches = %d, want still 2", got)
		}
		if e, ok := ev.last(EventUnknownKIDSuppressed); !ok || e.Trigger != TriggerSigFailure || e.Reason != "cooldown" {
			t.Errorf("suppressed event = %+v, %v", e, ok)
		}
	})
}

// TestRefreshKeyAlreadyChanged: a refresh since seen was returned already
// brought another key; no fetch is needed.
func TestRefreshKeyAlreadyChanged(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		c := newTestCache(t, f, Config{})
		seen := mustFind(t, c, hydraKID(0))
		f.setKeys(jwkMap(hydraKID(0), "RS256", "sig", testkeys.RSA2048(5).Public()))
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		before := f.jwksHits.Load()
		k, err := c.RefreshKey(t.Context(), hydraKID(0), "RS256", seen)
		if err != nil || k == seen {
			t.Fatalf("RefreshKey = %p, %v; want the new key", k, err)
		}
		if f.jwksHits.Load() != before {
			t.Error("RefreshKey fetched although the set already changed")
		}
	})
}

func TestRefreshKeyOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		after   []map[string]any // the JWKS once the first fetch is done
		kid     string
		wantErr error // nil: seen comes back
		fetches int32 // beyond the initial one
	}{
		{"unchanged", []map[string]any{hydraJWK(0)}, hydraKID(0), nil, 1},
		{"kid removed", []map[string]any{hydraJWK(1)}, hydraKID(0), ErrKeyNotFound, 1},
		{"kid now another alg", []map[string]any{with(hydraJWK(0), "alg", "PS256")}, hydraKID(0), ErrKeyMismatch, 1},
		{"no kid never fetches", []map[string]any{jwkMap("", "RS256", "sig", testkeys.RSA2048(5).Public())}, "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				first := hydraJWK(0)
				if tt.kid == "" {
					first = with(first, "kid", nil)
				}
				f := newFakeIssuer(first)
				c := newTestCache(t, f, Config{})
				seen, err := c.Key(t.Context(), tt.kid, "RS256")
				if err != nil {
					t.Fatal(err)
				}
				f.setKeys(tt.after...)
				k, err := c.RefreshKey(t.Context(), tt.kid, "RS256", seen)
				switch {
				case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				case tt.wantErr == nil && (err != nil || k != seen):
					t.Fatalf("RefreshKey = %p, %v; want seen %p", k, err, seen)
				}
				if got := f.jwksHits.Load() - 1; got != tt.fetches {
					t.Errorf("fetches = %d, want %d", got, tt.fetches)
				}
			})
		})
	}
	t.Run("closed", func(t *testing.T) {
		bubble(t, func(t *testing.T) {
			f := newFakeIssuer(hydraJWK(0))
			c := newTestCache(t, f, Config{})
			seen := mustFind(t, c, hydraKID(0))
			_ = c.Close()
			if _, err := c.RefreshKey(t.Context(), hydraKID(0), "RS256", seen); !errors.Is(err, ErrClosed) {
				t.Fatalf("err = %v, want ErrClosed", err)
			}
		})
	})
}

// TestRefreshKeyStorm: forged signatures under a known kid, mixed with
// random unknown kids, one request every 10 ms for 100 s of fake time,
// cause at most one fetch per cooldown window in total: the two triggers
// share one budget.
func TestRefreshKeyStorm(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer(hydraJWK(0))
		var ev events
		c := newTestCache(t, f, Config{OnEvent: ev.hook})
		seen := mustFind(t, c, hydraKID(0))
		start := time.Now()
		for i := range 10000 {
			if i%2 == 0 {
				k, err := c.RefreshKey(t.Context(), hydraKID(0), "RS256", seen)
				if err != nil || k != seen {
					t.Fatalf("RefreshKey = %p, %v", k, err)
				}
			} else if _, err := c.Key(t.Context(), fmt.Sprintf("random-%d", i), "RS256"); !errors.Is(err, ErrKeyNotFound) {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		synctest.Wait()
		elapsed := time.Since(start)
		fetches := int(f.jwksHits.Load()) - 1
		windows := int(elapsed/DefaultUnknownKIDCooldown) + 1
		sig := 0
		ev.mu.Lock()
		for _, e := range ev.ev {
			if e.Kind == EventUnknownKIDFetch && e.Trigger == TriggerSigFailure {
				sig++
			}
		}
		ev.mu.Unlock()
		t.Logf("storm: 5000 forged signatures + 5000 random kids over %v -> %d JWKS fetches (%d by signature failures), bound %d",
			elapsed, fetches, sig, windows)
		if fetches > windows || fetches < 1 {
			t.Errorf("fetches = %d, want 1..%d (one per cooldown window)", fetches, windows)
		}
		if got := ev.count(EventUnknownKIDFetch); got != fetches {
			t.Errorf("EventUnknownKIDFetch = %d, want %d", got, fetches)
		}
		if sig == 0 {
			t.Error("no fetch was triggered by a signature failure")
		}
	})
}
