package dpop_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// t0 is the tests' fixed start time.
var t0 = time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)

// clock is an injected clock that only moves when told.
type clock struct{ ns atomic.Int64 }

func clockAt(t time.Time) *clock         { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func newClock() *clock                   { return clockAt(t0) }
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

const (
	apiURL   = "https://api.example.com/v1/sms"
	apiToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" // opaque to dpop: only its hash is used
)

// newVerifier returns a Verifier on clk with cfg's other settings.
func newVerifier(t testing.TB, clk *clock, cfg dpop.Config) *dpop.Verifier {
	t.Helper()
	cfg.Now = clk.Now
	v, err := dpop.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// boundTo returns the claims of a token bound to jkt ("" for an unbound
// token), as a Checker would return them.
func boundTo(t testing.TB, jkt string) *verify.Claims {
	t.Helper()
	raw := `{"sub":"s"}`
	if jkt != "" {
		raw = `{"sub":"s","cnf":{"jkt":"` + jkt + `"}}`
	}
	c, err := verify.NewClaims(verify.Claims{Subject: "s"}, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get is a GET of apiURL with apiToken and proof.
func get(proofs ...string) dpop.Request {
	return dpop.Request{Method: "GET", URL: apiURL, AccessToken: apiToken, Proofs: proofs}
}

func newClient(clk *clock) *issuertest.DPoPClient { return issuertest.NewDPoPClient(clk.Now) }
