package introspect_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/introspect"
)

// Tokens of the providers' shapes.
const (
	hydraTok  = "ih_iwZar30-sjSJiJkBRsNePNZ_MGjhmhgAwMg6tLr0.YzzYG3UIUOb9W8XFZkUQ1S0OuIJE5mvmSGsO1cBx_RE"
	hydraTok2 = "bwZyW0-M6RXOqInIZej2whGk0DEtuM8XvP35bPbE-xw.D6FkDLByvChH3UNdTSmzok7Q8ZuxpDVnpQgpddc_GEU"
	hexTok    = "7332170a208e270bc922d8ca54a5091f"
)

// t0 is the fixed test clock's start; exp etc. in responses are relative to it.
var t0 = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// clock is an injected, manually advanced clock.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(t0.UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// provider is a loopback TLS endpoint whose answer the test sets; it
// counts calls and records the last request.
type provider struct {
	srv   *httptest.Server
	pool  *x509.CertPool
	calls atomic.Int64

	mu      sync.Mutex
	handler http.HandlerFunc
	last    *http.Request
	form    map[string][]string
}

func newProvider(t testing.TB, h http.HandlerFunc) *provider {
	t.Helper()
	cert, pool, err := testcert.Loopback("provider")
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{pool: pool, handler: h}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		r.ParseForm()
		p.mu.Lock()
		p.last, p.form = r, r.PostForm
		h := p.handler
		p.mu.Unlock()
		h(w, r)
	}))
	p.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) set(h http.HandlerFunc) {
	p.mu.Lock()
	p.handler = h
	p.mu.Unlock()
}

func (p *provider) request() (*http.Request, map[string][]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.form
}

// reply answers with status and body as JSON.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// config is an introspection Config for p with a fixed clock.
func (p *provider) config(clk *clock) introspect.Config {
	return introspect.Config{
		URL:          p.srv.URL + "/oauth2/introspect",
		ClientID:     "rs",
		ClientSecret: "s3cret",
		Issuer:       "https://id.wgtwo.com/",
		Audiences:    []string{"https://api.example.com/"},
		RootCAs:      p.pool,
		Now:          clk.Now,
	}
}

func newChecker(t testing.TB, cfg introspect.Config) *introspect.Checker {
	t.Helper()
	c, err := introspect.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// unix returns t0+d as a NumericDate string.
func unix(d time.Duration) string { return strconv.FormatInt(t0.Add(d).Unix(), 10) }

// active is a Hydra-shaped active introspection answer, valid for an hour
// from t0, with extra members appended.
func active(scope string, extra string) string {
	return `{"active":true,"scope":"` + scope + `","client_id":"svc","sub":"svc","exp":` + unix(time.Hour) +
		`,"iat":` + unix(0) + `,"nbf":` + unix(0) + `,"aud":["https://api.example.com/"],"iss":"https://id.wgtwo.com/","token_type":"Bearer","token_use":"access_token"` + extra + `}`
}
