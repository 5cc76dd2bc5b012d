package multitenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

func TestNewValidates(t *testing.T) {
	const p = "https://kc.example.com/realms/{tenant}"
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"no patterns", Config{}},
		{"bad pattern", Config{Patterns: []string{"https://kc.example.com/realms/*"}}},
		{"repeated pattern", Config{Patterns: []string{p, p}}},
		{"keys URL", Config{Patterns: []string{p}, Keys: jwks.Config{URL: "https://kc.example.com/keys"}}},
		{"keys issuer", Config{Patterns: []string{p}, Keys: jwks.Config{Issuer: "https://kc.example.com/"}}},
		{"two event hooks", Config{Patterns: []string{p}, OnEvent: func(string, jwks.Event) {}, Keys: jwks.Config{OnEvent: func(jwks.Event) {}}}},
		{"negative max", Config{Patterns: []string{p}, MaxIssuers: -1}},
		{"negative rate", Config{Patterns: []string{p}, NewIssuersPerMinute: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := New(tt.cfg); err == nil {
				r.Close()
				t.Fatal("accepted")
			} else if !strings.HasPrefix(err.Error(), "multitenant: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestSetUpOnce: concurrent first uses of one issuer share one setup (one
// discovery and one key fetch) and the same cache; later uses fetch
// nothing.
func TestSetUpOnce(t *testing.T) {
	f := newFakeIdP(t, allowAll)
	r, _ := newResolver(t, Config{Patterns: []string{f.pattern()}})
	const n = 32
	srcs := make([]jwks.Source, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			src, err := r.Resolve(context.Background(), f.issuer("t1"))
			if err != nil {
				t.Error(err)
			}
			srcs[i] = src
		})
	}
	wg.Wait()
	for _, s := range srcs[1:] {
		if s != srcs[0] {
			t.Fatal("callers got different sources")
		}
	}
	if _, err := r.Resolve(context.Background(), f.issuer("t1")); err != nil {
		t.Fatal(err)
	}
	if d, k := f.discovery.Load(), f.keys.Load(); d != 1 || k != 1 {
		t.Errorf("fetches: discovery %d, keys %d; want 1, 1", d, k)
	}
	if _, err := srcs[0].Key(context.Background(), tokentest.KID, "RS256"); err != nil {
		t.Errorf("tenant key: %v", err)
	}
}

// fakeToken is a token with the given iss and a signature nobody checks:
// issuer selection happens before any key lookup, so a storm needs no RSA
// work to build.
func fakeToken(iss string) string {
	header := b64(`{"alg":"RS256","kid":"` + tokentest.KID + `"}`)
	payload := b64(fmt.Sprintf(`{"iss":%q,"aud":%q,"exp":%d,"iat":%d}`, iss, tokentest.Audience,
		tokentest.Now().Unix()+3600, tokentest.Now().Unix()))
	return header + "." + payload + "." + b64(strings.Repeat("s", 256))
}

// TestStorm: 10 000 tokens with random issuers that match no pattern
// fetch nothing; 10 000 with random matching tenants set up exactly the
// per-minute budget and no more, and another budget a minute later; the
// caches held stay within MaxIssuers.
func TestStorm(t *testing.T) {
	const perMinute, maxIssuers, tokens = 5, 3, 10000
	f := newFakeIdP(t, allowAll)
	r, clk := newResolver(t, Config{Patterns: []string{f.pattern()}, NewIssuersPerMinute: perMinute, MaxIssuers: maxIssuers})
	v, err := verify.New(verify.Config{Resolver: r, Audiences: []string{tokentest.Audience}, Now: tokentest.Now})
	if err != nil {
		t.Fatal(err)
	}
	base := f.srv.URL
	nonMatching := []func(i int) string{
		func(i int) string { return fmt.Sprintf("https://evil%d.example/t/v2.0", i) },
		func(i int) string { return fmt.Sprintf("%s/t%d/v2.0/", base, i) },
		func(i int) string { return fmt.Sprintf("%s/t%d/x/v2.0", base, i) },
		func(i int) string { return fmt.Sprintf("%s/t%%2F%d/v2.0", base, i) },
		func(i int) string { return fmt.Sprintf("%s/%s%d/v2.0", base, strings.Repeat("a", 64), i) },
		func(int) string { return base + "/../v2.0" },
		func(i int) string { return fmt.Sprintf("%s:1/t%d/v2.0", base, i) },
	}
	storm := func(iss func(i int) string, want verify.Reason) {
		t.Helper()
		for i := range tokens {
			_, err := v.Verify(context.Background(), fakeToken(iss(i)), verify.ScopeRule{})
			if got := verify.ReasonOf(err); got != want {
				t.Fatalf("token %d (iss %q): %q, want %q (%v)", i, iss(i), got, want, err)
			}
		}
	}
	storm(func(i int) string { return nonMatching[i%len(nonMatching)](i) }, verify.ReasonInvalidIssuer)
	if n := f.requests.Load(); n != 0 || r.Len() != 0 {
		t.Fatalf("non-matching storm: %d requests, %d issuers held; want 0, 0", n, r.Len())
	}

	// Matching tenants: the first perMinute are set up (their signature
	// is then wrong, which may refetch the key set once per cache, the
	// jwks cooldown's bound), the rest are refused as unavailable.
	matchingStorm := func(prefix string) {
		t.Helper()
		d0, k0, refused := f.discovery.Load(), f.keys.Load(), 0
		for i := range tokens {
			_, err := v.Verify(context.Background(), fakeToken(f.issuer(fmt.Sprintf("%s-%d", prefix, i))), verify.ScopeRule{})
			switch {
			case i < perMinute && verify.ReasonOf(err) == verify.ReasonInvalidSignature:
			case i >= perMinute && errors.Is(err, ErrTooManyNew) && verify.ReasonOf(err) == verify.ReasonUnavailable:
				refused++
			default:
				t.Fatalf("token %d: %v", i, err)
			}
		}
		d, k := f.discovery.Load()-d0, f.keys.Load()-k0
		if d != perMinute || k < perMinute || k > 2*perMinute || refused != tokens-perMinute {
			t.Fatalf("%s storm: %d discovery and %d key fetches, %d refused; want %d, %d to %d, %d",
				prefix, d, k, refused, perMinute, perMinute, 2*perMinute, tokens-perMinute)
		}
		if r.Len() != maxIssuers {
			t.Errorf("%d issuers held, want %d", r.Len(), maxIssuers)
		}
	}
	matchingStorm("tenant")
	clk.Advance(time.Minute) // the budget refills, once
	matchingStorm("later")
}
