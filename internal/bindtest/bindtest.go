// Package bindtest is the end-to-end table of certificate-bound access
// tokens (RFC 8705 §3) that the httpmw, grpcmw and connectguard tests run
// over real TLS: a test issuer that binds the tokens it issues over mTLS,
// two client certificates, and one row per token, certificate and kind of
// API server. For tests only.
package bindtest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// Server is the kind of API server a row is sent to.
type Server int

const (
	// MTLS asks clients for a certificate (tls.RequestClientCert); its
	// middleware lets unbound tokens through.
	MTLS Server = iota
	// PlainTLS does not ask for a client certificate, so clients send
	// none.
	PlainTLS
	// Required asks for a certificate and its middleware sets
	// RequireCertBinding.
	Required
)

// Servers lists every kind, for transports building one server of each.
var Servers = []Server{MTLS, PlainTLS, Required}

// Case is one request: Token sent to a server of kind Server by a client
// presenting Cert (nil: none).
type Case struct {
	Name   string
	Token  string
	Cert   *tls.Certificate
	Server Server
	// Want is the Reason the refusal must carry; "" means accepted. Every
	// refusal here is a token fault: 401 invalid_token / Unauthenticated.
	Want verify.Reason
	// Sub is the accepted token's subject; "" means "svc".
	Sub string
}

// Subject is the subject an accepted request's claims carry.
func (c Case) Subject() string {
	if c.Sub == "" {
		return "svc"
	}
	return c.Sub
}

// Fixture is the issuer, its verifier, the certificates and the rows.
type Fixture struct {
	Stack *e2etest.Stack
	// Checker is what the transports under test use: the Stack's
	// Verifier for JWTs, and introspection at the issuer for its opaque
	// tokens ([introspect.Route]), whose answers carry the binding.
	Checker verify.Checker
	// Cert is the certificate the bound tokens are bound to; Other is
	// another client's.
	Cert, Other tls.Certificate
	// Bound and Unbound are access tokens from the issuer's token
	// endpoint, requested with Cert and without a certificate.
	Bound, Unbound string
	Cases          []Case

	serverCert tls.Certificate
	roots      *x509.CertPool
}

// New starts an issuer that binds tokens issued over mTLS and builds the
// rows. Test cleanup stops everything.
func New(t *testing.T) *Fixture {
	t.Helper()
	f := &Fixture{Stack: e2etest.New(t, e2etest.Options{Issuer: issuertest.Config{RequestClientCert: true}})}
	var err error
	if f.serverCert, f.roots, err = testcert.Loopback("api"); err != nil {
		t.Fatal(err)
	}
	if f.Cert, err = testcert.Client("svc"); err != nil {
		t.Fatal(err)
	}
	if f.Other, err = testcert.Client("svc"); err != nil {
		t.Fatal(err)
	}
	iss := f.Stack.Issuer
	iss.AddClient(issuertest.Client{ID: "svc", Secret: "s3cret"})
	iss.AddClient(issuertest.Client{ID: "opaque", Secret: "s3cret", AccessTokenFormat: issuertest.TokenFormatHydra})
	f.Checker = introspected(t, f.Stack)
	f.Bound, f.Unbound = f.issue(t, "svc", &f.Cert), f.issue(t, "svc", nil)
	bound, unbound := f.Bound, f.Unbound
	opaqueBound, opaqueUnbound := f.issue(t, "opaque", &f.Cert), f.issue(t, "opaque", nil)
	mintAs := func(name string, cnf any) string {
		c := iss.AccessTokenClaims("svc")
		c[name] = cnf
		return iss.Mint(c, issuertest.MintOptions{})
	}
	mint := func(cnf any) string { return mintAs("cnf", cnf) }
	thumb := issuertest.CertThumbprint(f.Cert.Leaf)
	cert, other := &f.Cert, &f.Other
	const bad, malformed = verify.ReasonInvalidCertBinding, verify.ReasonMalformed
	f.Cases = []Case{
		{Name: "bound, its certificate", Token: bound, Cert: cert},
		{Name: "bound, its certificate, binding required", Token: bound, Cert: cert, Server: Required},
		{Name: "minted bound, its certificate", Token: mint(map[string]any{"x5t#S256": thumb}), Cert: cert},
		{Name: "bound, another certificate", Token: bound, Cert: other, Want: bad},
		{Name: "bound, no certificate", Token: bound, Want: bad},
		{Name: "bound, no certificate, binding required", Token: bound, Server: Required, Want: bad},
		{Name: "bound, over TLS without client auth", Token: bound, Cert: cert, Server: PlainTLS, Want: bad},
		{Name: "unbound, no certificate", Token: unbound},
		{Name: "unbound, a certificate", Token: unbound, Cert: cert},
		{Name: "unbound, over TLS without client auth", Token: unbound, Server: PlainTLS},
		{Name: "unbound, binding required", Token: unbound, Cert: cert, Server: Required, Want: bad},
		{Name: "opaque bound, its certificate", Token: opaqueBound, Cert: cert, Sub: "opaque"},
		{Name: "opaque bound, another certificate", Token: opaqueBound, Cert: other, Want: bad},
		{Name: "opaque bound, no certificate", Token: opaqueBound, Want: bad},
		{Name: "opaque unbound, no certificate", Token: opaqueUnbound, Sub: "opaque"},
		{Name: "opaque unbound, binding required", Token: opaqueUnbound, Cert: cert, Server: Required, Want: bad},
		{Name: "cnf a string", Token: mint(thumb), Cert: cert, Want: malformed},
		{Name: "cnf an array", Token: mint([]any{map[string]any{"x5t#S256": thumb}}), Cert: cert, Want: malformed},
		{Name: "cnf null", Token: mint(nil), Cert: cert, Want: malformed},
		{Name: "x5t#S256 a number", Token: mint(map[string]any{"x5t#S256": 1}), Cert: cert, Want: malformed},
		{Name: "x5t#S256 padded", Token: mint(map[string]any{"x5t#S256": thumb + "="}), Cert: cert, Want: malformed},
		{Name: "x5t#S256 not base64url", Token: mint(map[string]any{"x5t#S256": thumb[:42] + "+"}), Cert: cert, Want: malformed},
		{Name: "x5t#S256 SHA-1 length", Token: mint(map[string]any{"x5t#S256": thumb[:27]}), Cert: cert, Want: malformed},
		{Name: "x5t#S256 hex", Token: mint(map[string]any{"x5t#S256": strings.Repeat("0f", 32)}), Cert: cert, Want: malformed},
		{Name: "x5t#S256 twice", Token: mint(json.RawMessage(`{"x5t#S256":"` + thumb + `","x5t#S256":"` + thumb + `"}`)), Cert: cert, Want: malformed},
		{Name: "X5T#S256 case variant", Token: mint(map[string]any{"X5T#S256": thumb}), Cert: cert, Want: malformed},
		{Name: "CNF case variant", Token: mintAs("CNF", map[string]any{"x5t#S256": thumb}), Cert: cert, Want: malformed},
	}
	return f
}

// introspected is a Checker that verifies JWTs with s.Verifier and opaque
// tokens at s.Issuer's introspection endpoint.
func introspected(t *testing.T, s *e2etest.Stack) verify.Checker {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(s.Issuer.Certificate())
	remote, err := introspect.New(introspect.Config{URL: s.Issuer.IntrospectURL(), ClientAuth: introspect.ClientNone,
		InsecureSkipAudienceCheck: true, RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = remote.Close() })
	return introspect.Route(s.Verifier, remote)
}

// issue obtains a client_credentials access token for clientID from the
// issuer, presenting cert (nil: none).
func (f *Fixture) issue(t *testing.T, clientID string, cert *tls.Certificate) string {
	t.Helper()
	iss := f.Stack.Issuer
	tr := iss.Client().Transport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	if cert != nil {
		tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, iss.TokenURL(),
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, "s3cret")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token endpoint: %d, %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

// ServerTLS is the API server's TLS configuration for kind s.
func (f *Fixture) ServerTLS(s Server) *tls.Config {
	c := &tls.Config{Certificates: []tls.Certificate{f.serverCert}, MinVersion: tls.VersionTLS12}
	if s != PlainTLS {
		c.ClientAuth = tls.RequestClientCert
	}
	return c
}

// ClientTLS is a client's TLS configuration: it trusts the API servers and
// presents cert (nil: none).
func (f *Fixture) ClientTLS(cert *tls.Certificate) *tls.Config {
	c := &tls.Config{RootCAs: f.roots, MinVersion: tls.VersionTLS12}
	if cert != nil {
		c.Certificates = []tls.Certificate{*cert}
	}
	return c
}
