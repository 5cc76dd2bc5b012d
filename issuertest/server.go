package issuertest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HydraV2CacheControl is the Cache-Control value Ory Hydra v2 and later send
// on every public route, including /.well-known/jwks.json. Hydra v1 sends no
// Cache-Control at all (the default here).
const HydraV2CacheControl = "private, no-cache, no-store, must-revalidate"

// Scope claim shapes for [Config.ScopeClaim], as Hydra's
// strategies.jwt.scope_claim setting names them.
const (
	ScopeClaimList   = "list"   // "scp": ["a","b"] (Hydra's default)
	ScopeClaimString = "string" // "scope": "a b"
	ScopeClaimBoth   = "both"   // both of the above
)

// Client authentication methods for [Client.AuthMethod].
const (
	AuthMethodBasic = "client_secret_basic" // HTTP Basic (wgtwo, Sangoma); the default
	AuthMethodPost  = "client_secret_post"  // client_id/client_secret form fields (Net2Phone)
	AuthMethodAny   = "any"                 // either of the above
)

// Config configures a [Server]. The zero value gives a Hydra v1.11 issuer as
// id.wgtwo.com runs it: plain HTTP on loopback, issuer with a trailing slash,
// 2048-bit RSA keys named "public:<uuid>", no Cache-Control on the JWKS,
// "scp" as a JSON array, one-hour tokens and "aud": [].
type Config struct {
	// TLS serves HTTPS with a self-signed loopback certificate. Use
	// [Server.Client] or [Server.Certificate] to trust it. False serves
	// plain HTTP.
	TLS bool

	// RequestClientCert asks TLS clients for a certificate
	// (tls.RequestClientCert: optional, and not verified against any CA)
	// and implies TLS. An access token issued at the token endpoint to a
	// request that presented one is bound to it (RFC 8705 §3.1): its JWT
	// carries "cnf": {"x5t#S256": [CertThumbprint]}, and introspection
	// answers the same cnf for it, JWT or opaque. Clients that present no
	// certificate get unbound tokens, as without it. Client
	// authentication stays by secret: presenting a certificate is all
	// this checks of it, a simplification of RFC 8705 §2.
	RequestClientCert bool

	// NoTrailingSlash makes the issuer the base URL exactly, as Hydra v2
	// does. False (the default) appends "/", as Hydra v1 forces and as
	// https://id.wgtwo.com/ shows.
	NoTrailingSlash bool

	// KeyBits is the RSA key size: 0 or 2048 for 2048-bit keys, or 4096
	// (Hydra's own minimum, and what id.wgtwo.com uses). Keys come from a
	// fixed pool of pre-generated test keys in order; a fresh key is
	// generated only once the pool is exhausted. Other values panic.
	KeyBits int

	// BareUUIDKIDs names keys with a bare UUIDv4 as Hydra v2 does. False
	// (the default) uses Hydra v1's "public:<uuid>".
	BareUUIDKIDs bool

	// CacheControl is the Cache-Control header of the JWKS and discovery
	// responses. "" sends none (Hydra v1); see [HydraV2CacheControl].
	CacheControl string

	// ScopeClaim selects the scope claim of access tokens:
	// [ScopeClaimList] ("" means this), [ScopeClaimString] or
	// [ScopeClaimBoth]. Other values panic.
	ScopeClaim string

	// TokenTTL is the lifetime of access and ID tokens: exp = iat + TokenTTL.
	// 0 means one hour. The token endpoint reports expires_in as
	// TokenTTL minus one second (3599 for an hour, as Hydra and wgtwo do),
	// so a client never thinks a token lives longer than it does.
	// [Client.TokenTTL] overrides it for one client's access tokens.
	// Refresh tokens live 720 hours and codes 10 minutes, Hydra's
	// defaults. Negative values panic.
	TokenTTL time.Duration

	// Audience is the "aud" of access tokens. nil or empty gives "aud": [],
	// Hydra's default when the client was granted no audience.
	Audience []string

	// ExpiresField adds Net2Phone's extra "expires" member (ISO-8601 UTC
	// without a zone designator, e.g. "2016-11-11T16:05:10.301803") to token
	// endpoint responses. False omits it.
	ExpiresField bool

	// Now is the clock for iat, nbf, exp and "expires", and for deciding
	// whether a token or code has expired (introspection, userinfo, the
	// code and refresh grants). nil means time.Now.
	Now func() time.Time

	// AccessTokenFormat is the form of the access tokens the token
	// endpoint issues: [TokenFormatJWT] ("" means this), [TokenFormatHydra],
	// [TokenFormatHydraV2] or [TokenFormatHex32]. [Client.AccessTokenFormat]
	// overrides it per client. Other values panic.
	AccessTokenFormat string

	// IntrospectAuth is how /oauth2/introspect authenticates its caller:
	// [IntrospectAuthNone] ("" means this, as on Hydra's admin port),
	// [IntrospectAuthClient] or [IntrospectAuthBearer]. Other values panic.
	IntrospectAuth string

	// UserPhone is the phone number of the user who logs in and consents,
	// without being asked, at /oauth2/auth; a login_hint parameter there
	// overrides it. "" means "+4799999999".
	UserPhone string

	// Path is the issuer's path after the host, e.g. "/realms/demo" as
	// Keycloak names a realm or "/tenant-a/v2.0" as multi-tenant issuers
	// do. Every endpoint is served under it, and [Server.URL], the
	// issuer and every endpoint URL include it. "" means none. It must
	// start with "/", not end with "/" and contain no "?", "#", "{" or
	// "}"; other values panic.
	Path string

	// Addr is the TCP address to listen on, e.g. "127.0.0.1:8444", for an
	// issuer whose URL other processes are configured with. "" means a
	// random loopback port, as httptest uses. NewServer panics if it
	// cannot listen.
	Addr string
}

// Client is an OAuth 2.0 client registered with [Server.AddClient].
type Client struct {
	ID     string
	Secret string
	// Scopes the client may request; a token request without "scope"
	// gets all of them.
	Scopes []string
	// AuthMethod is [AuthMethodBasic] ("" means this), [AuthMethodPost]
	// or [AuthMethodAny]. Other values make AddClient panic.
	AuthMethod string
	// RedirectURIs are the exact redirect_uri values /oauth2/auth
	// accepts for this client. A client without any cannot use the
	// authorization-code flow.
	RedirectURIs []string
	// AccessTokenFormat overrides [Config.AccessTokenFormat] for this
	// client when non-empty; other values than the TokenFormat constants
	// make AddClient panic.
	AccessTokenFormat string
	// TokenTTL overrides [Config.TokenTTL] for this client's access
	// tokens when positive, e.g. 365*24*time.Hour for Sangoma's one-year
	// tokens. Negative values make AddClient panic.
	TokenTTL time.Duration
}

// Server is an OAuth 2.0 / OpenID Connect issuer on a loopback address,
// shaped like Ory Hydra. All methods are safe for concurrent use.
type Server struct {
	cfg    Config
	ttl    time.Duration
	genKey func(bits int) (*rsa.PrivateKey, error) // once the pool is exhausted; a seam for tests
	ts     *httptest.Server
	done   chan struct{} // closed by Close
	cancel func()        // cancels the contexts of requests served over the network; called by Close
	mux    *http.ServeMux
	closer sync.Once

	hmacKey   [32]byte // signs the opaque tokens' signature part
	maxTokens int      // bound of the token table; a seam for tests
	reqs      [numEndpoints]atomic.Int64

	mu        sync.Mutex             // guards the fields below
	published []*signingKey          // newest first; published[0] signs
	all       map[string]*signingKey // every key ever created, by kid
	nextKey   int                    // index of the next pool key
	jwksDoc   []byte                 // JSON of published, rebuilt on change
	clients   map[string]Client
	faults    [numEndpoints]Fault

	tokMu  sync.Mutex // guards tokens; never held with mu
	tokens tokenTable
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// NewServer starts an issuer on 127.0.0.1 with one signing key. It panics on
// an invalid Config, as httptest does on failure. The caller must call
// [Server.Close] when finished (t.Cleanup(s.Close)).
func NewServer(cfg Config) *Server {
	switch cfg.KeyBits {
	case 0:
		cfg.KeyBits = 2048
	case 2048, 4096:
	default:
		panic(fmt.Sprintf("issuertest: Config.KeyBits %d: want 0, 2048 or 4096", cfg.KeyBits))
	}
	cfg.ScopeClaim = oneOf("Config.ScopeClaim", cfg.ScopeClaim, ScopeClaimList, ScopeClaimString, ScopeClaimBoth)
	cfg.AccessTokenFormat = oneOf("Config.AccessTokenFormat", cfg.AccessTokenFormat, tokenFormats()...)
	cfg.IntrospectAuth = oneOf("Config.IntrospectAuth", cfg.IntrospectAuth, IntrospectAuthNone, IntrospectAuthClient, IntrospectAuthBearer)
	if cfg.UserPhone == "" {
		cfg.UserPhone = "+4799999999"
	}
	if cfg.Path != "" && (!strings.HasPrefix(cfg.Path, "/") || strings.HasSuffix(cfg.Path, "/") || strings.ContainsAny(cfg.Path, "?#{} ")) {
		panic(fmt.Sprintf("issuertest: Config.Path %q: want \"/a/b\" form", cfg.Path))
	}
	if cfg.TokenTTL < 0 {
		panic(fmt.Sprintf("issuertest: Config.TokenTTL %v is negative", cfg.TokenTTL))
	}
	cfg.TLS = cfg.TLS || cfg.RequestClientCert
	cfg.Audience = slices.Clone(cfg.Audience)
	if cfg.Audience == nil {
		cfg.Audience = []string{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:       cfg,
		ttl:       cfg.TokenTTL,
		done:      make(chan struct{}),
		all:       map[string]*signingKey{},
		clients:   map[string]Client{},
		genKey:    func(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) },
		tokens:    tokenTable{m: map[string]*record{}},
		maxTokens: defaultMaxTokens,
	}
	_, _ = rand.Read(s.hmacKey[:]) // crypto/rand.Read never fails
	if s.ttl == 0 {
		s.ttl = time.Hour
	}
	s.Rotate()

	s.mux = http.NewServeMux()
	s.handle("GET "+cfg.Path+"/.well-known/openid-configuration", EndpointDiscovery, s.serveDiscovery)
	s.handle("GET "+cfg.Path+"/.well-known/jwks.json", EndpointJWKS, s.serveJWKS)
	s.handle("GET "+cfg.Path+"/oauth2/auth", EndpointAuthorize, s.serveAuthorize)
	s.handle("POST "+cfg.Path+"/oauth2/token", EndpointToken, s.serveToken)
	s.handle("POST "+cfg.Path+"/oauth2/introspect", EndpointIntrospect, s.serveIntrospect)
	s.handle("GET "+cfg.Path+"/userinfo", EndpointUserinfo, s.serveUserinfo)
	s.handle("POST "+cfg.Path+"/userinfo", EndpointUserinfo, s.serveUserinfo)
	s.handle("POST "+cfg.Path+"/oauth2/revoke", EndpointRevoke, s.serveRevoke)
	s.ts = httptest.NewUnstartedServer(s.mux)
	if cfg.Addr != "" {
		l, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			s.ts.Listener.Close()
			panic(fmt.Sprintf("issuertest: Config.Addr: %v", err))
		}
		s.ts.Listener.Close()
		s.ts.Listener = l
	}
	// Close cancels every request context, which ends Fault delays.
	base, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.ts.Config.BaseContext = func(net.Listener) context.Context { return base }
	// Clients that distrust the TLS certificate or drop connections are
	// normal in tests; keep net/http's logging out of test output.
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	if cfg.RequestClientCert {
		s.ts.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	}
	if cfg.TLS {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	return s
}

// URL is the base URL, e.g. "http://127.0.0.1:40123" followed by
// Config.Path, without a trailing slash.
func (s *Server) URL() string { return s.ts.URL + s.cfg.Path }

// Issuer is the "iss" value tokens carry and discovery announces: URL()+"/"
// unless Config.NoTrailingSlash.
func (s *Server) Issuer() string {
	if s.cfg.NoTrailingSlash {
		return s.URL()
	}
	return s.URL() + "/"
}

// JWKSURL is URL()+"/.well-known/jwks.json".
func (s *Server) JWKSURL() string { return s.URL() + "/.well-known/jwks.json" }

// TokenURL is URL()+"/oauth2/token".
func (s *Server) TokenURL() string { return s.URL() + "/oauth2/token" }

// DiscoveryURL is URL()+"/.well-known/openid-configuration".
func (s *Server) DiscoveryURL() string { return s.URL() + "/.well-known/openid-configuration" }

// AuthURL is URL()+"/oauth2/auth", the authorization endpoint.
func (s *Server) AuthURL() string { return s.URL() + "/oauth2/auth" }

// IntrospectURL is URL()+"/oauth2/introspect" (RFC 7662).
func (s *Server) IntrospectURL() string { return s.URL() + "/oauth2/introspect" }

// UserinfoURL is URL()+"/userinfo".
func (s *Server) UserinfoURL() string { return s.URL() + "/userinfo" }

// RevokeURL is URL()+"/oauth2/revoke" (RFC 7009).
func (s *Server) RevokeURL() string { return s.URL() + "/oauth2/revoke" }

// Client returns an HTTP client that trusts the server's TLS certificate
// (a plain client when !Config.TLS). Its idle connections are closed by
// [Server.Close].
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Certificate is the server's TLS certificate, for example for a gRPC
// client's RootCAs; nil unless Config.TLS.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// AddClient registers c, replacing any client with the same ID. It panics
// on an empty ID, an unknown AuthMethod or AccessTokenFormat, or a negative
// TokenTTL.
func (s *Server) AddClient(c Client) {
	if c.ID == "" {
		panic("issuertest: AddClient: empty client ID")
	}
	c.AuthMethod = oneOf("AddClient: AuthMethod", c.AuthMethod, AuthMethodBasic, AuthMethodPost, AuthMethodAny)
	if c.AccessTokenFormat != "" {
		c.AccessTokenFormat = oneOf("AddClient: AccessTokenFormat", c.AccessTokenFormat, tokenFormats()...)
	}
	if c.TokenTTL < 0 {
		panic(fmt.Sprintf("issuertest: AddClient: TokenTTL %v is negative", c.TokenTTL))
	}
	c.Scopes = slices.Clone(c.Scopes)
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	s.mu.Lock()
	s.clients[c.ID] = c
	s.mu.Unlock()
}

// oneOf returns v, or allowed[0] when v is "", and panics when v is not
// allowed.
func oneOf(what, v string, allowed ...string) string {
	switch {
	case v == "":
		return allowed[0]
	case slices.Contains(allowed, v):
		return v
	}
	panic(fmt.Sprintf("issuertest: %s %q: want one of %q", what, v, allowed))
}

func (s *Server) client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok
}

// Close unblocks delayed handlers, shuts the server down and waits for
// outstanding requests to finish. It is idempotent.
func (s *Server) Close() {
	s.closer.Do(func() {
		close(s.done)
		s.cancel()
		s.ts.Close()
	})
}

func (s *Server) closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
