package providers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// TestRemoteCache follows one opaque token through the remote checker's
// cache under real traffic: repeated calls do not reach the provider; a
// revocation is noticed once the positive entry (posTTL) has run out, and
// the refusal is then remembered for negTTL.
func TestRemoteCache(t *testing.T) {
	tests := []struct {
		route route
		// token issues a token for the route and returns a func revoking
		// it through the issuer's RFC 7009 endpoint.
		token    func(t *testing.T, w *world) (tok string, revoke func())
		endpoint issuertest.Endpoint
	}{
		{remoteRoute, func(t *testing.T, w *world) (string, func()) {
			tok := token(t, w.basic("wgtwo-app", "s3cret/+:=").TokenSource(w.ctx)).AccessToken
			return tok, func() { w.revoke(t, tok, "wgtwo-app", "s3cret/+:=") }
		}, issuertest.EndpointIntrospect},
		{userRoute, func(t *testing.T, w *world) (string, func()) {
			tok := w.authorize(t, w.userApp(), "nonce-0123").AccessToken
			return tok, func() { w.revoke(t, tok, "wgtwo-user", "user-secret") }
		}, issuertest.EndpointUserinfo},
	}
	for _, tt := range tests {
		t.Run(tt.route.String(), func(t *testing.T) {
			w := newWorld(t, wgtwo())
			tok, revoke := tt.token(t, w)
			base := w.Issuer.Requests(tt.endpoint)
			step := func(name string, want outcome, remoteCalls int64) {
				t.Helper()
				w.expect(t, tt.route, static(tok), want)
				if n := w.Issuer.Requests(tt.endpoint) - base; n != remoteCalls {
					t.Fatalf("%s: %d %s requests in all, want %d", name, n, tt.endpoint, remoteCalls)
				}
			}
			step("first use", accepted, 1)
			step("second use", accepted, 1)
			revoke()
			step("revoked, still cached", accepted, 1)
			w.clock.Advance(posTTL - time.Second)
			step("revoked, cached until posTTL", accepted, 1)
			w.clock.Advance(time.Second)
			step("revoked, posTTL over", refused, 2)
			step("refusal cached", refused, 2)
			w.clock.Advance(negTTL)
			step("refusal expired, asked again", refused, 3)
		})
	}
}

// TestRemoteOutage makes the remote endpoint fail in each way an outage
// looks from the checker. A token never checked before is then answered
// 503 with Retry-After or Unavailable, never refused: the client keeps its
// good token. A token checked before the outage still passes from the
// cache, and once the fault clears the new token passes too, since an
// outage is never cached.
func TestRemoteOutage(t *testing.T) {
	hang := issuertest.Fault{Delay: time.Hour} // ended by the checker's Timeout
	tests := []struct {
		name     string
		route    route
		endpoint issuertest.Endpoint
		fault    issuertest.Fault
	}{
		{"introspection 503", remoteRoute, issuertest.EndpointIntrospect, issuertest.Fault{Status: http.StatusServiceUnavailable}},
		{"introspection hangs", remoteRoute, issuertest.EndpointIntrospect, hang},
		{"introspection drops the connection", remoteRoute, issuertest.EndpointIntrospect, issuertest.Fault{CloseConn: true}},
		{"introspection answers an HTML page", remoteRoute, issuertest.EndpointIntrospect,
			issuertest.Fault{Body: []byte("<html>maintenance</html>"), ContentType: "text/html"}},
		{"introspection refuses the checker", remoteRoute, issuertest.EndpointIntrospect, issuertest.Fault{Status: http.StatusUnauthorized}},
		{"userinfo 503", userRoute, issuertest.EndpointUserinfo, issuertest.Fault{Status: http.StatusServiceUnavailable}},
		{"userinfo hangs", userRoute, issuertest.EndpointUserinfo, hang},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := wgtwo()
			// Long enough for any loopback call on a loaded machine; the
			// hanging cases wait this long for each of HTTP and gRPC.
			p.timeout = time.Second
			w := newWorld(t, p)
			issue := func() string {
				if tt.route == userRoute {
					return w.authorize(t, w.userApp(), "nonce-0123").AccessToken
				}
				return w.Issuer.IssueAccessToken("wgtwo-app")
			}
			cached, fresh := issue(), issue()
			w.expect(t, tt.route, static(cached), accepted)

			w.Issuer.SetFaultOn(tt.endpoint, tt.fault)
			before := w.Issuer.Requests(tt.endpoint)
			w.expect(t, tt.route, static(fresh), unavailable)
			if got := w.lastReason(); got != verify.ReasonUnavailable {
				t.Fatalf("reason %q, want %q", got, verify.ReasonUnavailable)
			}
			if n := w.Issuer.Requests(tt.endpoint) - before; n != 2 {
				t.Fatalf("%d %s requests during the outage, want 2 (HTTP and gRPC each retried)", n, tt.endpoint)
			}
			w.expect(t, tt.route, static(cached), accepted)

			w.Issuer.SetFaultOn(tt.endpoint, issuertest.Fault{})
			w.expect(t, tt.route, static(fresh), accepted)
		})
	}
}
