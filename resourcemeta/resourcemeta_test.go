package resourcemeta_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/jwtguard/jwtguard/resourcemeta"
)

// members decodes body exactly (duplicates refused) into its member names
// and values.
func members(t *testing.T, body []byte) map[string]jsontext.Value {
	t.Helper()
	var m map[string]jsontext.Value
	if err := json.Unmarshal(body, &m, jsontext.AllowDuplicateNames(false)); err != nil {
		t.Fatalf("document %s: %v", body, err)
	}
	return m
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ name, resource, url, pattern string }{
		{"host only", "https://api.example.com", "https://api.example.com/.well-known/oauth-protected-resource", "GET /.well-known/oauth-protected-resource"},
		{"root slash dropped", "https://api.example.com/", "https://api.example.com/.well-known/oauth-protected-resource", "GET /.well-known/oauth-protected-resource"},
		{"path", "https://api.example.com/v1", "https://api.example.com/.well-known/oauth-protected-resource/v1", "GET /.well-known/oauth-protected-resource/v1"},
		{"path with slash", "https://api.example.com/v1/", "https://api.example.com/.well-known/oauth-protected-resource/v1/", "GET /.well-known/oauth-protected-resource/v1/{$}"},
		{"port kept", "https://api.example.com:8443/a/b", "https://api.example.com:8443/.well-known/oauth-protected-resource/a/b", "GET /.well-known/oauth-protected-resource/a/b"},
		{"escaped path kept", "https://api.example.com/a%20b", "https://api.example.com/.well-known/oauth-protected-resource/a%20b", "GET /.well-known/oauth-protected-resource/a%20b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := resourcemeta.New(resourcemeta.Config{Resource: tc.resource})
			if err != nil {
				t.Fatal(err)
			}
			if h.URL() != tc.url || h.Pattern() != tc.pattern {
				t.Errorf("URL, Pattern = %q, %q; want %q, %q", h.URL(), h.Pattern(), tc.url, tc.pattern)
			}
			mux := http.NewServeMux()
			mux.Handle(h.Pattern(), h) // panics on a bad pattern
		})
	}
}

func TestNewRefuses(t *testing.T) {
	ok := resourcemeta.Config{Resource: "https://api.example.com/"}
	for _, tc := range []struct {
		name   string
		modify func(*resourcemeta.Config)
	}{
		{"no resource", func(c *resourcemeta.Config) { c.Resource = "" }},
		{"http resource", func(c *resourcemeta.Config) { c.Resource = "http://api.example.com/" }},
		{"relative resource", func(c *resourcemeta.Config) { c.Resource = "/v1" }},
		{"opaque resource", func(c *resourcemeta.Config) { c.Resource = "https:api.example.com" }},
		{"query", func(c *resourcemeta.Config) { c.Resource = "https://api.example.com/?a=b" }},
		{"empty query", func(c *resourcemeta.Config) { c.Resource = "https://api.example.com/?" }},
		{"fragment", func(c *resourcemeta.Config) { c.Resource = "https://api.example.com/#x" }},
		{"empty fragment", func(c *resourcemeta.Config) { c.Resource = "https://api.example.com/#" }},
		{"user info", func(c *resourcemeta.Config) { c.Resource = "https://u:p@api.example.com/" }},
		{"brace in path", func(c *resourcemeta.Config) { c.Resource = "https://api.example.com/{x}" }},
		{"http issuer", func(c *resourcemeta.Config) { c.AuthorizationServers = []string{"http://id.example.com/"} }},
		{"empty issuer", func(c *resourcemeta.Config) { c.AuthorizationServers = []string{""} }},
		{"repeated issuer", func(c *resourcemeta.Config) {
			c.AuthorizationServers = []string{"https://id.example.com/", "https://id.example.com/"}
		}},
		{"scope with space", func(c *resourcemeta.Config) { c.ScopesSupported = []string{"a b"} }},
		{"scope with quote", func(c *resourcemeta.Config) { c.ScopesSupported = []string{`a"`} }},
		{"empty scope", func(c *resourcemeta.Config) { c.ScopesSupported = []string{""} }},
		{"repeated scope", func(c *resourcemeta.Config) { c.ScopesSupported = []string{"a", "a"} }},
		{"cookie method", func(c *resourcemeta.Config) { c.BearerMethods = []string{"cookie"} }},
		{"empty methods", func(c *resourcemeta.Config) { c.BearerMethods = []string{""} }},
		{"dpop none", func(c *resourcemeta.Config) { c.DPoPSigningAlgs = []string{"none"} }},
		{"dpop hs256", func(c *resourcemeta.Config) { c.DPoPSigningAlgs = []string{"HS256"} }},
		{"documentation http", func(c *resourcemeta.Config) { c.ResourceDocumentation = "http://docs.example.com/" }},
		{"name with newline", func(c *resourcemeta.Config) { c.ResourceName = "a\nb" }},
		{"negative max age", func(c *resourcemeta.Config) { c.MaxAge = -time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.modify(&cfg)
			if h, err := resourcemeta.New(cfg); err == nil {
				t.Fatalf("New accepted %+v: %s", cfg, h.URL())
			} else if !strings.HasPrefix(err.Error(), "resourcemeta: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	if _, err := resourcemeta.New(ok); err != nil {
		t.Fatalf("base config refused: %v", err)
	}
}

func TestDocument(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  resourcemeta.Config
		want map[string]string // member → JSON value; no other member may appear
		cc   string
	}{
		{
			name: "minimal",
			cfg:  resourcemeta.Config{Resource: "https://api.example.com/"},
			want: map[string]string{
				"resource":                 `"https://api.example.com/"`,
				"bearer_methods_supported": `["header"]`,
			},
			cc: "public, max-age=3600",
		},
		{
			name: "everything",
			cfg: resourcemeta.Config{
				Resource:               "https://api.example.com/v1",
				AuthorizationServers:   []string{"https://id.wgtwo.com/", "https://login.example.com/t/v2.0"},
				ScopesSupported:        []string{"a", "b:c"},
				BearerMethods:          []string{"header", "query"},
				DPoPSigningAlgs:        []string{"ES256", "EdDSA"},
				CertificateBoundTokens: true,
				ResourceName:           `Ex "API"`,
				ResourceDocumentation:  "https://docs.example.com/api",
				MaxAge:                 90 * time.Second,
			},
			want: map[string]string{
				"resource":                                   `"https://api.example.com/v1"`,
				"authorization_servers":                      `["https://id.wgtwo.com/","https://login.example.com/t/v2.0"]`,
				"scopes_supported":                           `["a","b:c"]`,
				"bearer_methods_supported":                   `["header","query"]`,
				"dpop_signing_alg_values_supported":          `["ES256","EdDSA"]`,
				"tls_client_certificate_bound_access_tokens": `true`,
				"resource_name":                              `"Ex \"API\""`,
				"resource_documentation":                     `"https://docs.example.com/api"`,
			},
			cc: "public, max-age=90",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := resourcemeta.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", h.URL(), nil))
			if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != tc.cc {
				t.Fatalf("status %d, headers %v", w.Code, w.Header())
			}
			got := members(t, w.Body.Bytes())
			for name, v := range got {
				if want, ok := tc.want[name]; !ok || string(v) != want {
					t.Errorf("member %s = %s, want %q", name, v, want)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("members %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(tc.want)))
			}
		})
	}
}

func TestMethods(t *testing.T) {
	h, err := resourcemeta.New(resourcemeta.Config{Resource: "https://api.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method string
		status int
		body   bool
	}{
		{"GET", 200, true},
		{"HEAD", 200, false},
		{"POST", 405, false},
		{"PUT", 405, false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, h.URL(), nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if tc.status == 405 && w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", w.Header().Get("Allow"))
			}
			if got := w.Body.Len() > 0 && tc.status == 200; got != tc.body {
				t.Errorf("body written = %v, want %v", got, tc.body)
			}
		})
	}
}
