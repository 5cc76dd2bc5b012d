package multitenant

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/internal/tokentest"
)

// fakeIdP is a multi-tenant issuer on loopback: tenant t's issuer is
// URL/t/v2.0, its discovery document and key set (testkeys.RSA2048(0)
// as tokentest.KID) live under it. It counts every request.
type fakeIdP struct {
	srv       *httptest.Server
	allow     func(tenant string) bool
	requests  atomic.Int64 // every request, served or not
	discovery atomic.Int64
	keys      atomic.Int64

	// With hold set, discovery requests signal entered and then wait for
	// release or their own context.
	hold    bool
	entered chan struct{}
	release chan struct{}
}

func newFakeIdP(t testing.TB, allow func(string) bool) *fakeIdP {
	f := &fakeIdP{allow: allow, entered: make(chan struct{}, 16), release: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func allowAll(string) bool { return true }

func (f *fakeIdP) pattern() string             { return f.srv.URL + "/{tenant}/v2.0" }
func (f *fakeIdP) issuer(tenant string) string { return f.srv.URL + "/" + tenant + "/v2.0" }

var jwksDoc = func() string {
	pub := testkeys.RSA2048(0).PublicKey
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	return fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":%q,"use":"sig","alg":"RS256","n":%q,"e":"AQAB"}]}`, tokentest.KID, n)
}()

func (f *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	seg := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3) // tenant, v2.0, rest
	if len(seg) != 3 || seg[1] != "v2.0" || !f.allow(seg[0]) {
		http.NotFound(w, r)
		return
	}
	iss := f.issuer(seg[0])
	w.Header().Set("Content-Type", "application/json")
	switch seg[2] {
	case ".well-known/openid-configuration":
		f.discovery.Add(1)
		if f.hold {
			f.entered <- struct{}{}
			select {
			case <-f.release:
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, iss, iss+"/keys")
	case "keys":
		f.keys.Add(1)
		fmt.Fprint(w, jwksDoc)
	default:
		http.NotFound(w, r)
	}
}

// clock is an advanceable clock for the new-issuer budget and failure
// memory.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newResolver builds a Resolver for plain-HTTP loopback issuers on a
// fake clock and closes it at cleanup.
func newResolver(t testing.TB, cfg Config) (*Resolver, *clock) {
	t.Helper()
	cfg.Keys.InsecureAllowHTTP = true
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: tokentest.Now()}
	r.now = clk.Now
	t.Cleanup(func() { r.Close() })
	return r, clk
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
