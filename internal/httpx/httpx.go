package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

const (
	// DefaultTimeout bounds a whole exchange (connect, TLS, headers and
	// body) for a client whose Timeout is zero: a hung issuer must not
	// park the goroutine that waits on it.
	DefaultTimeout = 10 * time.Second
	// MaxRedirects is the number of redirects a client follows before it
	// fails.
	MaxRedirects = 5
)

// Config configures [NewClient]. The zero value is the default client:
// system roots, https only, [DefaultTimeout], same-host redirects.
type Config struct {
	// HTTPClient, if set, is the caller's client. NewClient returns a
	// shallow copy of it whose transport refuses any request URL that is
	// not https (unless InsecureAllowHTTP), whose CheckRedirect applies
	// the same-host, https and MaxRedirects rules before deferring to the
	// caller's CheckRedirect, and whose Timeout is DefaultTimeout when the
	// caller's is zero. The caller's client itself is not modified.
	HTTPClient *http.Client

	// RootCAs, if set, replaces the system roots for verifying servers,
	// e.g. to trust a private CA. It cannot be combined with HTTPClient
	// (configure that client's transport instead) or TLSConfig (set its
	// RootCAs).
	RootCAs *x509.CertPool

	// TLSConfig, if set, is cloned into the client's transport, e.g. for
	// a client certificate. It must not set InsecureSkipVerify nor a
	// MinVersion below TLS 1.2. It cannot be combined with HTTPClient or
	// RootCAs.
	TLSConfig *tls.Config

	// InsecureAllowHTTP lets requests and redirects use http as well as
	// https. For tests and loopback servers only.
	InsecureAllowHTTP bool

	// NoRedirects makes the client follow no redirect at all: a 3xx
	// answer is returned as it is. For endpoints that receive a bearer
	// token, which must reach the configured URL and nothing else.
	NoRedirects bool

	// Timeout replaces DefaultTimeout for a client NewClient builds (not
	// for a caller's HTTPClient, whose own non-zero Timeout is kept).
	// Zero means DefaultTimeout.
	Timeout time.Duration
}

// NewClient returns an HTTP client that enforces the rules in the package
// documentation, built from cfg. It refuses combinations of cfg fields that
// would leave a rule to chance.
func NewClient(cfg Config) (*http.Client, error) {
	tlsConf, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient != nil {
		if tlsConf != nil {
			return nil, errors.New("set RootCAs and TLSConfig on the transport of HTTPClient, not beside it")
		}
		c := *cfg.HTTPClient
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = schemeGuard{next: next, allowHTTP: cfg.InsecureAllowHTTP}
		c.CheckRedirect = cfg.redirects(cfg.HTTPClient.CheckRedirect)
		if c.Timeout == 0 {
			c.Timeout = DefaultTimeout
		}
		return &c, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsConf
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Transport:     schemeGuard{next: tr, allowHTTP: cfg.InsecureAllowHTTP},
		Timeout:       timeout,
		CheckRedirect: cfg.redirects(nil),
	}, nil
}

// redirects returns the CheckRedirect of a client built from cfg.
func (cfg Config) redirects(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	if cfg.NoRedirects {
		return func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return redirectPolicy(cfg.InsecureAllowHTTP, next)
}

// tlsConfig returns the TLS configuration for a client NewClient builds,
// nil meaning the transport's default.
func (cfg Config) tlsConfig() (*tls.Config, error) {
	switch {
	case cfg.RootCAs != nil && cfg.TLSConfig != nil:
		return nil, errors.New("set at most one of RootCAs and TLSConfig (TLSConfig has its own RootCAs)")
	case cfg.RootCAs != nil:
		return &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}, nil
	case cfg.TLSConfig == nil:
		return nil, nil
	case cfg.TLSConfig.InsecureSkipVerify:
		return nil, errors.New("TLSConfig.InsecureSkipVerify is not allowed: pass the server's CA in RootCAs instead")
	case cfg.TLSConfig.MinVersion != 0 && cfg.TLSConfig.MinVersion < tls.VersionTLS12:
		return nil, errors.New("TLSConfig.MinVersion below TLS 1.2 is not allowed")
	}
	return cfg.TLSConfig.Clone(), nil
}

// redirectPolicy allows at most MaxRedirects redirects, each to the first
// request's host and to an allowed scheme, and then asks next, if any.
func redirectPolicy(allowHTTP bool, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		if req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
		}
		if err := checkScheme(req.URL, allowHTTP); err != nil {
			return fmt.Errorf("redirect refused: %w", err)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// checkScheme allows https, and http when allowHTTP.
func checkScheme(u *url.URL, allowHTTP bool) error {
	if u.Scheme == "https" || allowHTTP && u.Scheme == "http" {
		return nil
	}
	return fmt.Errorf("%s URL %s refused (https only)", u.Scheme, u.Redacted())
}

// schemeGuard refuses a request whose URL has a scheme checkScheme does
// not allow before it reaches the wrapped transport, so that the rule
// holds for every request and redirect whatever the client's
// CheckRedirect says.
type schemeGuard struct {
	next      http.RoundTripper
	allowHTTP bool
}

func (g schemeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkScheme(req.URL, g.allowHTTP); err != nil {
		if req.Body != nil {
			req.Body.Close() // RoundTrip must close the body, even on error
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}

// CloseIdleConnections forwards to the wrapped transport, for
// http.Client.CloseIdleConnections.
func (g schemeGuard) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
