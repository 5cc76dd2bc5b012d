package jwks_test

import (
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// TestPersistRestartVerifies: a replica restarted during an issuer outage
// verifies tokens with the keys its previous run persisted, until the
// stale window after that run's fetch; then it answers unavailable.
func TestPersistRestartVerifies(t *testing.T) {
	iss := issuertest.NewServer(issuertest.Config{})
	t.Cleanup(iss.Close)
	synctest.Test(t, func(t *testing.T) {
		cfg := jwks.Config{URL: iss.JWKSURL(), InsecureAllowHTTP: true,
			HTTPClient:  &http.Client{Transport: iss.Transport()},
			PersistPath: filepath.Join(t.TempDir(), "jwks.state")}
		before, err := jwks.New(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		fetched := time.Now()
		_ = before.Close()

		iss.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable})
		time.Sleep(time.Hour)
		cache, err := jwks.New(t.Context(), cfg)
		if err != nil {
			t.Fatalf("New during the outage: %v", err)
		}
		t.Cleanup(func() { _ = cache.Close() })
		v, err := verify.New(verify.Config{Issuers: []verify.Issuer{{Name: iss.Issuer(), Keys: cache}},
			InsecureSkipAudienceCheck: true, TokenCache: verify.TokenCacheConfig{Disable: true}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(t.Context(), iss.AccessToken("svc"), verify.ScopeRule{}); err != nil {
			t.Fatalf("Verify with persisted keys: %v", err)
		}

		time.Sleep(time.Until(fetched.Add(jwks.DefaultStaleWindow)) + time.Second)
		_, err = v.Verify(t.Context(), iss.AccessToken("svc"), verify.ScopeRule{})
		if !errors.Is(err, verify.ErrUnavailable) || !errors.Is(err, jwks.ErrUnavailable) {
			t.Fatalf("Verify after the stale window = %v, want unavailable", err)
		}
	})
}
