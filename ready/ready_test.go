package ready_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/ready"
)

var (
	up   = ready.CheckerFunc(func(context.Context) error { return nil })
	down = ready.CheckerFunc(func(context.Context) error { return errors.New("secret detail https://issuer.test/") })
	// slow waits for the probe's deadline.
	slow = ready.CheckerFunc(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
)

func TestProbe(t *testing.T) {
	tests := []struct {
		name     string
		checks   map[string]ready.Checker
		method   string
		want     int
		wantBody string
		wantErr  string
	}{
		{name: "one ready", checks: map[string]ready.Checker{"wgtwo": up}, want: 200,
			wantBody: `{"status":"ok","checks":{"wgtwo":"ok"}}`},
		{name: "all ready", checks: map[string]ready.Checker{"b": up, "a": up}, want: 200,
			wantBody: `{"status":"ok","checks":{"a":"ok","b":"ok"}}`},
		{name: "one down", checks: map[string]ready.Checker{"a": up, "b": down}, want: 503,
			wantBody: `{"status":"unavailable","checks":{"a":"ok","b":"unavailable"}}`, wantErr: "b: secret detail"},
		{name: "all down", checks: map[string]ready.Checker{"a": down, "b": down}, want: 503,
			wantBody: `{"status":"unavailable","checks":{"a":"unavailable","b":"unavailable"}}`, wantErr: "a: secret detail https://issuer.test/\nb: secret detail"},
		{name: "head", method: http.MethodHead, checks: map[string]ready.Checker{"a": down}, want: 503, wantErr: "a: secret detail"},
		{name: "checker past the timeout", checks: map[string]ready.Checker{"a": slow, "b": up}, want: 503,
			wantBody: `{"status":"unavailable","checks":{"a":"unavailable","b":"ok"}}`, wantErr: "a: context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ready.New(ready.Config{Checks: tt.checks, Timeout: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			srv := httptest.NewServer(p)
			defer srv.Close()
			req, err := http.NewRequest(method, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if got := strings.TrimSuffix(string(body), "\n"); got != tt.wantBody {
				t.Errorf("body %q, want %q", got, tt.wantBody)
			}
			if strings.Contains(string(body), "secret") {
				t.Error("body discloses a checker's error")
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			err = p.Check(context.Background())
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Check: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Check: %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  ready.Config
		want string
	}{
		{"no checks", ready.Config{}, "Checks is empty"},
		{"empty name", ready.Config{Checks: map[string]ready.Checker{"": up}}, "not non-empty visible ASCII"},
		{"name with space", ready.Config{Checks: map[string]ready.Checker{"a b": up}}, "not non-empty visible ASCII"},
		{"nil checker", ready.Config{Checks: map[string]ready.Checker{"a": nil}}, `Checks["a"] is nil`},
		{"negative timeout", ready.Config{Checks: map[string]ready.Checker{"a": up}, Timeout: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ready.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// statusOf is a fixed jwks.Status.
type statusOf jwks.Status

func (s statusOf) Status() jwks.Status { return jwks.Status(s) }

func TestKeysStatus(t *testing.T) {
	fetchErr := errors.New("jwks: fetch: 503")
	tests := []struct {
		name string
		st   jwks.Status
		want string // "" means ready
	}{
		{"available", jwks.Status{Loaded: true, Available: true, Keys: 1}, ""},
		{"stale but inside the window", jwks.Status{Loaded: true, Available: true, Stale: true, LastError: fetchErr}, ""},
		{"never loaded", jwks.Status{}, "no key set loaded yet"},
		{"never loaded, failing", jwks.Status{LastError: fetchErr, ConsecutiveFailures: 3}, "no key set loaded yet: jwks: fetch: 503"},
		{"stale window passed", jwks.Status{Loaded: true, LastError: fetchErr, ConsecutiveFailures: 9}, "after 9 failed refreshes: jwks: fetch: 503"},
		{"closed", jwks.Status{Loaded: true}, "cache closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ready.Keys(statusOf(tt.st)).Ready(context.Background())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Ready: %v", err)
				}
				return
			}
			if !errors.Is(err, ready.ErrNotReady) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Ready: %v, want ErrNotReady containing %q", err, tt.want)
			}
		})
	}
}

// TestKeysCache runs Keys over a real cache: ready once loaded, not ready
// after Close, and not ready when the first fetch has failed.
func TestKeysCache(t *testing.T) {
	iss := issuertest.NewServer(issuertest.Config{TLS: true})
	defer iss.Close()
	ctx := context.Background()
	cache, err := jwks.New(ctx, jwks.Config{URL: iss.JWKSURL(), HTTPClient: iss.Client()})
	if err != nil {
		t.Fatal(err)
	}
	check := ready.Keys(cache)
	if err := check.Ready(ctx); err != nil {
		t.Errorf("loaded cache: %v", err)
	}
	cache.Close()
	if err := check.Ready(ctx); !errors.Is(err, ready.ErrNotReady) {
		t.Errorf("closed cache: %v, want ErrNotReady", err)
	}

	iss.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable})
	lazy, err := jwks.New(ctx, jwks.Config{URL: iss.JWKSURL(), HTTPClient: iss.Client(), LazyStart: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Close()
	if err := lazy.Refresh(ctx); err == nil {
		t.Fatal("Refresh succeeded against a failing issuer")
	}
	if err := ready.Keys(lazy).Ready(ctx); !errors.Is(err, ready.ErrNotReady) || !strings.Contains(err.Error(), "no key set loaded yet") {
		t.Errorf("never-loaded cache: %v", err)
	}
}
