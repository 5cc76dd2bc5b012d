package introspect_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

// TestCacheLifetimes walks the fixed clock through the life of positive,
// negative and unavailable answers and counts the remote calls.
func TestCacheLifetimes(t *testing.T) {
	type step struct {
		advance time.Duration
		answer  string // the provider's answer from this step on ("" = unchanged; "500" = outage)
		need    verify.ScopeRule
		want    verify.Reason
		calls   int64 // total remote calls after the step
	}
	// lagging is an answer from a provider whose clock is behind ours: the
	// token is still active there, 30 s after its exp here.
	lagging := `{"active":true,"exp":` + unix(-30*time.Second) + `,"aud":["https://api.example.com/"]}`
	tests := []struct {
		name   string
		maxTTL time.Duration
		leeway time.Duration
		steps  []step
	}{
		{name: "positive until MaxTTL", steps: []step{
			{answer: active("a b", ""), calls: 1},
			{advance: 4 * time.Minute, calls: 1},
			{need: verify.ScopeRule{AllOf: []string{"b"}}, calls: 1},
			{need: verify.ScopeRule{AllOf: []string{"c"}}, want: verify.ReasonInsufficientScope, calls: 1},
			{advance: time.Minute, answer: `{"active":false}`, want: verify.ReasonInactive, calls: 2}, // revoked, seen after 5 min
		}},
		{name: "positive until exp", maxTTL: 2 * time.Hour, steps: []step{
			{answer: active("a", ""), calls: 1},
			{advance: 59 * time.Minute, calls: 1},
			{advance: time.Minute, answer: `{"active":false}`, want: verify.ReasonInactive, calls: 2},
		}},
		{name: "negative briefly", steps: []step{
			{answer: `{"active":false}`, want: verify.ReasonInactive, calls: 1},
			{advance: 9 * time.Second, answer: active("a", ""), want: verify.ReasonInactive, calls: 1},
			{advance: time.Second, calls: 2},
		}},
		{name: "local refusal cached briefly", steps: []step{
			{answer: `{"active":true,"aud":["https://other.example/"]}`, want: verify.ReasonInvalidAudience, calls: 1},
			{want: verify.ReasonInvalidAudience, calls: 1},
			{advance: 10 * time.Second, answer: active("a", ""), calls: 2},
		}},
		{name: "accepted within the leeway until its end", leeway: time.Minute, steps: []step{
			{answer: lagging, calls: 1},
			{advance: 29 * time.Second, calls: 1},
			{advance: time.Second, want: verify.ReasonExpired, calls: 2},
		}},
		{name: "outage never cached", steps: []step{
			{answer: "500", want: verify.ReasonUnavailable, calls: 1},
			{want: verify.ReasonUnavailable, calls: 2},
			{answer: active("a", ""), calls: 3},
			{calls: 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, nil)
			clk := newClock()
			cfg := p.config(clk)
			cfg.Cache.MaxTTL, cfg.Leeway = tt.maxTTL, tt.leeway
			c := newChecker(t, cfg)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				switch s.answer {
				case "":
				case "500":
					p.set(reply(500, ""))
				default:
					p.set(reply(200, s.answer))
				}
				_, err := c.Verify(context.Background(), hydraTok, s.need)
				if got := verify.ReasonOf(err); got != s.want {
					t.Fatalf("step %d: Verify = %v, want %q", i, err, s.want)
				}
				if n := p.calls.Load(); n != s.calls {
					t.Fatalf("step %d: remote calls = %d, want %d", i, n, s.calls)
				}
			}
		})
	}
}

// TestCacheSeparatesTokens checks that an accepted token's entry answers
// for it alone.
func TestCacheSeparatesTokens(t *testing.T) {
	p := newProvider(t, reply(200, active("a", "")))
	c := newChecker(t, p.config(newClock()))
	if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{}); err != nil {
		t.Fatal(err)
	}
	p.set(reply(200, `{"active":false}`))
	if _, err := c.Verify(context.Background(), hydraTok2, verify.ScopeRule{}); verify.ReasonOf(err) != verify.ReasonInactive {
		t.Fatalf("second token = %v, want inactive", err)
	}
}

// sharedStore is a Store two Checkers share, as replicas would share one.
type sharedStore struct {
	m   map[introspect.Key]introspect.Entry
	all *introspect.Entry // when set, answered for every key
}

func (s *sharedStore) Get(k introspect.Key) (introspect.Entry, bool) {
	if s.all != nil {
		return *s.all, true
	}
	e, ok := s.m[k]
	return e, ok
}

func (s *sharedStore) Set(k introspect.Key, e introspect.Entry) { s.m[k] = e }

// TestBrokenStoreEntry checks that an entry a Store corrupted is the
// server's fault, never the token's.
func TestBrokenStoreEntry(t *testing.T) {
	for _, reason := range []verify.Reason{"", "no_such_reason"} {
		store := &sharedStore{m: map[introspect.Key]introspect.Entry{}}
		cfg := introspect.Config{URL: "https://127.0.0.1:9/i", ClientAuth: introspect.ClientNone, InsecureSkipAudienceCheck: true,
			Cache: introspect.CacheConfig{Store: store, HashKey: make([]byte, 32)}, Now: newClock().Now}
		// The store answers a broken entry for every key: no remote call.
		store.all = &introspect.Entry{Reason: reason, Expires: t0.Add(time.Hour)}
		c := newChecker(t, cfg)
		if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{}); verify.ReasonOf(err) != verify.ReasonUnavailable {
			t.Fatalf("reason %q: Verify = %v, want unavailable", reason, err)
		}
	}
}

// TestSharedStore checks that replicas with one Store and one HashKey ask
// the provider once, and that without the HashKey they cannot share.
func TestSharedStore(t *testing.T) {
	for _, tt := range []struct {
		name  string
		key   []byte
		calls int64
	}{
		{name: "same hash key", key: []byte("0123456789abcdef0123456789abcdef"), calls: 1},
		{name: "random hash keys", calls: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, reply(200, active("a", "")))
			store := &sharedStore{m: map[introspect.Key]introspect.Entry{}}
			for range 2 {
				cfg := p.config(newClock())
				cfg.Cache.Store, cfg.Cache.HashKey = store, tt.key
				c := newChecker(t, cfg)
				if _, err := c.Verify(context.Background(), hydraTok, verify.ScopeRule{}); err != nil {
					t.Fatal(err)
				}
			}
			if n := p.calls.Load(); n != tt.calls {
				t.Fatalf("remote calls = %d, want %d", n, tt.calls)
			}
		})
	}
}

// warmChecker returns a Checker that has cached hydraTok, and the
// requirement the benchmarks check on every hit.
func warmChecker(b *testing.B) (*introspect.Checker, verify.ScopeRule) {
	p := newProvider(b, reply(200, active("sms.text:send_to_subscriber phone", "")))
	c := newChecker(b, p.config(newClock()))
	need := verify.ScopeRule{AllOf: []string{"phone"}}
	if _, err := c.Verify(context.Background(), hydraTok, need); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if p.calls.Load() != 1 {
			b.Errorf("remote calls = %d", p.calls.Load())
		}
	})
	return c, need
}

func BenchmarkCacheHit(b *testing.B) {
	c, need := warmChecker(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Verify(ctx, hydraTok, need); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCacheHitSerial(b *testing.B) {
	c, need := warmChecker(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Verify(ctx, hydraTok, need); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSharedStoreSeparatesConfigs checks that Checkers sharing a Store and
// a HashKey but checking differently never answer from each other's
// entries: an answer accepted for one audience, issuer or scope reading
// must not be accepted under another.
func TestSharedStoreSeparatesConfigs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*introspect.Config)
		want verify.Reason // the second Checker's answer
	}{
		{name: "other audience", edit: func(c *introspect.Config) { c.Audiences = []string{"https://admin.example.com/"} },
			want: verify.ReasonInvalidAudience},
		{name: "other issuer", edit: func(c *introspect.Config) { c.Issuer = "https://other.example/" },
			want: verify.ReasonInvalidIssuer},
		{name: "whole scope", edit: func(c *introspect.Config) { c.WholeScope = true },
			want: verify.ReasonInsufficientScope},
		// RFC 7662 §2.2: the endpoint may answer each protected resource
		// differently; this one calls the token active for "rs" only.
		{name: "other client", edit: func(c *introspect.Config) { c.ClientID = "rs2" },
			want: verify.ReasonInactive},
		{name: "same settings share", edit: func(*introspect.Config) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, func(w http.ResponseWriter, r *http.Request) {
				if id, _, _ := r.BasicAuth(); id != "rs" {
					reply(200, `{"active":false}`)(w, r)
					return
				}
				reply(200, active("a b", ""))(w, r)
			})
			store := &sharedStore{m: map[introspect.Key]introspect.Entry{}}
			need := verify.ScopeRule{AllOf: []string{"a"}}
			cfg := p.config(newClock())
			cfg.Cache.Store, cfg.Cache.HashKey = store, []byte("0123456789abcdef0123456789abcdef")
			if _, err := newChecker(t, cfg).Verify(context.Background(), hydraTok, need); err != nil {
				t.Fatal(err)
			}
			tt.edit(&cfg)
			_, err := newChecker(t, cfg).Verify(context.Background(), hydraTok, need)
			if got := verify.ReasonOf(err); got != tt.want {
				t.Fatalf("second Checker: Verify = %v, want %q", err, tt.want)
			}
		})
	}
}
