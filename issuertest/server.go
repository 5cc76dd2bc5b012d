package issuertest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
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
	// Negative values panic.
	TokenTTL time.Duration

	// Audience is the "aud" of access tokens. nil or empty gives "aud": [],
	// Hydra's default when the client was granted no audience.
	Audience []string

	// ExpiresField adds Net2Phone's extra "expires" member (ISO-8601 UTC
	// without a zone designator, e.g. "2016-11-11T16:05:10.301803") to token
	// endpoint responses. False omits it.
	ExpiresField bool

	// Now is the clock for iat, nbf, exp and "expires". nil means time.Now.
	Now func() time.Time

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
}

// Fault is injected into every JWKS response until cleared with
// [Server.SetFault](Fault{}). Fields combine in this order: Delay, then
// CloseConn, then Status, ContentType and Body.
type Fault struct {
	// Status is the HTTP status to answer with; 0 means 200.
	Status int
	// Delay holds the response back. It ends early when the client gives
	// up (nothing is written) or the server is closed (the connection is
	// dropped). Over [Server.Transport] it runs on the caller's clock and
	// ends only with the delay or the request's context.
	Delay time.Duration
	// Body replaces the JWKS document when non-nil (an empty non-nil
	// slice sends an empty body). nil sends the real JWKS document, even
	// with a non-200 Status.
	Body []byte
	// ContentType replaces "application/json" when non-empty.
	ContentType string
	// CloseConn drops the connection without writing a response (after
	// Delay, if any).
	CloseConn bool
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

	jwksReqs  atomic.Int64
	tokenReqs atomic.Int64

	mu        sync.Mutex             // guards the fields below
	published []*signingKey          // newest first; published[0] signs
	all       map[string]*signingKey // every key ever created, by kid
	nextKey   int                    // index of the next pool key
	jwksDoc   []byte                 // JSON of published, rebuilt on change
	clients   map[string]Client
	fault     Fault
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
	switch cfg.ScopeClaim {
	case "":
		cfg.ScopeClaim = ScopeClaimList
	case ScopeClaimList, ScopeClaimString, ScopeClaimBoth:
	default:
		panic(fmt.Sprintf("issuertest: Config.ScopeClaim %q: want %q, %q or %q", cfg.ScopeClaim, ScopeClaimList, ScopeClaimString, ScopeClaimBoth))
	}
	if cfg.TokenTTL < 0 {
		panic(fmt.Sprintf("issuertest: Config.TokenTTL %v is negative", cfg.TokenTTL))
	}
	cfg.Audience = slices.Clone(cfg.Audience)
	if cfg.Audience == nil {
		cfg.Audience = []string{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{
		cfg:     cfg,
		ttl:     cfg.TokenTTL,
		done:    make(chan struct{}),
		all:     map[string]*signingKey{},
		clients: map[string]Client{},
		genKey:  func(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) },
	}
	if s.ttl == 0 {
		s.ttl = time.Hour
	}
	s.Rotate()

	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /.well-known/openid-configuration", s.serveDiscovery)
	s.mux.HandleFunc("GET /.well-known/jwks.json", s.serveJWKS)
	s.mux.HandleFunc("POST /oauth2/token", s.serveToken)
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
	if cfg.TLS {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	return s
}

// URL is the base URL, e.g. "http://127.0.0.1:40123", without a trailing
// slash.
func (s *Server) URL() string { return s.ts.URL }

// Issuer is the "iss" value tokens carry and discovery announces: URL()+"/"
// unless Config.NoTrailingSlash.
func (s *Server) Issuer() string {
	if s.cfg.NoTrailingSlash {
		return s.ts.URL
	}
	return s.ts.URL + "/"
}

// JWKSURL is URL()+"/.well-known/jwks.json".
func (s *Server) JWKSURL() string { return s.ts.URL + "/.well-known/jwks.json" }

// TokenURL is URL()+"/oauth2/token".
func (s *Server) TokenURL() string { return s.ts.URL + "/oauth2/token" }

// DiscoveryURL is URL()+"/.well-known/openid-configuration".
func (s *Server) DiscoveryURL() string { return s.ts.URL + "/.well-known/openid-configuration" }

// Client returns an HTTP client that trusts the server's TLS certificate
// (a plain client when !Config.TLS). Its idle connections are closed by
// [Server.Close].
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Certificate is the server's TLS certificate, for example for a gRPC
// client's RootCAs; nil unless Config.TLS.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// AddClient registers c, replacing any client with the same ID. It panics
// on an empty ID or unknown AuthMethod.
func (s *Server) AddClient(c Client) {
	if c.ID == "" {
		panic("issuertest: AddClient: empty client ID")
	}
	switch c.AuthMethod {
	case "":
		c.AuthMethod = AuthMethodBasic
	case AuthMethodBasic, AuthMethodPost, AuthMethodAny:
	default:
		panic(fmt.Sprintf("issuertest: AddClient: AuthMethod %q: want %q, %q or %q", c.AuthMethod, AuthMethodBasic, AuthMethodPost, AuthMethodAny))
	}
	c.Scopes = slices.Clone(c.Scopes)
	s.mu.Lock()
	s.clients[c.ID] = c
	s.mu.Unlock()
}

func (s *Server) client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok
}

// Rotate makes a new key, publishes it first in the JWKS and signs with it
// from now on, as Hydra does (no pre-publication). Older keys stay
// published until [Server.Retire]. It returns the new kid.
func (s *Server) Rotate() (kid string) {
	s.mu.Lock()
	i := s.nextKey
	s.nextKey++
	s.mu.Unlock()
	// Load (or generate) outside the lock: generation is slow.
	priv := s.poolKey(i)
	if s.cfg.BareUUIDKIDs {
		kid = newUUID()
	} else {
		kid = "public:" + newUUID()
	}
	k := &signingKey{kid: kid, priv: priv}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all[kid] = k
	s.published = slices.Insert(s.published, 0, k)
	s.rebuildJWKSLocked()
	return kid
}

func (s *Server) poolKey(i int) *rsa.PrivateKey {
	if s.cfg.KeyBits == 4096 && i < testkeys.RSA4096Count {
		return testkeys.RSA4096(i)
	}
	if s.cfg.KeyBits == 2048 && i < testkeys.RSA2048Count {
		return testkeys.RSA2048(i)
	}
	k, err := s.genKey(s.cfg.KeyBits)
	if err != nil {
		panic(fmt.Sprintf("issuertest: generating RSA key: %v", err))
	}
	return k
}

// Retire removes kid from the JWKS, so tokens it signed no longer verify.
// If kid was signing, the newest remaining key signs from now on (Hydra
// signs with the newest key in its set). Once every key is retired, signing
// without an explicit key panics until [Server.Rotate]. Retire panics on a
// kid that is not published.
func (s *Server) Retire(kid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.published, func(k *signingKey) bool { return k.kid == kid })
	if i < 0 {
		panic(fmt.Sprintf("issuertest: Retire(%q): no such published key", kid))
	}
	s.published = slices.Delete(s.published, i, i+1)
	s.rebuildJWKSLocked()
}

// SigningKID is the kid of the key that currently signs tokens, or "" when
// every key is retired.
func (s *Server) SigningKID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.published) == 0 {
		return ""
	}
	return s.published[0].kid
}

// KIDs lists the published kids, newest (signing) first.
func (s *Server) KIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kids := make([]string, len(s.published))
	for i, k := range s.published {
		kids[i] = k.kid
	}
	return kids
}

// SetFault injects f into JWKS responses from now on; the zero Fault clears
// it. Requests already being served keep the fault they started with.
func (s *Server) SetFault(f Fault) {
	f.Body = slices.Clone(f.Body)
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// JWKSRequests counts JWKS requests received, including faulted ones.
func (s *Server) JWKSRequests() int64 { return s.jwksReqs.Load() }

// TokenRequests counts token endpoint requests received, including failed
// ones.
func (s *Server) TokenRequests() int64 { return s.tokenReqs.Load() }

// Close unblocks delayed handlers, shuts the server down and waits for
// outstanding requests to finish. It is idempotent.
func (s *Server) Close() {
	s.closer.Do(func() {
		close(s.done)
		s.cancel()
		s.ts.Close()
	})
}

type jwk struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (s *Server) rebuildJWKSLocked() {
	keys := make([]jwk, len(s.published))
	for i, k := range s.published {
		keys[i] = jwk{
			Use: "sig", Kty: "RSA", Kid: k.kid, Alg: "RS256",
			N: base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
		}
	}
	doc, err := json.Marshal(struct {
		Keys []jwk `json:"keys"`
	}{keys})
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	s.jwksDoc = doc
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *Server) closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
