package jwks

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

const (
	fakeIssuerURL = "https://issuer.test/"
	fakeJWKSURL   = "https://issuer.test/.well-known/jwks.json"
)

// fakeIssuer serves a JWKS (and a discovery document) from memory. It is
// an http.Handler for loopback servers and an http.RoundTripper for
// synctest bubbles, where real network must not be used.
type fakeIssuer struct {
	mu        sync.Mutex
	keys      []map[string]any
	status    int               // 0 = 200
	header    map[string]string // extra response headers
	etag      string            // if set, sent and honoured via If-None-Match
	body      []byte            // if set, served instead of the JWKS
	discovery map[string]any    // discovery document; nil = 404
	hold      chan struct{}     // if set, JWKS requests wait until it is closed
	lastReq   http.Header

	jwksHits atomic.Int32
	discHits atomic.Int32
}

func newFakeIssuer(keys ...map[string]any) *fakeIssuer {
	return &fakeIssuer{keys: keys}
}

func (f *fakeIssuer) setKeys(keys ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = keys
}

func (f *fakeIssuer) setStatus(s int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = s
}

func (f *fakeIssuer) setHeader(k, v string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.header == nil {
		f.header = map[string]string{}
	}
	f.header[k] = v
}

// holdFetches makes JWKS requests block until the returned func is called.
func (f *fakeIssuer) holdFetches() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.hold = ch
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.hold = nil
			f.mu.Unlock()
			close(ch)
		})
	}
}

func (f *fakeIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/.well-known/openid-configuration" {
		f.discHits.Add(1)
		f.mu.Lock()
		doc := f.discovery
		f.mu.Unlock()
		if doc == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
		return
	}
	f.jwksHits.Add(1)
	f.mu.Lock()
	hold := f.hold
	f.lastReq = r.Header.Clone()
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range f.header {
		w.Header().Set(k, v)
	}
	if f.etag != "" {
		w.Header().Set("ETag", f.etag)
		if r.Header.Get("If-None-Match") == f.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if f.status != 0 && f.status != http.StatusOK {
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte("<html>error</html>"))
		return
	}
	body := f.body
	if body == nil {
		keys := f.keys
		if keys == nil {
			keys = []map[string]any{}
		}
		body, _ = json.Marshal(map[string]any{"keys": keys})
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func (f *fakeIssuer) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

func (f *fakeIssuer) client() *http.Client { return &http.Client{Transport: f} }

// bubble runs fn in a synctest bubble.
func bubble(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, fn)
}

// newTestCache builds a Cache on f inside a bubble; Close runs at cleanup
// (which synctest runs inside the bubble).
func newTestCache(t *testing.T, f *fakeIssuer, cfg Config) *Cache {
	t.Helper()
	if cfg.URL == "" && cfg.Issuer == "" {
		cfg.URL = fakeJWKSURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = f.client()
	}
	c, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// events collects hook events.
type events struct {
	mu sync.Mutex
	ev []Event
}

func (e *events) hook(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ev = append(e.ev, ev)
}

func (e *events) count(k EventKind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.ev {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

func (e *events) last(k EventKind) (Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := len(e.ev) - 1; i >= 0; i-- {
		if e.ev[i].Kind == k {
			return e.ev[i], true
		}
	}
	return Event{}, false
}
