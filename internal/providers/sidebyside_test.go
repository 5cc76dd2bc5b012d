package providers_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"
	"google.golang.org/grpc/codes"
)

// TestSideBySide calls the HTTP and gRPC servers all at once with wgtwo's
// three kinds of token: a JWT access token (verified offline), an opaque
// client-credentials token (introspected) and an opaque user token (checked
// at userinfo). Every call passes, and each opaque token costs its
// endpoint exactly one request however many calls carry it at the same
// time (they share one remote call, later ones hit the cache); the JWT
// costs none.
func TestSideBySide(t *testing.T) {
	w := newWorld(t, wgtwo())
	user := w.authorize(t, w.userApp(), "nonce-0123")
	callers := []struct {
		route route
		ts    oauth2.TokenSource
		who   string
	}{
		{remoteRoute, w.basic("wgtwo-jwt", "jwt-secret").TokenSource(w.ctx), "client=wgtwo-jwt"},
		{remoteRoute, w.basic("wgtwo-app", "s3cret/+:=").TokenSource(w.ctx), "client=wgtwo-app"},
		{userRoute, w.userApp().TokenSource(w.ctx, user), "sub="},
	}
	const each = 8 // calls per token and transport
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range callers {
		for range each {
			wg.Go(func() {
				<-start
				resp, body, err := w.get(t.Context(), c.route, c.ts)
				if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(body, c.who) {
					t.Errorf("%v over HTTP: %v %q (%v), want 200 for %s", c.route, resp, body, err, c.who)
				}
			})
			wg.Go(func() {
				<-start
				if code, got := w.call(t.Context(), c.route, c.ts); code != codes.OK || !strings.Contains(got, c.who) {
					t.Errorf("%v over gRPC: %v %q, want OK for %s", c.route, code, got, c.who)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	if n, m := w.introspections(), w.userinfos(); n != 1 || m != 1 {
		t.Fatalf("%d introspection and %d userinfo requests for %d calls per token, want 1 each", n, m, 2*each)
	}
}
