package jwks

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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
			c, err := New(t.Context(), Config{URL: ts.URL + tc.path, InsecureAllowHTTP: true})
			if c != nil {
				defer c.Close()
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New = %v, want ErrFetch containing %q", err, tc.wantErr)
			}
		})
	}
	if f.jwksHits.Load() != 2 {
		t.Errorf("JWKS hits = %d, want 2 (the cross-host redirect must not be followed)", f.jwksHits.Load())
	}
}

func TestCacheDefaultClientTimeout(t *testing.T) {
	c := defaultClient(false)
	if c.Timeout != DefaultHTTPTimeout || c.Jar != nil || c.CheckRedirect == nil {
		t.Errorf("default client: timeout %v jar %v", c.Timeout, c.Jar)
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

func TestDefaultClientRedirectPolicy(t *testing.T) {
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := []*http.Request{req("https://id.example/jwks")}
	tests := []struct {
		name      string
		allowHTTP bool
		to        string
		via       []*http.Request
		ok        bool
	}{
		{"same host https", false, "https://id.example/keys", first, true},
		{"other host", false, "https://evil.example/keys", first, false},
		{"downgrade to http", false, "http://id.example/keys", first, false},
		{"http allowed", true, "http://id.example/keys", first, true},
		{"too many", false, "https://id.example/keys", []*http.Request{first[0], first[0], first[0], first[0], first[0]}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := defaultClient(tc.allowHTTP).CheckRedirect(req(tc.to), tc.via)
			if tc.ok != (err == nil) {
				t.Fatalf("CheckRedirect(%s) = %v, want ok=%v", tc.to, err, tc.ok)
			}
		})
	}
}
