package introspect

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Defaults for the Config zero values.
const (
	DefaultTimeout       = 10 * time.Second
	DefaultMaxBodyBytes  = 64 << 10
	DefaultMaxTokenBytes = 4 << 10
	DefaultMaxInFlight   = 32
	DefaultMissRate      = 50 // remote checks per second
	DefaultMissBurst     = 100
	DefaultMaxTTL        = 5 * time.Minute
	DefaultNegativeTTL   = 10 * time.Second
	DefaultCacheEntries  = 10000
	DefaultCacheBytes    = 32 << 20
	// MaxLeeway is the largest Config.Leeway New accepts, as in verify.
	MaxLeeway = 5 * time.Minute
)

// Endpoint is the kind of remote check.
type Endpoint int

const (
	// Introspection POSTs the token to an RFC 7662 endpoint, which says
	// whether it is active and with which scopes and times.
	Introspection Endpoint = iota
	// Userinfo GETs the URL with the token as its own bearer credential
	// (an OpenID Connect userinfo endpoint, or any cheap protected
	// resource of the provider): 2xx accepts, 401 and 403 refuse. The
	// answer carries no scopes and no expiry.
	Userinfo
)

// ClientAuth is how the checker authenticates itself to an introspection
// endpoint (Userinfo sends only the token).
type ClientAuth int

const (
	// ClientBasic sends ClientID and ClientSecret with HTTP Basic, each
	// form-encoded first (RFC 6749 §2.3.1, "client_secret_basic").
	ClientBasic ClientAuth = iota
	// ClientPost sends client_id and client_secret in the form body
	// ("client_secret_post").
	ClientPost
	// ClientBearer sends Authorization: Bearer BearerToken.
	ClientBearer
	// ClientNone sends no credentials, as Hydra's admin port expects: the
	// endpoint must then be reachable only by trusted callers.
	ClientNone
)

// Config configures a Checker. URL is required, and audiences must be
// given or skipped explicitly; every other zero field is the documented
// secure default.
type Config struct {
	// Endpoint picks the remote check. Zero is Introspection.
	Endpoint Endpoint
	// URL is the introspection or userinfo endpoint. It must be https
	// (see InsecureAllowHTTP) and carry no user info. Redirects are never
	// followed, so the token goes to this URL and nowhere else.
	URL string

	// ClientAuth, ClientID, ClientSecret and BearerToken authenticate the
	// checker to an introspection endpoint. Zero is ClientBasic, which
	// needs ClientID and ClientSecret. Userinfo refuses them: it sends only
	// the token.
	ClientAuth   ClientAuth
	ClientID     string
	ClientSecret string
	BearerToken  string

	// Issuer, when set, must equal the response's "iss" when it has one,
	// and becomes Claims.Issuer when it has none (a userinfo answer never
	// does). Compared byte for byte.
	Issuer string
	// Audiences lists the accepted "aud" values (any-of). Required for
	// Introspection unless InsecureSkipAudienceCheck; Userinfo answers
	// carry no audience, so there InsecureSkipAudienceCheck is required
	// instead.
	Audiences                 []string
	InsecureSkipAudienceCheck bool

	// WholeScope reads the response's "scope" string as one granted
	// value instead of splitting it on spaces: for providers whose scope
	// is a role name such as "Office Manager".
	WholeScope bool

	// TokenShape, when set, refuses (malformed, before any network call)
	// tokens the provider cannot have issued, so random strings cannot
	// drive remote calls: see HydraToken and Hex32Token. Nil accepts any
	// RFC 6750 b64token up to MaxTokenBytes.
	TokenShape func(token string) bool
	// MaxTokenBytes refuses longer tokens (token_too_large) before any
	// work. Zero means 4 KiB.
	MaxTokenBytes int

	// Leeway is the clock skew tolerated on exp, nbf and iat, as in
	// verify. Zero means none; at most 5 minutes.
	Leeway time.Duration

	// Cache configures the result cache.
	Cache CacheConfig

	// MaxInFlight bounds concurrent remote calls; MissRate (per second)
	// and MissBurst bound how fast cache misses may start them. A miss
	// beyond either bound is answered at once with ReasonUnavailable (503
	// or codes.Unavailable, so the client retries), never with a refusal
	// that would make a good token look bad. Zero means 32, 50/s and 100.
	MaxInFlight int
	MissRate    float64
	MissBurst   int

	// Timeout bounds one remote call; zero means 10 s. MaxBodyBytes caps
	// the response body; zero means 64 KiB.
	Timeout      time.Duration
	MaxBodyBytes int64

	// RootCAs, when set, replaces the system roots for the endpoint's
	// certificate; to add a private CA to the system roots, start from
	// x509.SystemCertPool. The transport is otherwise
	// http.DefaultTransport's (proxy, HTTP/2, dial and TLS timeouts).
	RootCAs *x509.CertPool
	// InsecureAllowHTTP permits an http:// URL whose host is a loopback
	// address or "localhost" (a sidecar, or tests). The token would
	// otherwise cross the network in clear text.
	InsecureAllowHTTP bool

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// CacheConfig configures the cache of remote results. The zero value
// enables it with the defaults below.
type CacheConfig struct {
	// MaxTTL bounds how long an accepted token is trusted without asking
	// again, and so how late a revocation is noticed. An entry lives until
	// min(exp, now+MaxTTL), or min(exp+Leeway, now+MaxTTL) when the
	// provider calls the token active after its exp. Zero means 5 minutes.
	MaxTTL time.Duration
	// NegativeTTL is how long a refusal (inactive, expired, wrong issuer
	// or audience) is remembered. Zero means 10 s. Outages, overload and
	// malformed responses are never cached.
	NegativeTTL time.Duration
	// MaxEntries and MaxBytes bound the built-in store. Zero means 10 000
	// and 32 MiB. Ignored when Store is set.
	MaxEntries int
	MaxBytes   int64
	// Store replaces the built-in in-memory store, e.g. to share results
	// between replicas. See Store for the contract.
	Store Store
	// HashKey keys the hash that names a token in the Store. Nil means a
	// random key per Checker, which suits an in-memory store; replicas
	// sharing a Store need the same key of at least 32 bytes. The hash
	// also binds Endpoint, URL, the client identity (ClientAuth, ClientID,
	// BearerToken), Issuer, Audiences, InsecureSkipAudienceCheck, WholeScope,
	// Leeway, MaxTTL and NegativeTTL, so Checkers that differ in any of
	// them never answer from each other's entries.
	HashKey []byte
}

// settings is a validated Config with defaults applied.
type settings struct {
	Config
	url *url.URL
}

func (cfg Config) validate() (*settings, error) {
	s := &settings{Config: cfg}
	u, err := checkURL(cfg.URL, cfg.InsecureAllowHTTP)
	if err != nil {
		return nil, err
	}
	s.url = u
	switch cfg.Endpoint {
	case Introspection:
		switch cfg.ClientAuth {
		case ClientBasic, ClientPost:
			if cfg.ClientID == "" || cfg.ClientSecret == "" {
				return nil, errors.New("introspect: config: ClientBasic and ClientPost need ClientID and ClientSecret")
			}
		case ClientBearer:
			if cfg.BearerToken == "" {
				return nil, errors.New("introspect: config: ClientBearer needs BearerToken")
			}
		case ClientNone:
		default:
			return nil, fmt.Errorf("introspect: config: unknown ClientAuth %d", cfg.ClientAuth)
		}
		switch {
		case cfg.InsecureSkipAudienceCheck && len(cfg.Audiences) > 0:
			return nil, errors.New("introspect: config: Audiences and InsecureSkipAudienceCheck are mutually exclusive")
		case !cfg.InsecureSkipAudienceCheck && len(cfg.Audiences) == 0:
			return nil, errors.New("introspect: config: no Audiences (set InsecureSkipAudienceCheck to accept any aud)")
		}
	case Userinfo:
		if len(cfg.Audiences) > 0 || !cfg.InsecureSkipAudienceCheck {
			return nil, errors.New("introspect: config: a userinfo answer has no audience: set InsecureSkipAudienceCheck and no Audiences")
		}
		if cfg.WholeScope {
			return nil, errors.New("introspect: config: WholeScope needs Introspection (a userinfo answer carries no scopes)")
		}
		if cfg.ClientAuth != ClientBasic || cfg.ClientID != "" || cfg.ClientSecret != "" || cfg.BearerToken != "" {
			return nil, errors.New("introspect: config: Userinfo sends only the token: leave ClientAuth and the client credentials unset")
		}
	default:
		return nil, fmt.Errorf("introspect: config: unknown Endpoint %d", cfg.Endpoint)
	}
	for _, a := range cfg.Audiences {
		if a == "" {
			return nil, errors.New("introspect: config: empty audience")
		}
	}
	s.Audiences = append([]string(nil), cfg.Audiences...)
	c := &s.Cache
	switch {
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("introspect: config: Leeway %v outside [0, %v]", cfg.Leeway, MaxLeeway)
	case cfg.MaxTokenBytes < 0, cfg.MaxInFlight < 0, cfg.MissRate < 0, cfg.MissBurst < 0,
		cfg.Timeout < 0, cfg.MaxBodyBytes < 0, c.MaxTTL < 0, c.NegativeTTL < 0, c.MaxEntries < 0, c.MaxBytes < 0:
		return nil, errors.New("introspect: config: negative limit")
	case c.HashKey != nil && len(c.HashKey) < 32:
		return nil, errors.New("introspect: config: Cache.HashKey shorter than 32 bytes")
	}
	def(&s.MaxTokenBytes, DefaultMaxTokenBytes)
	def(&s.MaxInFlight, DefaultMaxInFlight)
	def(&s.MissRate, DefaultMissRate)
	def(&s.MissBurst, DefaultMissBurst)
	def(&s.Timeout, DefaultTimeout)
	def(&s.MaxBodyBytes, DefaultMaxBodyBytes)
	def(&c.MaxTTL, DefaultMaxTTL)
	def(&c.NegativeTTL, DefaultNegativeTTL)
	def(&c.MaxEntries, DefaultCacheEntries)
	def(&c.MaxBytes, DefaultCacheBytes)
	if s.Now == nil {
		s.Now = time.Now
	}
	return s, nil
}

func def[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// checkURL requires an absolute https URL with a host and no user info, or
// http to a loopback host when allowed.
func checkURL(raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("introspect: config: bad URL: %w", err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("introspect: config: URL %q has no host", raw)
	case u.User != nil:
		return nil, fmt.Errorf("introspect: config: URL %q must not carry credentials", u.Redacted())
	case u.Fragment != "":
		return nil, fmt.Errorf("introspect: config: URL %q has a fragment", raw)
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP && isLoopback(u.Hostname()):
	case u.Scheme == "http" && allowHTTP:
		return nil, fmt.Errorf("introspect: config: URL %q: InsecureAllowHTTP is for loopback hosts only", raw)
	default:
		return nil, fmt.Errorf("introspect: config: URL %q is not https", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
