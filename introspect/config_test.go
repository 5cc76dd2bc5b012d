package introspect_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/introspect"
)

func TestNewRefuses(t *testing.T) {
	base := func() introspect.Config {
		return introspect.Config{URL: "https://as.example/introspect", ClientID: "id", ClientSecret: "s", InsecureSkipAudienceCheck: true}
	}
	tests := []struct {
		name    string
		edit    func(*introspect.Config)
		wantErr string // "" = accepted
	}{
		{name: "base", edit: func(*introspect.Config) {}},
		{name: "zero", edit: func(c *introspect.Config) { *c = introspect.Config{} }, wantErr: "no host"},
		{name: "http", edit: func(c *introspect.Config) { c.URL = "http://as.example/i" }, wantErr: "not https"},
		{name: "http non-loopback even if allowed", edit: func(c *introspect.Config) { c.URL, c.InsecureAllowHTTP = "http://as.example/i", true }, wantErr: "loopback"},
		{name: "http loopback allowed", edit: func(c *introspect.Config) { c.URL, c.InsecureAllowHTTP = "http://127.0.0.1:4445/i", true }},
		{name: "http localhost allowed", edit: func(c *introspect.Config) { c.URL, c.InsecureAllowHTTP = "http://localhost:4445/i", true }},
		{name: "user info in URL", edit: func(c *introspect.Config) { c.URL = "https://u:p@as.example/i" }, wantErr: "credentials"},
		{name: "ftp", edit: func(c *introspect.Config) { c.URL = "ftp://as.example/i" }, wantErr: "not https"},
		{name: "basic without secret", edit: func(c *introspect.Config) { c.ClientSecret = "" }, wantErr: "ClientSecret"},
		{name: "post without id", edit: func(c *introspect.Config) { c.ClientAuth, c.ClientID = introspect.ClientPost, "" }, wantErr: "ClientID"},
		{name: "bearer without token", edit: func(c *introspect.Config) { c.ClientAuth = introspect.ClientBearer }, wantErr: "BearerToken"},
		{name: "none", edit: func(c *introspect.Config) { c.ClientAuth, c.ClientID, c.ClientSecret = introspect.ClientNone, "", "" }},
		{name: "unknown auth", edit: func(c *introspect.Config) { c.ClientAuth = 9 }, wantErr: "ClientAuth"},
		{name: "unknown endpoint", edit: func(c *introspect.Config) { c.Endpoint = 9 }, wantErr: "Endpoint"},
		{name: "no audience decision", edit: func(c *introspect.Config) { c.InsecureSkipAudienceCheck = false }, wantErr: "Audiences"},
		{name: "both audience decisions", edit: func(c *introspect.Config) { c.Audiences = []string{"a"} }, wantErr: "mutually exclusive"},
		{name: "empty audience", edit: func(c *introspect.Config) { c.InsecureSkipAudienceCheck, c.Audiences = false, []string{""} }, wantErr: "empty audience"},
		{name: "userinfo with audiences", edit: func(c *introspect.Config) {
			c.Endpoint, c.InsecureSkipAudienceCheck, c.Audiences = introspect.Userinfo, false, []string{"a"}
		}, wantErr: "no audience"},
		{name: "userinfo whole scope", edit: func(c *introspect.Config) { c.Endpoint, c.WholeScope = introspect.Userinfo, true }, wantErr: "WholeScope"},
		{name: "userinfo with client credentials", edit: func(c *introspect.Config) { c.Endpoint = introspect.Userinfo }, wantErr: "only the token"},
		{name: "userinfo", edit: func(c *introspect.Config) { c.Endpoint, c.ClientID, c.ClientSecret = introspect.Userinfo, "", "" }},
		{name: "leeway too large", edit: func(c *introspect.Config) { c.Leeway = time.Hour }, wantErr: "Leeway"},
		{name: "negative in-flight", edit: func(c *introspect.Config) { c.MaxInFlight = -1 }, wantErr: "negative"},
		{name: "negative TTL", edit: func(c *introspect.Config) { c.Cache.NegativeTTL = -1 }, wantErr: "negative"},
		{name: "short hash key", edit: func(c *introspect.Config) { c.Cache.HashKey = []byte("short") }, wantErr: "HashKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.edit(&cfg)
			c, err := introspect.New(cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "introspect: config: ") {
				t.Fatalf("New = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
