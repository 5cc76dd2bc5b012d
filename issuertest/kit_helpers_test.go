package issuertest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// fakeClock is a Config.Now that tests move forward; handlers read it from
// other goroutines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: fixedNow} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// auth is how a test request authenticates: HTTP Basic (user != ""), form
// fields (post), a raw Authorization header, or nothing.
type auth struct {
	user, pass string
	post       bool
	raw        string
}

var noAuth = auth{}

func basic(user, pass string) auth { return auth{user: user, pass: pass} }
func post(user, pass string) auth  { return auth{user: user, pass: pass, post: true} }
func bearer(tok string) auth       { return auth{raw: "Bearer " + tok} }

// postForm posts form to u with a, returning status, header and body.
func postForm(t testing.TB, s *Server, u string, form url.Values, a auth) (int, http.Header, string) {
	t.Helper()
	form = cloneValues(form)
	if a.post {
		form.Set("client_id", a.user)
		form.Set("client_secret", a.pass)
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	switch {
	case a.raw != "":
		req.Header.Set("Authorization", a.raw)
	case a.user != "" && !a.post:
		req.SetBasicAuth(a.user, a.pass)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// ccToken obtains a client_credentials token with x/oauth2.
func ccToken(t testing.TB, s *Server, id, secret string, style oauth2.AuthStyle, scopes ...string) *oauth2.Token {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: s.TokenURL(), Scopes: scopes, AuthStyle: style}
	tok, err := cc.Token(withClient(t, s))
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	return tok
}

// withClient is t's context carrying the server's HTTP client for x/oauth2.
func withClient(t testing.TB, s *Server) context.Context {
	return context.WithValue(t.Context(), oauth2.HTTPClient, s.Client())
}
