package verify

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// fuzzFixture returns two verifiers with the same configuration, one
// without and one with the token cache, and a fixed token signed once;
// FuzzVerify must accept it and nothing else derived from it.
func fuzzFixture(t testing.TB) (full, cached *Verifier, good string) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	set := testSet(t, testKey(t, testKID, "RS256", testkeys.RSA2048(0).Public()),
		testKey(t, "es", "ES256", testkeys.ECP256().Public()))
	cfg := Config{
		Issuers:     []Issuer{{Name: testIssuer, Keys: set}},
		Audiences:   []string{testAudience},
		Algorithms:  []string{"RS256", "ES256", "PS256"},
		Leeway:      time.Minute,
		MaxLifetime: 2 * time.Hour,
		Now:         func() time.Time { return now },
	}
	cached, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.TokenCache = TokenCacheConfig{Disable: true}
	full, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return full, cached, mint(t, hydraClaims(now))
}

// FuzzVerify: Verify never panics, and accepts no token other than the one
// that was signed (any mutation must be refused). A verifier with the token
// cache (which has cached the good token) decides every input exactly as
// the one without it, on a miss and on a repeat.
func FuzzVerify(f *testing.F) {
	v, vc, good := fuzzFixture(f)
	if _, err := vc.Verify(context.Background(), good, ScopeRule{}); err != nil {
		f.Fatal(err)
	}
	p := strings.Split(good, ".")
	// Validly signed tokens that must be refused: ID tokens on this
	// access-token verifier, and a lifetime over MaxLifetime.
	refused := []string{
		mint(f, with(hydraClaims(testNow), "client_id", nil, "scp", nil, "nonce", "n", "at_hash", "x", "auth_time", testNow.Unix())),
		mint(f, with(hydraClaims(testNow), "auth_time", testNow.Unix(), "client_id", nil, "scp", nil)),
		mint(f, with(hydraClaims(testNow), "c_hash", "x")),
		mint(f, with(hydraClaims(testNow), "exp", testNow.Add(24*time.Hour).Unix())),
	}
	signed := map[string]bool{signingInput(good): true} // what our keys signed
	for _, tok := range refused {
		signed[signingInput(tok)] = true
		f.Add(tok)
	}
	for _, s := range []string{
		good, "", ".", "..", "...", p[0] + "." + p[1] + ".", p[0] + ".." + p[2], good + ".x.y",
		"ory_at_" + strings.Repeat("a", 43) + "." + strings.Repeat("b", 43),
		b64url([]byte(`{"alg":"none"}`)) + "." + p[1] + ".",
		b64url([]byte(`{"alg":"RS256","alg":"none"}`)) + "." + p[1] + "." + p[2],
		b64url([]byte(`{"alg":"RS256","crit":["b64"],"b64":false}`)) + "." + p[1] + "." + p[2],
		b64url([]byte(`{"alg":"ES256","kid":"es"}`)) + "." + p[1] + "." + p[2],
		p[0] + "." + b64url([]byte(`{"exp":1e400}`)) + "." + p[2],
		p[0] + "." + b64url([]byte(strings.Repeat("[", 200))) + "." + p[2],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok, ScopeRule{})
		for i := range 2 {
			if _, cerr := vc.Verify(context.Background(), tok, ScopeRule{}); ReasonOf(cerr) != ReasonOf(err) || (cerr == nil) != (err == nil) {
				t.Fatalf("with the token cache (call %d): %v; without: %v", i+1, cerr, err)
			}
		}
		if err == nil {
			if tok != good {
				t.Fatalf("accepted a mutated token %q", tok)
			}
			if c == nil || c.Issuer != testIssuer {
				t.Fatalf("accepted with claims %+v", c)
			}
			return
		}
		if ReasonOf(err) == "" {
			t.Fatalf("error without reason: %v", err)
		}
		if err := v.verifySignatureOnly(context.Background(), tok); err == nil && !signed[signingInput(tok)] {
			// Only signing inputs we signed verify under our keys.
			t.Fatalf("signature verified for a different signing input %q", tok)
		}
	})
}

// signingInput is tok up to its last dot.
func signingInput(tok string) string {
	return tok[:max(0, strings.LastIndexByte(tok, '.'))]
}

// FuzzScopes: normalizeScopes never panics and returns distinct, non-empty
// tokens without spaces; every token occurs in the input.
func FuzzScopes(f *testing.F) {
	for _, s := range [][2]string{
		{`"a b c"`, `["c","d"]`}, {`"  a  "`, ``}, {`["a b"]`, `"a"`}, {`1`, ``}, {`["a",1]`, ``},
		{`"\u0061 \ud83d\ude00"`, `[]`}, {`null`, `"x"`}, {`"` + strings.Repeat("s ", 100) + `"`, ``}, {`[`, `"`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, scope, scp string) {
		got, bad := normalizeScopes(nil, []string{scope, scp})
		if bad != "" {
			return
		}
		seen := map[string]bool{}
		for _, s := range got {
			if s == "" || strings.Contains(s, " ") || seen[s] {
				t.Fatalf("bad token %q in %q", s, got)
			}
			seen[s] = true
		}
		again, _ := normalizeScopes(nil, []string{scope, scp})
		if !slices.Equal(got, again) {
			t.Fatal("not deterministic")
		}
	})
}

var _ jwks.Source = rogueSource{}
