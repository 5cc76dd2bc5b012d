package jwks

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/jwtguard/jwtguard/internal/httpx"
)

// Defaults applied to zero Config fields. The reasoning behind each is in
// the field documentation of [Config].
const (
	DefaultHTTPTimeout        = httpx.DefaultTimeout
	DefaultMaxBodyBytes       = 1 << 20 // 1 MiB
	DefaultRefreshInterval    = 15 * time.Minute
	DefaultMinRefreshInterval = time.Minute
	DefaultMaxRefreshInterval = time.Hour
	DefaultUnknownKIDCooldown = 15 * time.Second
	DefaultStaleWindow        = 6 * time.Hour

	negCacheSize     = 1024
	negCacheTTL      = time.Minute
	negCacheMaxKID   = 256 // longer kids are not remembered (bounds memory)
	backoffBase      = time.Second
	backoffCap       = time.Minute
	jitterFraction   = 0.10
	errorBodyDiscard = 4 << 10
)

// Config configures a [Cache]. The zero value of every field except the
// source (URL or Issuer) is a safe default. New copies the Config; changing
// it afterwards has no effect.
type Config struct {
	// URL is the JWKS URL, for example
	// "https://id.wgtwo.com/.well-known/jwks.json". Set exactly one of URL
	// and Issuer.
	URL string

	// Issuer is the issuer identifier. The JWKS URL is discovered from
	// "<Issuer without trailing slash>/.well-known/openid-configuration"
	// (OpenID Connect Discovery §4) on the first fetch and then reused; the
	// document's "issuer" must equal Issuer exactly (trailing slash
	// included) or the fetch fails with [ErrFetch]. Set exactly one of URL
	// and Issuer.
	Issuer string

	// HTTPClient fetches the discovery and JWKS documents. nil means a
	// client owned by the Cache with a 10 s overall timeout (a hung issuer
	// must not park goroutines), no cookie jar, and at most 5 redirects
	// that must stay on the same host (and on https unless
	// InsecureAllowHTTP).
	//
	// A caller-supplied client keeps its transport, jar and timeout (a
	// zero Timeout becomes 10 s), but the Cache uses a shallow copy of it
	// that keeps the same rules whatever the client says: every request
	// URL, redirects included, must be https unless InsecureAllowHTTP
	// (checked before the request reaches the client's transport), and a
	// redirect must stay on the first request's host and be at most the
	// fifth before the client's own CheckRedirect is asked. The client
	// passed in is not modified. Its TLS settings are the caller's: to
	// trust a private CA, prefer RootCAs or TLSConfig over a client of
	// your own. HTTPClient cannot be combined with RootCAs or TLSConfig.
	HTTPClient *http.Client

	// RootCAs, if not nil, replaces the system roots for verifying the
	// issuer's certificate (a private CA), keeping every other default of
	// the Cache's own client. Set at most one of RootCAs, TLSConfig and
	// HTTPClient.
	RootCAs *x509.CertPool

	// TLSConfig, if not nil, is cloned into the Cache's own client's
	// transport, for needs RootCAs does not cover (a client certificate
	// for mutual TLS, say); every other default is kept. New refuses one
	// with InsecureSkipVerify or a MinVersion below TLS 1.2. Set at most
	// one of RootCAs, TLSConfig and HTTPClient.
	TLSConfig *tls.Config

	// InsecureAllowHTTP permits http:// for URL, Issuer and the discovered
	// jwks_uri. false (the default) requires https, because keys fetched in
	// clear text can be replaced by anyone on the path. Set it only for
	// tests and loopback issuers.
	InsecureAllowHTTP bool

	// MaxBodyBytes caps the discovery and JWKS response bodies; a larger
	// body fails the fetch after reading MaxBodyBytes+1 bytes. 0 means
	// 1 MiB (as oauth2 and auth0 v3 use; a 1 000-key RSA-4096 JWKS is about
	// 750 KiB). Negative is an error.
	MaxBodyBytes int64

	// RefreshInterval is the refresh period when a response carries no
	// usable Cache-Control max-age or Expires. 0 means 15 min (jwx's
	// window; Hydra sends no max-age at all). Cache-Control no-store and
	// no-cache are ignored for scheduling, since Hydra v2 sends them on every
	// response. The value is clamped to [MinRefreshInterval,
	// MaxRefreshInterval].
	RefreshInterval time.Duration

	// MinRefreshInterval is the shortest timer-driven refresh period, even
	// if max-age is smaller (max-age=0 included). 0 means 1 min; jwx uses
	// 15 min, which delays rotation pickup when unknown-kid refreshes are
	// not available, and auth0 v3 allows 1 s, which lets an issuer make us
	// poll it hard. Unknown-kid refreshes and retries are not bound by it.
	MinRefreshInterval time.Duration

	// MaxRefreshInterval is the longest timer-driven refresh period, even
	// if max-age is larger. It bounds how long a key removed from the JWKS
	// (revoked) keeps verifying tokens (threat model T13). 0 means 1 h
	// (keyfunc's ticker; httprc v3's 30 d and auth0 v3's 7 d are far too long
	// for revocation).
	MaxRefreshInterval time.Duration

	// UnknownKIDCooldown is the minimum time between two refreshes
	// triggered by unknown kids. Within the cooldown, an unknown kid waits
	// for a fetch already in flight, if there is one (it may bring the
	// kid), and otherwise fails at once with [ErrKeyNotFound]: a request
	// never waits on a rate limiter
	// (keyfunc's blocking limiter held requests for minutes; go-oidc has no
	// limit at all and turns every random kid into a fetch; threat model T12).
	// Timer and retry fetches do not consume the cooldown, so a rotation
	// right after a timer refresh is still picked up at once. 0 means 15 s:
	// between panva/jose's 30 s and a rotation that must not fail traffic
	// for long.
	//
	// A kid still missing right after a fetch is also remembered (up to
	// 1024 kids, for 1 min), so a client repeating one retired kid cannot
	// use up the cooldown that a real rotation needs. The minute is short
	// so that a JWKS endpoint lagging behind its signer (a CDN in front of
	// the issuer) delays a genuinely new kid by at most that long.
	UnknownKIDCooldown time.Duration

	// StaleWindow is how long the last good key set keeps being served
	// after refreshes start failing (counted from the first failed refresh
	// after the last success). After it, Key fails with [ErrUnavailable].
	// Other Go JWKS libraries do not bound this (they serve stale keys
	// forever or fail at once; threat model T13). 0 means 6 h: long enough to ride out an issuer
	// outage, short enough that keys the issuer has revoked meanwhile stop
	// working the same day.
	StaleWindow time.Duration

	// LazyStart makes New return at once with an empty cache that fetches
	// in the background and on first use; Key returns [ErrUnavailable]
	// until the first fetch succeeds. false (the default) makes New fetch
	// the keys before returning and fail if that fails, so a service does
	// not start taking traffic it can only reject (hasura#9613) and a
	// misconfigured URL is reported at start-up rather than per request.
	LazyStart bool

	// PersistPath, if not empty, names a file in which the Cache keeps the
	// last good JWK Set document, its fetch time and the URL or Issuer it
	// came from, so that a process restarted during an issuer outage can
	// serve the keys its previous run fetched. Empty (the default) keeps
	// keys in memory only.
	//
	// The file is written after a successful refresh whose document
	// changed, and otherwise at most every 5 min to renew its fetch time,
	// atomically (a temporary file in the same directory, synced, then
	// renamed) with mode 0600. It is read only when the first fetch fails,
	// and trusted only if it was written for the same URL or Issuer, is
	// not larger than MaxBodyBytes plus a small header, is not writable by
	// group or others, its document passes [ParseSet] with at least one
	// usable key, and its fetch time lies less than StaleWindow in the
	// past: its keys are served until StaleWindow after that fetch time,
	// then Key fails with [ErrUnavailable] as for keys in memory. Any other
	// file is ignored and reported ([EventPersistLoadFailed]). Whoever can
	// write the file can choose the keys served during an outage: keep it
	// on storage only this process can write.
	PersistPath string

	// Pinned keys are served in addition to the fetched ones: before the
	// first fetch, during outages and after StaleWindow has passed. Pinned
	// keys win: a fetched key with a pinned key's kid is left out, and
	// reported as [EventKeySkipped] unless it is the pinned key itself
	// (same public key, alg and use). Two pinned keys with one kid, or a
	// nil key, make New fail. Pinned keys do not make New succeed without a
	// fetched or persisted set (use LazyStart for that), and they do not
	// count for [Status.Available]. A pinned key stays trusted until the
	// Cache is rebuilt without it: pin only keys whose revocation you
	// control.
	Pinned []*Key

	// OnEvent, if not nil, is called for refresh outcomes, skipped keys and
	// unknown-kid handling (see [Event]). It is called synchronously from
	// the cache's goroutine and from Key, so it must be fast, must not
	// block and must not call the Cache. It may be called concurrently.
	// nil means silent; [LogEvents] turns a *slog.Logger into a hook.
	OnEvent func(Event)
}

// resolve validates cfg and fills in defaults.
func (cfg Config) resolve() (Config, error) {
	if (cfg.URL == "") == (cfg.Issuer == "") {
		return cfg, errors.New("jwks: set exactly one of Config.URL and Config.Issuer")
	}
	src := cfg.URL
	if src == "" {
		src = cfg.Issuer
	}
	if err := checkURL(src, cfg.InsecureAllowHTTP); err != nil {
		return cfg, err
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"RefreshInterval", cfg.RefreshInterval}, {"MinRefreshInterval", cfg.MinRefreshInterval},
		{"MaxRefreshInterval", cfg.MaxRefreshInterval}, {"UnknownKIDCooldown", cfg.UnknownKIDCooldown},
		{"StaleWindow", cfg.StaleWindow},
	} {
		if d.v < 0 {
			return cfg, fmt.Errorf("jwks: Config.%s is negative (%v)", d.name, d.v)
		}
	}
	if cfg.MaxBodyBytes < 0 {
		return cfg, fmt.Errorf("jwks: Config.MaxBodyBytes is negative (%d)", cfg.MaxBodyBytes)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	explicitMax := cfg.MaxRefreshInterval != 0
	if cfg.MinRefreshInterval == 0 {
		cfg.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if cfg.MaxRefreshInterval == 0 {
		cfg.MaxRefreshInterval = DefaultMaxRefreshInterval
	}
	if cfg.MinRefreshInterval > cfg.MaxRefreshInterval {
		if explicitMax {
			return cfg, fmt.Errorf("jwks: Config.MinRefreshInterval %v exceeds MaxRefreshInterval %v", cfg.MinRefreshInterval, cfg.MaxRefreshInterval)
		}
		cfg.MaxRefreshInterval = cfg.MinRefreshInterval
	}
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	cfg.RefreshInterval = clamp(cfg.RefreshInterval, cfg.MinRefreshInterval, cfg.MaxRefreshInterval)
	if cfg.UnknownKIDCooldown == 0 {
		cfg.UnknownKIDCooldown = DefaultUnknownKIDCooldown
	}
	if cfg.StaleWindow == 0 {
		cfg.StaleWindow = DefaultStaleWindow
	}
	cfg.Pinned = slices.Clone(cfg.Pinned)
	return cfg, nil
}

// checkURL requires an absolute https (or, if allowed, http) URL with a host.
func checkURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("jwks: bad URL %q: %w", raw, err)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return fmt.Errorf("jwks: URL %q is not https (set InsecureAllowHTTP only for tests)", raw)
	default:
		return fmt.Errorf("jwks: URL %q: scheme must be https", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("jwks: URL %q has no host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("jwks: URL %q must not carry credentials", u.Redacted())
	}
	return nil
}

// newHTTPClient returns the client a Cache fetches with: its own, or a
// copy of Config.HTTPClient, both enforcing the rules documented there.
func (cfg Config) newHTTPClient() (*http.Client, error) {
	c, err := httpx.NewClient(httpx.Config{
		HTTPClient:        cfg.HTTPClient,
		RootCAs:           cfg.RootCAs,
		TLSConfig:         cfg.TLSConfig,
		InsecureAllowHTTP: cfg.InsecureAllowHTTP,
	})
	if err != nil {
		return nil, fmt.Errorf("jwks: Config: %w", err)
	}
	return c, nil
}
