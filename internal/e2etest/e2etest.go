// Package e2etest wires the stack every end-to-end test starts from: an
// issuertest issuer, a jwks.Cache on its JWKS and a verify.Verifier over
// that cache, recording every decision. The httpmw, grpcmw and reliability
// tests build their transports on top of it. For tests only.
package e2etest

import (
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// Options adjusts the stack. The zero value is a plain-HTTP issuer with
// default keys, a cache with its defaults (InsecureAllowHTTP set for the
// loopback issuer when TLS is off) and a verifier accepting the issuer
// with audience skipped unless Verify.Audiences is set.
type Options struct {
	// Issuer configures the test issuer.
	Issuer issuertest.Config
	// Cache configures the key cache; URL and HTTPClient are filled in.
	Cache jwks.Config
	// Verify configures the verifier; Issuers is filled in and
	// OnDecision is wrapped so Stack records every decision.
	Verify verify.Config
}

// Stack is the running issuer, key cache and verifier. Test cleanup closes
// them.
type Stack struct {
	Issuer   *issuertest.Server
	Keys     *jwks.Cache
	Verifier *verify.Verifier

	mu        sync.Mutex
	decisions []verify.Decision
}

// New starts the stack; t's cleanup stops it.
func New(t testing.TB, o Options) *Stack {
	t.Helper()
	s := &Stack{}
	s.Issuer = issuertest.NewServer(o.Issuer)
	t.Cleanup(s.Issuer.Close)
	cc := o.Cache
	cc.URL = s.Issuer.JWKSURL()
	cc.HTTPClient = s.Issuer.Client()
	if !o.Issuer.TLS {
		cc.InsecureAllowHTTP = true
	}
	var err error
	s.Keys, err = jwks.New(t.Context(), cc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Keys.Close() })
	vc := o.Verify
	vc.Issuers = []verify.Issuer{{Name: s.Issuer.Issuer(), Keys: s.Keys}}
	if len(vc.Audiences) == 0 && !vc.InsecureSkipAudienceCheck {
		// Without an audience anywhere the issuer's tokens carry
		// "aud": [], Hydra's default, which only a skipped check accepts.
		vc.Audiences = o.Issuer.Audience
		vc.InsecureSkipAudienceCheck = len(vc.Audiences) == 0
	}
	next := vc.OnDecision
	vc.OnDecision = func(d verify.Decision) {
		s.mu.Lock()
		s.decisions = append(s.decisions, d)
		s.mu.Unlock()
		if next != nil {
			next(d)
		}
	}
	s.Verifier, err = verify.New(vc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Decisions returns a copy of every decision the verifier made so far.
func (s *Stack) Decisions() []verify.Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]verify.Decision(nil), s.decisions...)
}
