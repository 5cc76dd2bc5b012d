package issuertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestDiscovery(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"v1 trailing slash", Config{}},
		{"v2 exact", Config{NoTrailingSlash: true}},
		{"tls", Config{TLS: true}},
		{"v2 cache control", Config{NoTrailingSlash: true, CacheControl: HydraV2CacheControl}},
		{"keycloak realm path", Config{Path: "/realms/demo", NoTrailingSlash: true}},
		{"tenant path", Config{Path: "/tenant-a/v2.0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			if !strings.HasSuffix(strings.TrimSuffix(s.Issuer(), "/"), tt.cfg.Path) {
				t.Errorf("issuer %q lacks path %q", s.Issuer(), tt.cfg.Path)
			}
			status, h, body := get(t, s, strings.TrimSuffix(s.Issuer(), "/")+"/.well-known/openid-configuration")
			if got := h.Get("Cache-Control"); got != tt.cfg.CacheControl {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cfg.CacheControl)
			}
			if status != http.StatusOK {
				t.Fatalf("status %d, want 200", status)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			var d map[string]any
			if err := json.Unmarshal(body, &d); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]string{
				"issuer":                 s.Issuer(),
				"jwks_uri":               s.JWKSURL(),
				"token_endpoint":         s.TokenURL(),
				"authorization_endpoint": s.URL() + "/oauth2/auth",
				"userinfo_endpoint":      s.URL() + "/userinfo",
				"revocation_endpoint":    s.URL() + "/oauth2/revoke",
				"introspection_endpoint": s.URL() + "/oauth2/introspect",
			} {
				if d[key] != want {
					t.Errorf("%s = %v, want %q", key, d[key], want)
				}
			}
			if got := fmt.Sprint(d["id_token_signing_alg_values_supported"]); got != "[RS256]" {
				t.Errorf("id_token_signing_alg_values_supported = %s, want [RS256]", got)
			}
			for _, m := range []string{"client_secret_basic", "client_secret_post"} {
				if !slices.Contains(toStrings(d["token_endpoint_auth_methods_supported"]), m) {
					t.Errorf("token_endpoint_auth_methods_supported lacks %s", m)
				}
			}
			if !slices.Contains(toStrings(d["grant_types_supported"]), "client_credentials") {
				t.Errorf("grant_types_supported lacks client_credentials")
			}
		})
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestDiscoveryAdvertisesOnlyWhatExists: every URL the discovery document
// names is routed, and its lists are exactly what the server implements.
func TestDiscoveryAdvertisesOnlyWhatExists(t *testing.T) {
	for _, cfg := range []Config{{}, {Path: "/realms/demo"}} {
		t.Run(cfg.Path, func(t *testing.T) { testDiscoveryAdvertisesOnlyWhatExists(t, cfg) })
	}
}

func testDiscoveryAdvertisesOnlyWhatExists(t *testing.T, cfg Config) {
	s := newTestServer(t, cfg)
	_, _, body := get(t, s, s.DiscoveryURL())
	var d map[string]any
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	routes := map[string]string{ // member → method that must be routed
		"authorization_endpoint": http.MethodGet, "token_endpoint": http.MethodPost, "jwks_uri": http.MethodGet,
		"userinfo_endpoint": http.MethodGet, "revocation_endpoint": http.MethodPost, "introspection_endpoint": http.MethodPost,
	}
	for k, v := range d {
		u, ok := v.(string)
		if !ok || k == "issuer" {
			continue
		}
		method, known := routes[k]
		if !known {
			t.Errorf("discovery names %s = %s, which this test does not know", k, u)
			continue
		}
		req, _ := http.NewRequest(method, u, nil)
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("%s %s (%s): status %d", method, u, k, resp.StatusCode)
		}
	}
	for k, want := range map[string]string{
		"grant_types_supported":                 "authorization_code client_credentials refresh_token",
		"response_types_supported":              "code",
		"response_modes_supported":              "query",
		"token_endpoint_auth_methods_supported": "client_secret_post client_secret_basic",
		"code_challenge_methods_supported":      "plain S256",
	} {
		if got := strings.Join(toStrings(d[k]), " "); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestPathOnlyUnderPath: with Config.Path the endpoints exist only under
// it, so a client that drops the path finds nothing.
func TestPathOnlyUnderPath(t *testing.T) {
	s := newTestServer(t, Config{Path: "/realms/demo"})
	root := strings.TrimSuffix(s.URL(), "/realms/demo")
	for _, u := range []string{root + "/.well-known/openid-configuration", root + "/.well-known/jwks.json", s.URL() + "/x/.well-known/jwks.json"} {
		if status, _, _ := get(t, s, u); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", u, status)
		}
	}
	if status, _, _ := get(t, s, s.JWKSURL()); status != http.StatusOK {
		t.Errorf("GET %s: %d, want 200", s.JWKSURL(), status)
	}
}
