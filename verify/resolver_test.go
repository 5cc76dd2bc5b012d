package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwks"
)

// fakeResolver answers from a map and counts calls per issuer.
type fakeResolver struct {
	mu    sync.Mutex
	srcs  map[string]jwks.Source
	err   error // returned for issuers not in srcs; nil means ErrInvalidIssuer
	calls map[string]int
}

func (r *fakeResolver) Resolve(_ context.Context, iss string) (jwks.Source, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[iss]++
	if s, ok := r.srcs[iss]; ok {
		return s, nil
	}
	if r.err != nil {
		return nil, r.err
	}
	return nil, fmt.Errorf("fake: %q matches no pattern: %w", iss, ErrInvalidIssuer)
}

func (r *fakeResolver) count(iss string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[iss]
}

// verifyToken verifies tok with no scope requirement.
func verifyToken(v *Verifier, tok string) (*Claims, error) {
	return v.Verify(context.Background(), tok, ScopeRule{})
}

func TestResolver(t *testing.T) {
	const tenant, other, broken, empty = "https://login.example.com/t1/v2.0", "https://login.example.com/t2/v2.0",
		"https://login.example.com/down/v2.0", "https://login.example.com/nil/v2.0"
	static := defaultSource(t)
	r := &fakeResolver{
		srcs:  map[string]jwks.Source{tenant: defaultSource(t), empty: nil},
		calls: map[string]int{},
	}
	down := &fakeResolver{err: fmt.Errorf("fake: discovery failed: %w", jwks.ErrUnavailable), calls: map[string]int{}}
	v := newVerifier(t, static, func(c *Config) { c.Resolver = r; c.TokenCache.Disable = true })
	vDown := newVerifier(t, nil, func(c *Config) { c.Issuers = nil; c.Resolver = down })
	tok := func(iss string) string { return mint(t, with(hydraClaims(testNow), "iss", iss)) }

	for _, tt := range []struct {
		name      string
		v         *Verifier
		iss       string
		want      Reason
		resolved  int // Resolve calls for iss
		keysTaken bool
	}{
		{"static issuer skips the resolver", v, testIssuer, "", 0, false},
		{"resolved tenant", v, tenant, "", 1, true},
		{"refused tenant", v, other, ReasonInvalidIssuer, 1, false},
		{"resolver without source", v, empty, ReasonUnavailable, 1, false},
		{"resolver failure", vDown, broken, ReasonUnavailable, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := r
			if tt.v == vDown {
				res = down
			}
			before := res.count(tt.iss)
			c, err := verifyToken(tt.v, tok(tt.iss))
			if ReasonOf(err) != tt.want {
				t.Fatalf("reason %q, want %q (%v)", ReasonOf(err), tt.want, err)
			}
			if n := res.count(tt.iss) - before; n != tt.resolved {
				t.Errorf("Resolve called %d times, want %d", n, tt.resolved)
			}
			if err == nil && c.Issuer != tt.iss {
				t.Errorf("claims issuer %q", c.Issuer)
			}
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.Issuer != tt.iss) {
				t.Errorf("error issuer: %v", err)
			}
			if tt.want == ReasonInvalidIssuer && !strings.Contains(err.Error(), "matches no pattern") {
				t.Errorf("detail lost: %v", err)
			}
		})
	}
}

// TestResolverAfterCheapChecks: a token that fails its time or audience
// check never reaches the Resolver, so it cannot make it fetch.
func TestResolverAfterCheapChecks(t *testing.T) {
	const tenant = "https://kc.example.com/realms/a"
	r := &fakeResolver{srcs: map[string]jwks.Source{tenant: defaultSource(t)}, calls: map[string]int{}}
	v := newVerifier(t, nil, func(c *Config) { c.Issuers = nil; c.Resolver = r })
	for _, tt := range []struct {
		name   string
		claims map[string]any
		want   Reason
	}{
		{"expired", with(hydraClaims(testNow.Add(-2*time.Hour)), "iss", tenant), ReasonExpired},
		{"other audience", with(hydraClaims(testNow), "iss", tenant, "aud", "https://other.example/"), ReasonInvalidAudience},
		{"unmatched and expired", with(hydraClaims(testNow.Add(-2*time.Hour)), "iss", "https://evil.example/"), ReasonExpired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := verifyToken(v, mint(t, tt.claims)); ReasonOf(err) != tt.want {
				t.Fatalf("reason %q, want %q (%v)", ReasonOf(err), tt.want, err)
			}
			if n := r.count(tenant) + r.count("https://evil.example/"); n != 0 {
				t.Errorf("Resolve called %d times", n)
			}
		})
	}
}

func TestResolverConfig(t *testing.T) {
	r := &fakeResolver{calls: map[string]int{}}
	for _, tt := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"resolver only", func(c *Config) { c.Issuers = nil; c.Resolver = r }, true},
		{"resolver and issuers", func(c *Config) { c.Resolver = r }, true},
		{"resolver and skip issuer", func(c *Config) { c.Resolver = r; c.InsecureSkipIssuerCheck = true }, false},
		{"neither", func(c *Config) { c.Issuers = nil }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Issuers: []Issuer{{Name: testIssuer, Keys: defaultSource(t)}}, Audiences: []string{testAudience}}
			tt.edit(&cfg)
			if _, err := New(cfg); (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestCachedTokenOfClosedSource: a cached token whose resolved source was
// closed (its cache evicted) is verified again through the Resolver, not
// refused as unavailable.
func TestCachedTokenOfClosedSource(t *testing.T) {
	const tenant = "https://kc.example.com/realms/a"
	first := defaultSource(t)
	r := &fakeResolver{srcs: map[string]jwks.Source{tenant: first}, calls: map[string]int{}}
	v := newVerifier(t, nil, func(c *Config) { c.Issuers = nil; c.Resolver = r })
	tok := mint(t, with(hydraClaims(testNow), "iss", tenant))
	if _, err := verifyToken(v, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyToken(v, tok); err != nil || r.count(tenant) != 1 {
		t.Fatalf("cached verify: %v, %d resolves", err, r.count(tenant))
	}
	first.set(nil, jwks.ErrClosed)
	second := defaultSource(t)
	r.mu.Lock()
	r.srcs[tenant] = second
	r.mu.Unlock()
	if _, err := verifyToken(v, tok); err != nil {
		t.Fatalf("after close: %v", err)
	}
	if r.count(tenant) != 2 || second.calls.Load() != 1 {
		t.Errorf("resolves %d, new source calls %d; want 2, 1", r.count(tenant), second.calls.Load())
	}
	// An outage of a live source still answers unavailable from the cache.
	if _, err := verifyToken(v, tok); err != nil {
		t.Fatal(err)
	}
	second.set(nil, jwks.ErrUnavailable)
	if _, err := verifyToken(v, tok); ReasonOf(err) != ReasonUnavailable {
		t.Errorf("outage: %v", err)
	}
}
