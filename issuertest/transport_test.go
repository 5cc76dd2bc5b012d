package issuertest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestTransport(t *testing.T) {
	for _, tls := range []bool{false, true} {
		s := newTestServer(t, Config{TLS: tls})
		s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"a"}})
		c := &http.Client{Transport: s.Transport()}

		cc := clientcredentials.Config{ClientID: "c", ClientSecret: "s", TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(context.WithValue(t.Context(), oauth2.HTTPClient, c))
		if err != nil {
			t.Fatalf("tls=%v: token via Transport: %v", tls, err)
		}
		resp, err := c.Get(s.JWKSURL())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Request == nil {
			t.Errorf("tls=%v: JWKS via Transport: %d %q %s", tls, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if _, _, err := verify(tok.AccessToken, mustKeys(t, s), fixedNow); err != nil {
			t.Errorf("tls=%v: token from Transport does not verify: %v", tls, err)
		}
		if s.JWKSRequests() != 2 || s.TokenRequests() != 1 {
			t.Errorf("tls=%v: counters %d, %d, want 2, 1", tls, s.JWKSRequests(), s.TokenRequests())
		}

		if _, err := c.Get("http://example.com/.well-known/jwks.json"); err == nil {
			t.Errorf("tls=%v: Transport served another host", tls)
		}
		s.SetFault(Fault{CloseConn: true})
		if _, err := c.Get(s.JWKSURL()); !errors.Is(err, errConnClosed) {
			t.Errorf("tls=%v: CloseConn via Transport: err = %v, want errConnClosed", tls, err)
		}
		s.Close()
		if _, err := c.Get(s.JWKSURL()); err == nil {
			t.Errorf("tls=%v: Transport served after Close", tls)
		}
	}
}

// TestTransportDelayOnFakeClock: in a synctest bubble the Fault delay runs
// on the bubble's clock and ends exactly on time or with the request.
func TestTransportDelayOnFakeClock(t *testing.T) {
	s := newTestServer(t, Config{})
	s.SetFault(Fault{Delay: time.Minute})
	synctest.Test(t, func(t *testing.T) {
		c := &http.Client{Transport: s.Transport()}
		start := time.Now()
		resp, err := c.Get(s.JWKSURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); d != time.Minute || resp.StatusCode != 200 {
			t.Errorf("delayed GET took %v with status %d, want exactly 1m and 200", d, resp.StatusCode)
		}

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.JWKSURL(), nil)
		start = time.Now()
		if resp, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			if err == nil {
				resp.Body.Close()
			}
			t.Errorf("request with a 10s deadline through a 1m delay: err = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 10*time.Second {
			t.Errorf("cancelled request returned after %v, want 10s", d)
		}
	})
}

// TestTransportIntrospectFault: faults on other endpoints also run on the
// bubble's clock over Transport.
func TestTransportIntrospectFault(t *testing.T) {
	s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydra})
	tok := s.IssueAccessToken("c", "a")
	s.SetFaultOn(EndpointIntrospect, Fault{Delay: 30 * time.Second})
	synctest.Test(t, func(t *testing.T) {
		c := &http.Client{Transport: s.Transport()}
		start := time.Now()
		resp, err := c.PostForm(s.IntrospectURL(), url.Values{"token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if d := time.Since(start); d != 30*time.Second || !strings.HasPrefix(string(body), `{"active":true`) {
			t.Errorf("delayed introspection took %v and answered %s, want exactly 30s and active", d, body)
		}
	})
}
