package resourcemeta

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
)

// WellKnownPath is the well-known URI suffix of RFC 9728 §3.
const WellKnownPath = "/.well-known/oauth-protected-resource"

// DefaultMaxAge is the Cache-Control max-age sent when Config.MaxAge is
// zero.
const DefaultMaxAge = time.Hour

// Config describes a protected resource. Resource is required; every other
// zero field is omitted from the document or means the documented default.
type Config struct {
	// Resource is the resource identifier (RFC 9728 §1.2): an https URL
	// without query or fragment, e.g. "https://api.example.com/v1". It
	// is sent as "resource" and fixes the metadata URL (see
	// [Handler.URL]). Required.
	Resource string

	// AuthorizationServers lists the issuer identifiers of the
	// authorization servers whose tokens the resource accepts
	// ("authorization_servers"): https URLs without query or fragment,
	// exactly as the tokens' "iss" spells them.
	AuthorizationServers []string

	// ScopesSupported lists the scope values the resource uses in
	// authorization decisions ("scopes_supported"), each an RFC 6749
	// scope-token.
	ScopesSupported []string

	// BearerMethods lists how clients may send the token
	// ("bearer_methods_supported"): "header", "body" or "query".
	// nil means ["header"], the only method httpmw accepts by default;
	// add "query" only when httpmw.Config.TokenQueryParam is set.
	BearerMethods []string

	// DPoPSigningAlgs lists the JWS algorithms accepted for DPoP proofs
	// ("dpop_signing_alg_values_supported", RFC 9449). nil omits it;
	// "none" and HS* are refused, as DPoP proofs are asymmetric.
	DPoPSigningAlgs []string

	// CertificateBoundTokens announces that the resource supports access
	// tokens bound to a TLS client certificate, RFC 8705
	// ("tls_client_certificate_bound_access_tokens": true): set it when
	// the servers ask for client certificates, as httpmw, grpcmw and
	// connectguard then check such tokens. False omits the member (its
	// default is false).
	CertificateBoundTokens bool

	// ResourceName is a human-readable name ("resource_name"). "" omits it.
	ResourceName string

	// ResourceDocumentation is an https URL of developer documentation
	// ("resource_documentation"). "" omits it.
	ResourceDocumentation string

	// MaxAge is the Cache-Control max-age of the document. Zero means
	// DefaultMaxAge (1 h); negative values are refused.
	MaxAge time.Duration
}

// document is the JSON object of RFC 9728 §2; member names are exact.
type document struct {
	Resource              string   `json:"resource"`
	AuthorizationServers  []string `json:"authorization_servers,omitempty"`
	ScopesSupported       []string `json:"scopes_supported,omitempty"`
	BearerMethods         []string `json:"bearer_methods_supported"`
	ResourceName          string   `json:"resource_name,omitempty"`
	ResourceDocumentation string   `json:"resource_documentation,omitempty"`
	DPoPSigningAlgs       []string `json:"dpop_signing_alg_values_supported,omitempty"`
	CertificateBound      bool     `json:"tls_client_certificate_bound_access_tokens,omitzero"`
}

// Handler serves one protected resource metadata document. It is
// immutable and safe for concurrent use.
type Handler struct {
	url          string
	path         string
	body         []byte
	cacheControl string
}

// New validates cfg, encodes the document once and returns its Handler.
// It refuses a Resource, authorization server or documentation URL that
// is not an absolute https URL with a host and without query, fragment or
// user information; a resource path containing "{" or "}" (it could not be
// a ServeMux pattern); an empty, repeated or malformed scope, bearer
// method or DPoP algorithm; and a negative MaxAge.
func New(cfg Config) (*Handler, error) {
	if cfg.Resource == "" {
		return nil, errNoResource
	}
	u, err := checkURL("Resource", cfg.Resource)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(u.Path, "{}") {
		return nil, fmt.Errorf("resourcemeta: Config.Resource %q: path contains { or }", cfg.Resource)
	}
	for _, as := range cfg.AuthorizationServers {
		if _, err := checkURL("AuthorizationServers", as); err != nil {
			return nil, err
		}
	}
	if cfg.ResourceDocumentation != "" {
		if _, err := checkURL("ResourceDocumentation", cfg.ResourceDocumentation); err != nil {
			return nil, err
		}
	}
	methods := cfg.BearerMethods
	if methods == nil {
		methods = []string{"header"}
	}
	checks := []struct {
		name string
		list []string
		ok   func(string) bool
	}{
		{"AuthorizationServers", cfg.AuthorizationServers, func(string) bool { return true }},
		{"ScopesSupported", cfg.ScopesSupported, isScopeToken},
		{"BearerMethods", methods, func(m string) bool { return m == "header" || m == "body" || m == "query" }},
		{"DPoPSigningAlgs", cfg.DPoPSigningAlgs, isAsymmetricAlg},
	}
	for _, c := range checks {
		for i, v := range c.list {
			if v == "" || !c.ok(v) || slices.Contains(c.list[:i], v) {
				return nil, fmt.Errorf("resourcemeta: Config.%s entry %q is empty, repeated or not allowed", c.name, v)
			}
		}
	}
	if hasCTL(cfg.ResourceName) {
		return nil, fmt.Errorf("resourcemeta: Config.ResourceName %q contains control characters", cfg.ResourceName)
	}
	if cfg.MaxAge < 0 {
		return nil, fmt.Errorf("resourcemeta: Config.MaxAge %v is negative", cfg.MaxAge)
	}
	maxAge := cfg.MaxAge
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	body, err := json.Marshal(document{
		Resource:              cfg.Resource,
		AuthorizationServers:  cfg.AuthorizationServers,
		ScopesSupported:       cfg.ScopesSupported,
		BearerMethods:         methods,
		ResourceName:          cfg.ResourceName,
		ResourceDocumentation: cfg.ResourceDocumentation,
		DPoPSigningAlgs:       cfg.DPoPSigningAlgs,
		CertificateBound:      cfg.CertificateBoundTokens,
	})
	if err != nil {
		return nil, fmt.Errorf("resourcemeta: encoding the document: %w", err)
	}
	// RFC 9728 §3.1: the well-known suffix goes between the host and the
	// path, a path of just "/" being dropped.
	path := u.EscapedPath()
	if path == "/" {
		path = ""
	}
	path = WellKnownPath + path
	return &Handler{
		url:          u.Scheme + "://" + u.Host + path,
		path:         path,
		body:         body,
		cacheControl: "public, max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10),
	}, nil
}

// URL is the metadata URL, for httpmw.Config.ResourceMetadata and
// grpcmw's equivalent, so that every challenge names this document; e.g.
// "https://api.example.com/.well-known/oauth-protected-resource/v1" for
// the resource "https://api.example.com/v1".
func (h *Handler) URL() string { return h.url }

// Pattern is the [http.ServeMux] pattern that serves the document at
// URL's path: mux.Handle(h.Pattern(), h). GET patterns also match HEAD.
func (h *Handler) Pattern() string {
	if strings.HasSuffix(h.path, "/") {
		return "GET " + h.path + "{$}"
	}
	return "GET " + h.path
}

// ServeHTTP answers GET and HEAD with the document (application/json,
// Cache-Control public with Config.MaxAge) and other methods with 405.
// It does not look at the request path: mount it with Pattern.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", h.cacheControl)
	hd.Set("Content-Length", strconv.Itoa(len(h.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(h.body)
	}
}

// checkURL requires an absolute https URL with a host and without user
// information, query or fragment.
func checkURL(field, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("resourcemeta: Config.%s %q: %w", field, raw, err)
	case u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("resourcemeta: Config.%s %q is not an absolute https URL", field, raw)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("resourcemeta: Config.%s %q must not carry user information, a query or a fragment", field, raw)
	case hasCTL(raw):
		return nil, fmt.Errorf("resourcemeta: Config.%s %q contains control characters", field, raw)
	}
	return u, nil
}

// isScopeToken reports whether s is an RFC 6749 §3.3 scope-token:
// %x21 / %x23-5B / %x5D-7E.
func isScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func isAsymmetricAlg(a string) bool {
	return a != "none" && !strings.HasPrefix(strings.ToUpper(a), "HS") && isScopeToken(a)
}

func hasCTL(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

var errNoResource = errors.New("resourcemeta: Config.Resource is required")
