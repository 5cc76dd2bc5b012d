package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/jwtguard/jwtguard/issuertest"
)

const issuerHelp = `Usage: jwtguard issuer [flags]

Runs the offline test issuer (package issuertest: discovery, JWKS and a
client_credentials token endpoint shaped like Ory Hydra / id.wgtwo.com) on
loopback until interrupted (Ctrl-C / SIGTERM), and prints its URLs, a client id
and secret and example commands. Its signing keys are public test keys:
never trust this issuer outside tests.

Flags:
  --addr HOST:PORT        loopback listen address (default 127.0.0.1:0, a free port);
                          a fixed port (e.g. 127.0.0.1:4444) keeps the issuer URL stable.
                          Only loopback hosts are accepted.
  --tls                   serve HTTPS with a self-signed certificate.
  --cert-out FILE         write that certificate (PEM) to FILE, for clients'
                          trust stores and 'jwtguard verify --ca-file FILE'.
  --client-id ID          client id (default: generated).
  --client-secret SECRET  client secret (default: generated).
  --scope SCOPE           scope the client may request; repeatable or space/comma
                          separated. A token request without scope gets them all.
  --opaque FORMAT         issue opaque access tokens instead of JWTs: hydra
                          (<43>.<43>, as id.wgtwo.com), hydra-v2 (ory_at_…) or
                          hex32 (Net2Phone); check them at the introspection
                          or userinfo endpoint.

The client authenticates with HTTP Basic (client_secret_basic) or form fields
(client_secret_post).

Exit codes: 0 after a clean shutdown, 2 on usage errors (including an --addr
that is already in use).
`

func runIssuer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		addr, certOut, clientID, secret string
		opaque                          string
		useTLS                          bool
		scopes                          = listFlag{split: true}
	)
	fs := newFlagSet("issuer")
	fs.StringVar(&addr, "addr", "127.0.0.1:0", "")
	fs.BoolVar(&useTLS, "tls", false, "")
	fs.StringVar(&certOut, "cert-out", "", "")
	fs.StringVar(&clientID, "client-id", "", "")
	fs.StringVar(&secret, "client-secret", "", "")
	fs.Var(&scopes, "scope", "")
	fs.StringVar(&opaque, "opaque", "", "")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, issuerHelp)
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q", pos[0])
	}
	if err == nil {
		err = checkIssuerAddr(addr)
	}
	if err == nil && opaque != "" && opaque != issuertest.TokenFormatHydra && opaque != issuertest.TokenFormatHydraV2 && opaque != issuertest.TokenFormatHex32 {
		err = usagef("--opaque %q: want hydra, hydra-v2 or hex32", opaque)
	}
	if err == nil && certOut != "" && !useTLS {
		err = usagef("--cert-out needs --tls")
	}
	if err != nil {
		return usageFail(stderr, "issuer", err)
	}
	if clientID == "" {
		clientID = "client-" + randomHex(4)
	}
	if secret == "" {
		secret = randomHex(16)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := startIssuer(issuertest.Config{TLS: useTLS, Addr: addr, AccessTokenFormat: opaque})
	if err != nil {
		return usageFail(stderr, "issuer", err)
	}
	defer s.Close()
	s.AddClient(issuertest.Client{ID: clientID, Secret: secret, Scopes: scopes.vals, AuthMethod: issuertest.AuthMethodAny})
	if certOut != "" {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
		if err := os.WriteFile(certOut, block, 0o644); err != nil {
			return usageFail(stderr, "issuer", usagef("--cert-out: %v", err))
		}
	}
	printIssuer(stdout, s, clientID, secret, scopes.vals, certOut, opaque != "")

	<-ctx.Done()
	fmt.Fprintln(stderr, "jwtguard issuer: stopping")
	return exitOK
}

// startIssuer starts the test issuer, turning its panic on an address it
// cannot listen on (in use, not local) into a usage error.
func startIssuer(cfg issuertest.Config) (s *issuertest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = usagef("--addr %q: %v", cfg.Addr, r)
		}
	}()
	return issuertest.NewServer(cfg), nil
}

// checkIssuerAddr accepts a loopback host and any port (0 picks a free one):
// the test issuer's keys are public, so it must not listen beyond loopback.
func checkIssuerAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: %v", addr, err)
	}
	if !isLoopback(host) {
		return usagef("--addr %q: the test issuer listens on loopback only", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return usagef("--addr %q: bad port", addr)
	}
	return nil
}

func printIssuer(w io.Writer, s *issuertest.Server, id, secret string, scopes []string, certOut string, opaque bool) {
	fmt.Fprintf(w, "jwtguard test issuer — its keys are public test keys; never trust it outside tests.\n\n")
	fmt.Fprintf(w, "URL:           %s\n", s.URL())
	fmt.Fprintf(w, "issuer:        %s\n", s.Issuer())
	fmt.Fprintf(w, "discovery:     %s\n", s.DiscoveryURL())
	fmt.Fprintf(w, "JWKS:          %s\n", s.JWKSURL())
	fmt.Fprintf(w, "token:         %s\n", s.TokenURL())
	fmt.Fprintf(w, "introspect:    %s\n", s.IntrospectURL())
	fmt.Fprintf(w, "userinfo:      %s\n", s.UserinfoURL())
	fmt.Fprintf(w, "revoke:        %s\n", s.RevokeURL())
	fmt.Fprintf(w, "client_id:     %s\n", id)
	fmt.Fprintf(w, "client_secret: %s\n", secret)
	fmt.Fprintf(w, "scopes:        %s\n", strings.Join(scopes, " "))
	if certOut != "" {
		fmt.Fprintf(w, "certificate:   %s\n", certOut)
	}
	trustCurl, trustVerify := "", " --allow-http"
	if s.Certificate() != nil {
		trustCurl, trustVerify = " -k", ""
		if certOut != "" {
			trustCurl, trustVerify = " --cacert "+shellQuote(certOut), " --ca-file "+shellQuote(certOut)
		}
	}
	scopeArg := ""
	if len(scopes) > 0 {
		scopeArg = " -d scope=" + shellQuote(strings.Join(scopes, " "))
	}
	fmt.Fprintf(w, "\nGet a token:\n  curl -s%s -u %s -d grant_type=client_credentials%s %s\n",
		trustCurl, shellQuote(id+":"+secret), scopeArg, s.TokenURL())
	if opaque {
		fmt.Fprintf(w, "Check it:\n  curl -s%s -d token=\"$TOKEN\" %s\n", trustCurl, s.IntrospectURL())
		fmt.Fprintf(w, "\nRunning; press Ctrl-C to stop.\n")
		return
	}
	fmt.Fprintf(w, "Check it:\n  jwtguard verify --issuer %s%s --skip-audience \"$TOKEN\"\n", s.Issuer(), trustVerify)
	if s.Certificate() != nil && certOut == "" {
		fmt.Fprintf(w, "  (verify has no insecure mode: start the issuer with --cert-out FILE and add --ca-file FILE)\n")
	}
	fmt.Fprintf(w, "\nRunning; press Ctrl-C to stop.\n")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// shellQuote quotes s for POSIX shells.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
