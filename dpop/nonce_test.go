package dpop_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

var secret = []byte(strings.Repeat("s", 32))

func TestServerNonce(t *testing.T) {
	clk := newClock()
	nonces, err := dpop.NewRotatingNonces(secret, time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, clk, dpop.Config{Nonces: nonces})
	cl := newClient(clk)
	c := boundTo(t, cl.JKT())
	withNonce := func(n any) string {
		return cl.ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{Claims: map[string]any{"nonce": n}})
	}
	n0, err := v.Nonce(t.Context())
	if err != nil || n0 == "" {
		t.Fatalf("Nonce = %q, %v", n0, err)
	}
	steps := []struct {
		name    string
		advance time.Duration
		nonce   any
		want    verify.Reason
	}{
		{name: "no nonce", nonce: nil, want: verify.ReasonUseDPoPNonce},
		{name: "wrong nonce", nonce: "not-the-nonce", want: verify.ReasonUseDPoPNonce},
		{name: "nonce of the wrong type", nonce: 7, want: verify.ReasonInvalidDPoPProof},
		{name: "current nonce", nonce: n0, want: ""},
		{name: "previous period's nonce", advance: time.Minute, nonce: n0, want: ""},
		{name: "two periods old", advance: time.Minute, nonce: n0, want: verify.ReasonUseDPoPNonce},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		if _, err := v.Check(t.Context(), get(withNonce(st.nonce)), c); verify.ReasonOf(err) != st.want {
			t.Fatalf("%s: %v; want %q", st.name, err, st.want)
		}
	}
	if n2, _ := v.Nonce(t.Context()); n2 == n0 {
		t.Fatal("nonce did not rotate")
	}
}

func TestNoNonceSource(t *testing.T) {
	clk := newClock()
	v := newVerifier(t, clk, dpop.Config{})
	if n, err := v.Nonce(t.Context()); n != "" || err != nil {
		t.Fatalf("Nonce = %q, %v; want none", n, err)
	}
	cl := newClient(clk)
	p := cl.ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{Claims: map[string]any{"nonce": "anything"}})
	if _, err := v.Check(t.Context(), get(p), boundTo(t, cl.JKT())); err != nil {
		t.Fatalf("a nonce is ignored without a NonceSource: %v", err)
	}
}

func TestNewRotatingNoncesRefuses(t *testing.T) {
	if _, err := dpop.NewRotatingNonces(secret[:31], time.Minute, nil); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := dpop.NewRotatingNonces(secret, time.Millisecond, nil); err == nil {
		t.Error("sub-second period accepted")
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  dpop.Config
		ok   bool
	}{
		{"zero", dpop.Config{}, true},
		{"one algorithm", dpop.Config{Algorithms: []string{"ES256"}}, true},
		{"empty algorithm list", dpop.Config{Algorithms: []string{}}, false},
		{"HS256", dpop.Config{Algorithms: []string{"HS256"}}, false},
		{"none", dpop.Config{Algorithms: []string{"none"}}, false},
		{"alg in other case", dpop.Config{Algorithms: []string{"es256"}}, false},
		{"MaxAge at limit", dpop.Config{MaxAge: 10 * time.Minute}, true},
		{"MaxAge too long", dpop.Config{MaxAge: 11 * time.Minute}, false},
		{"negative MaxAge", dpop.Config{MaxAge: -time.Second}, false},
		{"Leeway too long", dpop.Config{Leeway: 2 * time.Minute}, false},
		{"negative MaxProofBytes", dpop.Config{MaxProofBytes: -1}, false},
		{"Origin", dpop.Config{Origin: "https://API.example.com:443"}, true},
		{"Origin with slash", dpop.Config{Origin: "https://api.example.com/"}, true},
		{"Origin with path", dpop.Config{Origin: "https://api.example.com/v1"}, false},
		{"Origin with query", dpop.Config{Origin: "https://api.example.com?a"}, false},
		{"Origin relative", dpop.Config{Origin: "api.example.com"}, false},
		{"Origin ftp", dpop.Config{Origin: "ftp://api.example.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := dpop.NewVerifier(tt.cfg); (err == nil) != tt.ok {
				t.Fatalf("NewVerifier: %v; want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestAlgorithmsAndOrigin(t *testing.T) {
	clk := newClock()
	v := newVerifier(t, clk, dpop.Config{Algorithms: []string{"ES256", "PS256", "ES256"}})
	if got := v.Algorithms(); got != "ES256 PS256" {
		t.Fatalf("Algorithms = %q", got)
	}
	if got := newVerifier(t, clk, dpop.Config{}).Algorithms(); got != "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA" {
		t.Fatalf("default Algorithms = %q", got)
	}
	// A proof signed with an algorithm the Verifier does not list.
	v = newVerifier(t, clk, dpop.Config{Algorithms: []string{"PS256"}})
	cl := newClient(clk)
	if _, err := v.Check(t.Context(), get(cl.Proof("GET", apiURL, apiToken)), boundTo(t, cl.JKT())); verify.ReasonOf(err) != verify.ReasonInvalidDPoPProof {
		t.Fatalf("ES256 proof with PS256 only: %v", err)
	}
}
