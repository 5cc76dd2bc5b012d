package jwks

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

	"github.com/jwtguard/jwtguard/internal/testcert"
)

// These tests use real loopback HTTP servers (not synctest bubbles).

func TestCacheBodyCapStreaming(t *testing.T) {
	var written atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(`{"keys":[` + strings.Repeat(" ", 32<<10-9))
		for written.Load() < 100<<20 { // 100 MB
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
			chunk = []byte(strings.Repeat(" ", 32<<10))
		}
	}))
	c, err := New(t.Context(), Config{URL: ts.URL, InsecureAllowHTTP: true})
	if c != nil {
		c.Close()
	}
	ts.Close() // waits for the handler to give up
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "exceeds 1048576 bytes") {
		t.Fatalf("New = %v, want ErrFetch about the body cap", err)
	}
	t.Logf("server wrote %d bytes before the client hung up (cap 1 MiB)", written.Load())
	if w := written.Load(); w >= 32<<20 {
		t.Errorf("server wrote %d bytes: the client kept reading", w)
	}
}

func TestCacheBodyCapExact(t *testing.T) {
	f := newFakeIssuer(hydraJWK(0))
	doc := jwksDoc(t, hydraJWK(0))
	f.body = doc
	ts := httptest.NewServer(f)
	defer ts.Close()
	for _, tc := range []struct {
		name string
		cap  int64
		ok   bool
	}{{"exactly the cap", int64(len(doc)), true}, {"one byte over", int64(len(doc)) - 1, false}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(t.Context(), Config{URL: ts.URL + "/jwks", InsecureAllowHTTP: true, MaxBodyBytes: tc.cap})
			if c != nil {
				defer c.Close()
			}
			if tc.ok != (err == nil) {
				t.Fatalf("New with cap %d for %d-byte body: %v", tc.cap, len(doc), err)
			}
		})
	}
}

func TestCacheHTTPFailures(t *testing.T) {
	other := httptest.NewServer(newFakeIssuer(hydraJWK(0)))
	defer other.Close()
	f := newFakeIssuer(hydraJWK(0))
	mux := http.NewServeMux()
	mux.Handle("/jwks", f)
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("code") {
		case "500":
			w.WriteHeader(500)
		case "404":
			w.WriteHeader(404)
		case "204":
			w.WriteHeader(204)
		case "304":
			w.WriteHeader(304)
		}
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>login</body></html>"))
	})
	mux.HandleFunc("/keys-object", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"keys":{"kty":"RSA"}}`))
	})
	mux.HandleFunc("/redirect-same", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/jwks", http.StatusFound)
	})
	mux.HandleFunc("/redirect-other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/jwks", http.StatusFound)
	})
	mux.HandleFunc("/redirect-loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect-loop", http.StatusFound)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	tests := []struct {
		path    string
		wantErr string // "" = success
	}{
		{"/jwks", ""},
		{"/redirect-same", ""},
		{"/status/500", "unexpected status 500"},
		{"/status/404", "unexpected status 404"},
		{"/status/204", "unexpected status 204"},
		{"/status/304", "unexpected status 304"}, // no set yet, never asked
		{"/html", "not a JSON object"},
		{"/keys-object", "not an array"},
		{"/redirect-other", "another host"},
		{"/redirect-loop", "redirects"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			checkNew(t, Config{URL: ts.URL + tc.path, InsecureAllowHTTP: true}, tc.wantErr)
		})
	}
	if f.jwksHits.Load() != 2 {
		t.Errorf("JWKS hits = %d, want 2 (the cross-host redirect must not be followed)", f.jwksHits.Load())
	}
}

func TestCacheDiscovery(t *testing.T) {
	f := newFakeIssuer(hydraJWK(0))
	ts := httptest.NewTLSServer(f)
	defer ts.Close()
	tests := []struct {
		name      string
		cfgIssuer string
		docIssuer string
		jwksURI   string
		noDoc     bool
		wantErr   string
	}{
		{name: "issuer with slash", cfgIssuer: ts.URL + "/", docIssuer: ts.URL + "/", jwksURI: ts.URL + "/.well-known/jwks.json"},
		{name: "issuer without slash", cfgIssuer: ts.URL, docIssuer: ts.URL, jwksURI: ts.URL + "/.well-known/jwks.json"},
		{name: "trailing slash mismatch", cfgIssuer: ts.URL, docIssuer: ts.URL + "/", jwksURI: ts.URL + "/.well-known/jwks.json", wantErr: "names issuer"},
		{name: "other issuer", cfgIssuer: ts.URL + "/", docIssuer: "https://evil.example/", jwksURI: ts.URL + "/.well-known/jwks.json", wantErr: "names issuer"},
		{name: "http jwks_uri", cfgIssuer: ts.URL + "/", docIssuer: ts.URL + "/", jwksURI: strings.Replace(ts.URL, "https", "http", 1) + "/x", wantErr: "not https"},
		{name: "missing jwks_uri", cfgIssuer: ts.URL + "/", docIssuer: ts.URL + "/", wantErr: "no jwks_uri"},
		{name: "no discovery document", cfgIssuer: ts.URL + "/", noDoc: true, wantErr: "unexpected status 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.mu.Lock()
			f.discovery = map[string]any{"issuer": tc.docIssuer, "jwks_uri": tc.jwksURI}
			if tc.jwksURI == "" {
				delete(f.discovery, "jwks_uri")
			}
			if tc.noDoc {
				f.discovery = nil
			}
			f.mu.Unlock()
			before := f.jwksHits.Load()
			c, err := New(t.Context(), Config{Issuer: tc.cfgIssuer, HTTPClient: ts.Client()})
			if c != nil {
				defer c.Close()
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); err != nil {
					t.Fatal(err)
				}
				// jwks_uri is reused: a refresh does not rediscover.
				d := f.discHits.Load()
				if err := c.Refresh(t.Context()); err != nil {
					t.Fatal(err)
				}
				if f.discHits.Load() != d {
					t.Errorf("refresh fetched the discovery document again")
				}
				return
			}
			if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New = %v, want ErrFetch containing %q", err, tc.wantErr)
			}
			if f.jwksHits.Load() != before {
				t.Errorf("JWKS fetched despite a bad discovery document")
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no source", Config{}, "exactly one"},
		{"both sources", Config{URL: "https://a/jwks", Issuer: "https://a/"}, "exactly one"},
		{"http URL", Config{URL: "http://a/jwks"}, "not https"},
		{"http issuer", Config{Issuer: "http://a/"}, "not https"},
		{"ftp", Config{URL: "ftp://a/jwks", InsecureAllowHTTP: true}, "scheme"},
		{"relative", Config{URL: "/jwks"}, "scheme"},
		{"no host", Config{URL: "https:///jwks"}, "no host"},
		{"credentials", Config{URL: "https://u:p@a/jwks"}, "credentials"},
		{"negative cooldown", Config{URL: "https://a/", UnknownKIDCooldown: -1}, "UnknownKIDCooldown"},
		{"negative stale", Config{URL: "https://a/", StaleWindow: -time.Second}, "StaleWindow"},
		{"negative body", Config{URL: "https://a/", MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"min over max", Config{URL: "https://a/", MinRefreshInterval: time.Hour, MaxRefreshInterval: time.Minute}, "exceeds"},
		{"client and RootCAs", Config{URL: "https://a/", HTTPClient: &http.Client{}, RootCAs: x509.NewCertPool()}, "HTTPClient"},
		{"client and TLSConfig", Config{URL: "https://a/", HTTPClient: &http.Client{}, TLSConfig: &tls.Config{}}, "HTTPClient"},
		{"RootCAs and TLSConfig", Config{URL: "https://a/", RootCAs: x509.NewCertPool(), TLSConfig: &tls.Config{}}, "at most one"},
		{"TLSConfig skips verification", Config{URL: "https://a/", TLSConfig: &tls.Config{InsecureSkipVerify: true}}, "InsecureSkipVerify"},
		{"TLSConfig allows TLS 1.0", Config{URL: "https://a/", TLSConfig: &tls.Config{MinVersion: tls.VersionTLS10}}, "TLS 1.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "jwks: ") {
				if c != nil {
					c.Close()
				}
				t.Fatalf("New = %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := Config{URL: "https://a/"}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxBodyBytes != 1<<20 || cfg.RefreshInterval != 15*time.Minute || cfg.MinRefreshInterval != time.Minute ||
		cfg.MaxRefreshInterval != time.Hour || cfg.UnknownKIDCooldown != 15*time.Second || cfg.StaleWindow != 6*time.Hour {
		t.Errorf("defaults: %+v", cfg)
	}
	// Only Min set above the default Max: Max follows, the interval is clamped.
	cfg, err = Config{URL: "https://a/", MinRefreshInterval: 2 * time.Hour}.resolve()
	if err != nil || cfg.MaxRefreshInterval != 2*time.Hour || cfg.RefreshInterval != 2*time.Hour {
		t.Errorf("min above default max: %+v, %v", cfg, err)
	}
	cfg, err = Config{URL: "https://a/", MaxRefreshInterval: 5 * time.Minute}.resolve()
	if err != nil || cfg.RefreshInterval != 5*time.Minute {
		t.Errorf("default interval above max not clamped: %+v, %v", cfg, err)
	}
}

// checkNew runs New with cfg. With wantErr "" it must succeed, and the Cache
// is closed when the test ends; otherwise it must fail with ErrFetch and a
// message containing wantErr, and checkNew returns nil.
func checkNew(t *testing.T, cfg Config, wantErr string) *Cache {
	t.Helper()
	c, err := New(t.Context(), cfg)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	if wantErr == "" {
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return c
	}
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("New = %v, want ErrFetch containing %q", err, wantErr)
	}
	return nil
}

// A caller's client that follows any redirect still gets the Cache's rule:
// same host, https, at most 5. The caller's client is left unchanged.
func TestCacheCallerClientRedirects(t *testing.T) {
	other := newFakeIssuer(hydraJWK(0))
	otherTLS := httptest.NewTLSServer(other)
	defer otherTLS.Close()
	otherPlain := httptest.NewServer(other)
	defer otherPlain.Close()
	f := newFakeIssuer(hydraJWK(0))
	mux := http.NewServeMux()
	mux.Handle("/jwks", f)
	ts := httptest.NewTLSServer(mux)
	defer ts.Close()
	redirect := func(path, to string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) })
	}
	redirect("/same", "/jwks")
	redirect("/other", otherTLS.URL+"/jwks")
	redirect("/other-http", otherPlain.URL+"/jwks")
	redirect("/same-http", "http://"+ts.Listener.Addr().String()+"/jwks")
	redirect("/loop", "/loop")

	var followed atomic.Int64
	caller := &http.Client{
		Transport: ts.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			followed.Add(1)
			return nil
		},
	}
	defer caller.CloseIdleConnections()
	tests := []struct {
		path    string
		wantErr string // "" = success
	}{
		{"/jwks", ""},
		{"/same", ""},
		{"/other", "another host"},
		{"/other-http", "another host"},
		{"/same-http", "https only"},
		{"/loop", "redirects"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			checkNew(t, Config{URL: ts.URL + tc.path, HTTPClient: caller}, tc.wantErr)
		})
	}
	if n := other.jwksHits.Load(); n != 0 {
		t.Errorf("the other host served %d JWKS requests, want 0", n)
	}
	if n := followed.Load(); n != 1+4 { // /same once, /loop for redirects 1 to 4
		t.Errorf("the caller's CheckRedirect was asked %d times, want 5 (only after the Cache's rule allowed)", n)
	}
	if caller.Timeout != 0 || caller.Transport != ts.Client().Transport {
		t.Error("New modified the caller's client")
	}
}

// A private CA is trusted through RootCAs or TLSConfig with every other
// default kept: the same-host redirect rule still holds.
func TestCachePrivateCA(t *testing.T) {
	cert, pool, err := testcert.Loopback("issuer")
	if err != nil {
		t.Fatal(err)
	}
	startTLS := func(h http.Handler) *httptest.Server {
		ts := httptest.NewUnstartedServer(h)
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		ts.StartTLS()
		return ts
	}
	other := newFakeIssuer(hydraJWK(1))
	otherTS := startTLS(other)
	defer otherTS.Close()
	mux := http.NewServeMux()
	mux.Handle("/jwks", newFakeIssuer(hydraJWK(0)))
	mux.HandleFunc("/other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherTS.URL+"/jwks", http.StatusFound)
	})
	ts := startTLS(mux)
	defer ts.Close()
	tests := []struct {
		name    string
		cfg     Config
		path    string
		wantErr string
	}{
		{"system roots", Config{}, "/jwks", "certificate"},
		{"RootCAs", Config{RootCAs: pool}, "/jwks", ""},
		{"TLSConfig", Config{TLSConfig: &tls.Config{RootCAs: pool}}, "/jwks", ""},
		{"RootCAs keeps the redirect rule", Config{RootCAs: pool}, "/other", "another host"},
		{"TLSConfig keeps the redirect rule", Config{TLSConfig: &tls.Config{RootCAs: pool}}, "/other", "another host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.URL = ts.URL + tc.path
			if c := checkNew(t, cfg, tc.wantErr); c != nil {
				if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if n := other.jwksHits.Load(); n != 0 {
		t.Errorf("the other host served %d JWKS requests, want 0", n)
	}
}

// The discovery document is read exactly too: a case variant is another
// member and a member named twice refuses the document.
func TestCacheDiscoveryExact(t *testing.T) {
	var body atomic.Value // string
	mux := http.NewServeMux()
	mux.Handle("/jwks", newFakeIssuer(hydraJWK(0)))
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(body.Load().(string)))
	})
	ts := httptest.NewTLSServer(mux)
	defer ts.Close()
	iss, jwksURI := `"`+ts.URL+`"`, `"`+ts.URL+`/jwks"`
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"plain", `{"issuer":` + iss + `,"jwks_uri":` + jwksURI + `}`, ""},
		{"jwks_uri twice", `{"issuer":` + iss + `,"jwks_uri":` + jwksURI + `,"jwks_uri":"https://evil.example/jwks"}`, "duplicate"},
		{"issuer twice", `{"issuer":"https://evil.example","issuer":` + iss + `,"jwks_uri":` + jwksURI + `}`, "duplicate"},
		{"ISSUER is not issuer", `{"issuer":"https://evil.example","ISSUER":` + iss + `,"jwks_uri":` + jwksURI + `}`, "names issuer"},
		{"JWKS_URI is not jwks_uri", `{"issuer":` + iss + `,"JWKS_URI":` + jwksURI + `}`, "no jwks_uri"},
		{"escaped duplicate", `{"issuer":` + iss + `,"jwks_uri":` + jwksURI + `,"jwks\u005furi":"https://evil.example/jwks"}`, "duplicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body.Store(tc.doc)
			checkNew(t, Config{Issuer: ts.URL, HTTPClient: ts.Client()}, tc.wantErr)
		})
	}
}
