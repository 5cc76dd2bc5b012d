package multitenant

import (
	"fmt"
	"net/url"
	"strings"
)

// Placeholder is the one path segment of a pattern that stands for a
// tenant.
const Placeholder = "{tenant}"

// MaxTenantBytes is the longest tenant segment a pattern matches.
const MaxTenantBytes = 64

// pattern is a parsed Config.Patterns entry: an issuer matches when it is
// prefix + tenant + suffix with a valid tenant.
type pattern struct {
	prefix string // scheme://host/…/ up to the placeholder
	suffix string // "" or "/…" after it
}

// parsePattern checks raw: an absolute URL (https, or http when allowHTTP)
// with a host, no user information, query or fragment, and exactly one
// Placeholder, which is a whole path segment; no other "{" or "}".
func parsePattern(raw string, allowHTTP bool) (pattern, error) {
	bad := func(why string) (pattern, error) {
		return pattern{}, fmt.Errorf("multitenant: Config.Patterns entry %q: %s", raw, why)
	}
	i := strings.Index(raw, Placeholder)
	if i < 0 || strings.Count(raw, Placeholder) != 1 {
		return bad("want exactly one " + Placeholder)
	}
	p := pattern{prefix: raw[:i], suffix: raw[i+len(Placeholder):]}
	if strings.ContainsAny(p.prefix+p.suffix, "{}?#@\\ ") || strings.ContainsFunc(raw, isCTL) {
		return bad("only " + Placeholder + " may be a placeholder; no query, fragment, user information, spaces or control characters")
	}
	if !strings.HasSuffix(p.prefix, "/") || (p.suffix != "" && p.suffix[0] != '/') {
		return bad(Placeholder + " must be a whole path segment")
	}
	u, err := url.Parse(p.prefix)
	if err != nil {
		return bad(err.Error())
	}
	switch {
	case u.Scheme == "http" && !allowHTTP:
		return bad("http needs Keys.InsecureAllowHTTP")
	case u.Scheme != "https" && u.Scheme != "http":
		return bad("scheme must be https")
	case u.Host == "" || u.Opaque != "" || !strings.HasPrefix(p.prefix, u.Scheme+"://"+u.Host+"/"):
		return bad(Placeholder + " must be in the path, after a host")
	}
	for _, seg := range strings.Split(strings.TrimPrefix(u.Path, "/")+p.suffix, "/") {
		if seg == "." || seg == ".." {
			return bad("dot segments are not allowed")
		}
	}
	return p, nil
}

// match returns the tenant when iss is p's prefix, a valid tenant and p's
// suffix, byte for byte.
func (p pattern) match(iss string) (tenant string, ok bool) {
	rest, ok := strings.CutPrefix(iss, p.prefix)
	if !ok {
		return "", false
	}
	tenant, ok = strings.CutSuffix(rest, p.suffix)
	if !ok || !validTenant(tenant) {
		return "", false
	}
	return tenant, true
}

// validTenant: 1 to MaxTenantBytes bytes of [A-Za-z0-9._-], and not "."
// or ".." (which URL resolution would remove). The alphabet holds no "/",
// "%", "?", "#" or "@", so a tenant is exactly one path segment and no
// escape can turn into one.
func validTenant(s string) bool {
	if len(s) == 0 || len(s) > MaxTenantBytes || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isCTL(r rune) bool { return r < 0x20 || r == 0x7f }
