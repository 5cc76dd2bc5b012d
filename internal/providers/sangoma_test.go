package providers_test

import (
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

const year = 365 * 24 * time.Hour

// TestSangoma checks Sangoma CPaaS's assumptions: client credentials go by
// HTTP Basic; access tokens live one year; their format is undocumented,
// so they are opaque here (Hydra v2's "ory_at_" form) and checked
// remotely by an introspection endpoint that wants the checker's own
// Basic credentials; scopes are "cx." names and a route requires the
// family with ScopeRule{AnyPrefix: {"cx."}}.
func TestSangoma(t *testing.T) {
	w := newWorld(t, provider{
		issuer: issuertest.Config{AccessTokenFormat: issuertest.TokenFormatHydraV2, IntrospectAuth: issuertest.IntrospectAuthClient},
		clients: []issuertest.Client{
			{ID: "cx-app", Secret: "cx-secret", Scopes: []string{"cx.agent-calls", "cx.queue-calls"}, TokenTTL: year},
			{ID: "other-app", Secret: "other-secret", Scopes: []string{"cxagent-calls", "reports"}, TokenTTL: year},
			{ID: "resource-server", Secret: "rs-secret"},
		},
		remote: func(iss *issuertest.Server) introspect.Config {
			return introspect.Sangoma(iss.IntrospectURL(), "resource-server", "rs-secret")
		},
		need: verify.ScopeRule{AnyPrefix: []string{"cx."}},
	})

	ts := w.basic("cx-app", "cx-secret").TokenSource(w.ctx)
	tok := token(t, ts)
	if lives := time.Until(tok.Expiry); lives < year-time.Hour || lives > year {
		t.Fatalf("token expires in %v, want one year", lives)
	}
	if introspect.IsJWT(tok.AccessToken) {
		t.Fatalf("access token %q is a JWT", tok.AccessToken)
	}
	before := w.introspections()
	got := w.expect(t, remoteRoute, ts, accepted)
	if want := "sub=cx-app client=cx-app scopes=cx.agent-calls,cx.queue-calls"; got != want {
		t.Fatalf("caller %q, want %q", got, want)
	}
	if n := w.introspections() - before; n != 1 {
		t.Fatalf("%d introspection requests for one token over HTTP and gRPC, want 1", n)
	}

	t.Run("no cx scope", func(t *testing.T) {
		w.expect(t, remoteRoute, w.basic("other-app", "other-secret").TokenSource(w.ctx), forbidden)
	})

	t.Run("a year later", func(t *testing.T) {
		// Checked again after each cache lifetime, the token stays good
		// for the whole year and no longer.
		w.clock.Advance(year - time.Hour)
		w.expect(t, remoteRoute, ts, accepted)
		w.clock.Advance(time.Hour)
		w.expect(t, remoteRoute, ts, refused)
	})
}
