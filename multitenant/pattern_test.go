package multitenant

import (
	"strings"
	"testing"
)

func TestParsePattern(t *testing.T) {
	for _, tt := range []struct {
		name, pattern string
		http          bool
		prefix        string // "" when refused
		suffix        string
	}{
		{"entra", "https://login.example.com/{tenant}/v2.0", false, "https://login.example.com/", "/v2.0"},
		{"keycloak", "https://kc.example.com/realms/{tenant}", false, "https://kc.example.com/realms/", ""},
		{"trailing slash", "https://kc.example.com/realms/{tenant}/", false, "https://kc.example.com/realms/", "/"},
		{"port", "https://kc.example.com:8443/{tenant}", false, "https://kc.example.com:8443/", ""},
		{"http allowed", "http://127.0.0.1:1/{tenant}", true, "http://127.0.0.1:1/", ""},
		{"http refused", "http://127.0.0.1:1/{tenant}", false, "", ""},
		{"other scheme", "ftp://kc.example.com/{tenant}", true, "", ""},
		{"no placeholder", "https://kc.example.com/realms/a", false, "", ""},
		{"two placeholders", "https://kc.example.com/{tenant}/{tenant}", false, "", ""},
		{"other placeholder", "https://kc.example.com/{realm}/{tenant}", false, "", ""},
		{"placeholder in host", "https://{tenant}.example.com/", false, "", ""},
		{"placeholder as host", "https://{tenant}/x", false, "", ""},
		{"partial segment before", "https://kc.example.com/t-{tenant}", false, "", ""},
		{"partial segment after", "https://kc.example.com/{tenant}-x/v2.0", false, "", ""},
		{"query", "https://kc.example.com/{tenant}?x=1", false, "", ""},
		{"fragment", "https://kc.example.com/{tenant}#x", false, "", ""},
		{"user info", "https://u@kc.example.com/{tenant}", false, "", ""},
		{"dot segment", "https://kc.example.com/../{tenant}", false, "", ""},
		{"dot segment after", "https://kc.example.com/{tenant}/..", false, "", ""},
		{"relative", "/realms/{tenant}", false, "", ""},
		{"no host", "https:///{tenant}", false, "", ""},
		{"control character", "https://kc.example.com/\t/{tenant}", false, "", ""},
		{"backslash", "https://kc.example.com\\/{tenant}", false, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePattern(tt.pattern, tt.http)
			if tt.prefix == "" {
				if err == nil {
					t.Fatalf("accepted as %+v", p)
				}
				if !strings.HasPrefix(err.Error(), "multitenant: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil || p.prefix != tt.prefix || p.suffix != tt.suffix {
				t.Fatalf("got %+v, %v; want %q + tenant + %q", p, err, tt.prefix, tt.suffix)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	entra, _ := parsePattern("https://login.example.com/{tenant}/v2.0", false)
	realm, _ := parsePattern("https://kc.example.com/realms/{tenant}", false)
	long := strings.Repeat("a", MaxTenantBytes)
	for _, tt := range []struct {
		name   string
		p      pattern
		iss    string
		tenant string // "" when no match
	}{
		{"guid tenant", entra, "https://login.example.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", "9188040d-6c67-4c5b-b112-36a304b66dad"},
		{"dotted tenant", entra, "https://login.example.com/contoso.onmicrosoft.com/v2.0", "contoso.onmicrosoft.com"},
		{"realm", realm, "https://kc.example.com/realms/demo_1", "demo_1"},
		{"longest tenant", realm, "https://kc.example.com/realms/" + long, long},
		{"tenant too long", realm, "https://kc.example.com/realms/" + long + "a", ""},
		{"empty tenant", realm, "https://kc.example.com/realms/", ""},
		{"dot", realm, "https://kc.example.com/realms/.", ""},
		{"dot dot", realm, "https://kc.example.com/realms/..", ""},
		{"two segments", realm, "https://kc.example.com/realms/a/b", ""},
		{"segments across suffix", entra, "https://login.example.com/a/b/v2.0", ""},
		{"escaped slash", realm, "https://kc.example.com/realms/a%2Fb", ""},
		{"query", realm, "https://kc.example.com/realms/a?x", ""},
		{"fragment", realm, "https://kc.example.com/realms/a#x", ""},
		{"at sign", realm, "https://kc.example.com/realms/a@evil.example", ""},
		{"space", realm, "https://kc.example.com/realms/a b", ""},
		{"non-ASCII", realm, "https://kc.example.com/realms/ä", ""},
		{"NUL", realm, "https://kc.example.com/realms/a\x00", ""},
		{"trailing slash", realm, "https://kc.example.com/realms/a/", ""},
		{"suffix missing", entra, "https://login.example.com/a", ""},
		{"suffix extended", entra, "https://login.example.com/a/v2.0/x", ""},
		{"other host", realm, "https://kc.example.com.evil.example/realms/a", ""},
		{"host case", realm, "https://KC.example.com/realms/a", ""},
		{"scheme", realm, "http://kc.example.com/realms/a", ""},
		{"user info", realm, "https://kc.example.com@evil.example/realms/a", ""},
		{"empty", realm, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tenant, ok := tt.p.match(tt.iss)
			if ok != (tt.tenant != "") || tenant != tt.tenant {
				t.Fatalf("match(%q) = %q, %v; want %q", tt.iss, tenant, ok, tt.tenant)
			}
		})
	}
}

// FuzzMatch: whatever iss is, a match is exactly prefix + one valid
// segment + suffix, and matching never panics.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"https://login.example.com/t/v2.0", "https://login.example.com/../v2.0",
		"https://login.example.com/a/b/v2.0", "https://login.example.com/%2e%2e/v2.0", "",
	} {
		f.Add(s)
	}
	p, err := parsePattern("https://login.example.com/{tenant}/v2.0", false)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, iss string) {
		tenant, ok := p.match(iss)
		if !ok {
			return
		}
		if iss != p.prefix+tenant+p.suffix || !validTenant(tenant) || strings.ContainsAny(tenant, "/%?#@") {
			t.Fatalf("match(%q) = %q", iss, tenant)
		}
	})
}
