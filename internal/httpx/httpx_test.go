package httpx_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/httpx"
	"github.com/jwtguard/jwtguard/internal/testcert"
)

func newClient(t *testing.T, cfg httpx.Config) *http.Client {
	t.Helper()
	c, err := httpx.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// loopbackTLS starts an empty TLS server whose certificate only the
// returned pool trusts.
func loopbackTLS(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	cert, pool, err := testcert.Loopback("issuer")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, pool
}

func request(t *testing.T, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// followAll is a caller's client that follows any redirect, as
// http.Client's default policy nearly does.
func followAll(tr http.RoundTripper) *http.Client {
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
}

func TestRedirectPolicy(t *testing.T) {
	first := []*http.Request{request(t, "https://id.example/jwks")}
	five := []*http.Request{first[0], first[0], first[0], first[0], first[0]}
	tests := []struct {
		name      string
		allowHTTP bool
		caller    bool // the policy wraps a caller's client that follows anything
		to        string
		via       []*http.Request
		ok        bool
	}{
		{"same host https", false, false, "https://id.example/keys", first, true},
		{"other host", false, false, "https://evil.example/keys", first, false},
		{"other port", false, false, "https://id.example:8443/keys", first, false},
		{"downgrade to http", false, false, "http://id.example/keys", first, false},
		{"other scheme", false, false, "ftp://id.example/keys", first, false},
		{"http allowed", true, false, "http://id.example/keys", first, true},
		{"too many", false, false, "https://id.example/keys", five, false},
		{"caller: same host https", false, true, "https://id.example/keys", first, true},
		{"caller: other host", false, true, "https://evil.example/keys", first, false},
		{"caller: downgrade to http", false, true, "http://id.example/keys", first, false},
		{"caller: too many", false, true, "https://id.example/keys", five, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := httpx.Config{InsecureAllowHTTP: tc.allowHTTP}
			if tc.caller {
				cfg.HTTPClient = followAll(nil)
			}
			err := newClient(t, cfg).CheckRedirect(request(t, tc.to), tc.via)
			if tc.ok != (err == nil) {
				t.Fatalf("CheckRedirect(%s) = %v, want ok=%v", tc.to, err, tc.ok)
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	c := newClient(t, httpx.Config{})
	if c.Timeout != httpx.DefaultTimeout || c.Jar != nil || c.CheckRedirect == nil {
		t.Errorf("default client: timeout %v jar %v redirect policy %v", c.Timeout, c.Jar, c.CheckRedirect != nil)
	}
	pool := x509.NewCertPool()
	c = newClient(t, httpx.Config{RootCAs: pool})
	if c.Timeout != httpx.DefaultTimeout || c.CheckRedirect == nil {
		t.Errorf("RootCAs client lost a default: timeout %v", c.Timeout)
	}
}

// A caller's client keeps its own settings, gets the rules in front of them,
// and is itself left unchanged.
func TestNewClientWrapsCallerClient(t *testing.T) {
	var asked atomic.Int64
	caller := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		asked.Add(1)
		return errors.New("caller says no")
	}}
	before := *caller
	c := newClient(t, httpx.Config{HTTPClient: caller})
	if c == caller || caller.Transport != nil || caller.Timeout != 0 || caller.Jar != before.Jar {
		t.Fatal("NewClient modified the caller's client")
	}
	if c.Timeout != httpx.DefaultTimeout {
		t.Errorf("zero caller timeout became %v, want %v", c.Timeout, httpx.DefaultTimeout)
	}
	first := []*http.Request{request(t, "https://id.example/a")}
	if err := c.CheckRedirect(request(t, "https://evil.example/b"), first); err == nil || asked.Load() != 0 {
		t.Errorf("cross-host redirect: %v (caller asked %d times), want refused before the caller", err, asked.Load())
	}
	if err := c.CheckRedirect(request(t, "https://id.example/b"), first); err == nil || asked.Load() != 1 {
		t.Errorf("same-host redirect: %v (caller asked %d times), want the caller's answer", err, asked.Load())
	}
	c = newClient(t, httpx.Config{HTTPClient: &http.Client{Timeout: 3 * time.Second}})
	if c.Timeout != 3*time.Second {
		t.Errorf("caller timeout 3s became %v", c.Timeout)
	}
}

// countingTransport counts requests that reach it.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("counted")
}

// The scheme rule holds in the transport, for every request, whatever the
// client's redirect policy. (The package's own client is checked the same
// way in ExampleNewClient.)
func TestSchemeGuard(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		allowHTTP bool
		reaches   bool
	}{
		{"https", "https://id.example/jwks", false, true},
		{"http", "http://id.example/jwks", false, false},
		{"http allowed", "http://id.example/jwks", true, true},
		{"ftp", "ftp://id.example/jwks", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &countingTransport{}
			c := newClient(t, httpx.Config{InsecureAllowHTTP: tc.allowHTTP, HTTPClient: followAll(tr)})
			_, err := c.Get(tc.url)
			if got := tr.n.Load() == 1; got != tc.reaches {
				t.Fatalf("GET %s reached the transport: %v (%v), want %v", tc.url, got, err, tc.reaches)
			}
			if !tc.reaches && (err == nil || !strings.Contains(err.Error(), "https only")) {
				t.Errorf("GET %s = %v, want refused as not https", tc.url, err)
			}
		})
	}
}

// Redirects between real servers: a caller's client that follows anything
// still cannot be sent to another host or to http.
func TestRedirectsOverTLS(t *testing.T) {
	var otherHits atomic.Int64
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { otherHits.Add(1) }))
	defer other.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { otherHits.Add(1) }))
	defer plain.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/same", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/other", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL+"/", http.StatusFound) })
	ts := httptest.NewTLSServer(mux)
	defer ts.Close()
	httpSame := "http://" + ts.Listener.Addr().String() + "/ok"
	mux.HandleFunc("/http-same", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, httpSame, http.StatusFound) })
	mux.HandleFunc("/http-other", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, plain.URL+"/", http.StatusFound) })

	c := newClient(t, httpx.Config{HTTPClient: followAll(ts.Client().Transport)})
	tests := []struct {
		path    string
		wantErr string
	}{
		{"/ok", ""},
		{"/same", ""},
		{"/other", "another host"},
		{"/http-same", "https only"},
		{"/http-other", "another host"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Get(ts.URL + tc.path)
			if err == nil {
				resp.Body.Close()
			}
			if tc.wantErr == "" {
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s = %v, %v", tc.path, resp, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("GET %s = %v, want an error containing %q", tc.path, err, tc.wantErr)
			}
		})
	}
	if otherHits.Load() != 0 {
		t.Errorf("other servers got %d requests, want 0", otherHits.Load())
	}
}

// A private CA is trusted through RootCAs or TLSConfig, and only then.
func TestPrivateRoots(t *testing.T) {
	ts, pool := loopbackTLS(t)
	tests := []struct {
		name string
		cfg  httpx.Config
		ok   bool
	}{
		{"system roots", httpx.Config{}, false},
		{"RootCAs", httpx.Config{RootCAs: pool}, true},
		{"TLSConfig", httpx.Config{TLSConfig: &tls.Config{RootCAs: pool}}, true},
		{"TLSConfig without the CA", httpx.Config{TLSConfig: &tls.Config{}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := newClient(t, tc.cfg).Get(ts.URL)
			if err == nil {
				resp.Body.Close()
			}
			if tc.ok != (err == nil) {
				t.Fatalf("GET = %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok && !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error %v does not mention the certificate", err)
			}
		})
	}
}

func TestNewClientRefuses(t *testing.T) {
	pool := x509.NewCertPool()
	tests := []struct {
		name string
		cfg  httpx.Config
		want string
	}{
		{"client and RootCAs", httpx.Config{HTTPClient: &http.Client{}, RootCAs: pool}, "HTTPClient"},
		{"client and TLSConfig", httpx.Config{HTTPClient: &http.Client{}, TLSConfig: &tls.Config{}}, "HTTPClient"},
		{"RootCAs and TLSConfig", httpx.Config{RootCAs: pool, TLSConfig: &tls.Config{}}, "at most one"},
		{"skip verify", httpx.Config{TLSConfig: &tls.Config{InsecureSkipVerify: true}}, "InsecureSkipVerify"},
		{"TLS 1.1", httpx.Config{TLSConfig: &tls.Config{MinVersion: tls.VersionTLS11}}, "TLS 1.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := httpx.NewClient(tc.cfg)
			if c != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewClient = %v, %v; want an error containing %q", c, err, tc.want)
			}
		})
	}
}

// TLSConfig is cloned: changing it afterwards changes nothing.
func TestTLSConfigCloned(t *testing.T) {
	conf := &tls.Config{}
	c := newClient(t, httpx.Config{TLSConfig: conf})
	conf.InsecureSkipVerify = true
	ts, _ := loopbackTLS(t)
	if resp, err := c.Get(ts.URL); err == nil {
		resp.Body.Close()
		t.Fatal("an untrusted server was accepted after the caller changed its TLSConfig")
	}
}

// TestNoRedirects: a client for an endpoint that receives a bearer token
// returns a 3xx as it is, even a same-host one, and its Timeout setting
// replaces the default.
func TestNoRedirects(t *testing.T) {
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer ts.Close()
	tests := []struct {
		name      string
		cfg       httpx.Config
		wantCode  int
		wantHits  int64
		wantLimit time.Duration
	}{
		{"no redirects", httpx.Config{InsecureAllowHTTP: true, NoRedirects: true, Timeout: 3 * time.Second}, http.StatusFound, 1, 3 * time.Second},
		{"same-host redirects followed up to the limit", httpx.Config{InsecureAllowHTTP: true}, 0, httpx.MaxRedirects, httpx.DefaultTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			c := newClient(t, tt.cfg)
			if c.Timeout != tt.wantLimit {
				t.Errorf("Timeout = %v, want %v", c.Timeout, tt.wantLimit)
			}
			resp, err := c.Get(ts.URL + "/introspect")
			if tt.wantCode == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatal("endless same-host redirects did not fail")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.wantCode {
					t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantCode)
				}
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Fatalf("server saw %d requests, want %d", got, tt.wantHits)
			}
		})
	}
}
