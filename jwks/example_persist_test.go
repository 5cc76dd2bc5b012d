package jwks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// A replica restarted while its issuer is down serves the keys its
// previous run persisted, within the stale window of their fetch.
func ExampleConfig_persistPath() {
	var down atomic.Bool
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, hydraJWKS())
	}))
	defer issuer.Close()
	dir, err := os.MkdirTemp("", "jwks-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	cfg := jwks.Config{
		URL:               issuer.URL + "/.well-known/jwks.json",
		InsecureAllowHTTP: true, // loopback test server only
		PersistPath:       filepath.Join(dir, "issuer-jwks.state"),
	}
	before, err := jwks.New(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	before.Close()

	down.Store(true) // the issuer fails, and the service restarts
	cfg.OnEvent = func(e jwks.Event) {
		if e.Kind == jwks.EventPersistLoaded {
			fmt.Println(e.Kind, e.Keys)
		}
	}
	cache, err := jwks.New(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cache.Close()
	key, err := cache.Key(context.Background(), "public:2b0c7a1e", "RS256")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.KID(), cache.Status().Stale)
	// Output:
	// persisted keys loaded 1
	// public:2b0c7a1e true
}

// Pinned keys verify even when the issuer has never answered.
func ExampleConfig_pinned() {
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer issuer.Close()
	pinned, err := jwks.NewKey("break-glass", "RS256", "sig", testkeys.RSA2048(1).Public())
	if err != nil {
		fmt.Println(err)
		return
	}
	cache, err := jwks.New(context.Background(), jwks.Config{
		URL:               issuer.URL + "/.well-known/jwks.json",
		InsecureAllowHTTP: true, // loopback test server only
		LazyStart:         true, // start without the issuer
		Pinned:            []*jwks.Key{pinned},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cache.Close()

	key, err := cache.Key(context.Background(), "break-glass", "RS256")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.KID())
	_, err = cache.Key(context.Background(), "public:2b0c7a1e", "RS256")
	fmt.Println(errors.Is(err, jwks.ErrUnavailable))
	// Output:
	// break-glass
	// true
}
