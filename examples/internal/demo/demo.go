// Package demo is the scaffolding the example programs share: a local
// issuer, a verifier that trusts it, a TLS certificate made at start-up,
// and the smoke requests.
package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/ready"
	"github.com/jwtguard/jwtguard/verify"
)

// The client the demo issuer knows, and the scopes it may get.
const (
	ClientID    = "demo-client"
	ScopeRead   = "sms.read"
	ScopeSend   = "sms.text:send_to_subscriber"
	clientToken = "demo-secret"
)

// Env is a running local issuer and the verifier that trusts it.
type Env struct {
	Issuer   *issuertest.Server
	Keys     *jwks.Cache
	Verifier *verify.Verifier
	Ready    *ready.Probe
	// TLS is a server configuration with a loopback certificate made at
	// start-up; Roots trusts it.
	TLS   *tls.Config
	Roots *x509.CertPool
}

// Start starts the issuer and loads its keys.
func Start(ctx context.Context) (*Env, error) {
	iss := issuertest.NewServer(issuertest.Config{TLS: true})
	iss.AddClient(issuertest.Client{ID: ClientID, Secret: clientToken, Scopes: []string{ScopeRead, ScopeSend}})
	keys, err := jwks.New(ctx, jwks.Config{Issuer: iss.Issuer(), HTTPClient: iss.Client()})
	if err != nil {
		iss.Close()
		return nil, err
	}
	e := &Env{Issuer: iss, Keys: keys}
	e.Verifier, err = verify.New(verify.Config{
		Issuers:                   []verify.Issuer{{Name: iss.Issuer(), Keys: keys}},
		InsecureSkipAudienceCheck: true, // Hydra's access tokens carry "aud": []
	})
	if err == nil {
		e.Ready, err = ready.New(ready.Config{Checks: map[string]ready.Checker{"issuer": ready.Keys(keys)}})
	}
	if err == nil {
		e.TLS, e.Roots, err = loopbackTLS()
	}
	if err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close stops the key cache and the issuer.
func (e *Env) Close() {
	e.Keys.Close()
	e.Issuer.Close()
}

// Token returns an access token for the demo client with scopes.
func (e *Env) Token(scopes ...string) string { return e.Issuer.AccessToken(ClientID, scopes...) }

// HTTPClient returns a client (HTTP/2) that trusts the server certificate.
func (e *Env) HTTPClient() *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.Roots, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// loopbackTLS makes a self-signed ECDSA certificate for 127.0.0.1, ::1
// and localhost, valid for a day.
func loopbackTLS() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "jwtguard example"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
	return cfg, pool, nil
}

// Case is one smoke request.
type Case struct {
	Name, Method, Path, Token string
	Want                      int
}

// HTTPCases are the smoke requests of the HTTP examples, which all serve
// GET /readyz (no token), GET /v1/me (any valid token) and POST /v1/sms
// (scope ScopeSend).
func (e *Env) HTTPCases() []Case {
	return []Case{
		{"ready", http.MethodGet, "/readyz", "", http.StatusOK},
		{"no token", http.MethodGet, "/v1/me", "", http.StatusUnauthorized},
		{"not a JWT", http.MethodGet, "/v1/me", "abc", http.StatusUnauthorized},
		{"expired", http.MethodGet, "/v1/me", e.Issuer.ExpiredAccessToken(ClientID, ScopeRead), http.StatusUnauthorized},
		{"valid token", http.MethodGet, "/v1/me", e.Token(ScopeRead), http.StatusOK},
		{"wrong scope", http.MethodPost, "/v1/sms", e.Token(ScopeRead), http.StatusForbidden},
		{"right scope", http.MethodPost, "/v1/sms", e.Token(ScopeSend), http.StatusOK},
	}
}

// Smoke sends every case to base, writes one line per case to out, and
// fails if any status differs from the one wanted.
func (e *Env) Smoke(ctx context.Context, out io.Writer, base string, cases []Case) error {
	client := e.HTTPClient()
	defer client.CloseIdleConnections()
	var errs []error
	for _, c := range cases {
		req, err := http.NewRequestWithContext(ctx, c.Method, base+c.Path, nil)
		if err != nil {
			return err
		}
		if c.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.Token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		fmt.Fprintf(out, "%-12s %-4s %-8s %d %s\n", c.Name, c.Method, c.Path, resp.StatusCode, strings.TrimSpace(string(body)))
		if resp.StatusCode != c.Want {
			errs = append(errs, fmt.Errorf("%s: status %d, want %d", c.Name, resp.StatusCode, c.Want))
		}
	}
	return errors.Join(errs...)
}

// Serve serves h over TLS on addr; with smoke it sends the HTTP cases
// (see [Env.ServeWith]).
func (e *Env) Serve(ctx context.Context, addr string, h http.Handler, smoke bool, out io.Writer) error {
	var check func(ctx context.Context, base string) error
	if !smoke {
		fmt.Fprintf(out, "call with: curl -k -H \"Authorization: Bearer $TOKEN\" https://%s/v1/me\n", addr)
	} else {
		check = func(ctx context.Context, base string) error { return e.Smoke(ctx, out, base, e.HTTPCases()) }
	}
	return e.ServeWith(ctx, addr, h, check, out)
}

// ServeWith serves h over TLS on addr. When smoke is not nil it is called
// with the server's base URL and ServeWith returns once it has; otherwise
// ServeWith prints how to call the server and serves until ctx ends.
func (e *Env) ServeWith(ctx context.Context, addr string, h http.Handler, smoke func(ctx context.Context, base string) error, out io.Writer) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, TLSConfig: e.TLS, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(lis, "", "") }()
	base := "https://" + lis.Addr().String()
	if smoke != nil {
		err = smoke(ctx, base)
	} else {
		fmt.Fprintf(out, "serving on %s (self-signed certificate: curl -k)\n", base)
		fmt.Fprintf(out, "TOKEN=%s\n", e.Token(ScopeRead, ScopeSend))
		<-ctx.Done()
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(err, srv.Shutdown(shutdownCtx))
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// Main parses the flags every example takes (-addr, -smoke) and calls run
// until an interrupt; it exits non-zero when run fails.
func Main(run func(ctx context.Context, addr string, smoke bool, out io.Writer) error) {
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	smoke := flag.Bool("smoke", false, "send a few requests, print the answers and exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, *smoke, os.Stdout); err != nil {
		stop()
		log.Fatal(err)
	}
}
