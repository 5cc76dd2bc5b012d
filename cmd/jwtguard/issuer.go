package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

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
  --ca-out FILE           serve HTTPS (implies --tls) and write its certificate as PEM
                          to FILE, for 'jwtguard verify --ca-file FILE' and
                          'curl --cacert FILE'. --cert-out is the same flag.
  --client-id ID          client id (default: generated).
  --client-secret SECRET  client secret (default: generated).
  --scope SCOPE           scope the client may request; repeatable or space/comma
                          separated. A token request without scope gets them all.
  --audience AUD          "aud" of access tokens; repeatable. Default: "aud": [],
                          as Hydra issues without a requested audience (verify then
                          needs --skip-audience).
  --ttl DUR               token lifetime (default 1h).
  --scope-claim CLAIM     where access tokens carry scopes: scp (a JSON array, Hydra's
                          default), scope (a space-separated string) or both.
  --opaque FORMAT         issue opaque access tokens instead of JWTs: hydra
                          (<43>.<43>, as id.wgtwo.com), hydra-v2 (ory_at_…) or
                          hex32 (Net2Phone); check them at the introspection
                          or userinfo endpoint (jwtguard verify --introspect URL
                          or --userinfo URL; the printed commands do).
  --mint KIND             print a token of this kind for the client at start-up;
                          repeatable or comma separated:
                            valid          an access token, as the token endpoint issues
                            expired        exp an hour ago
                            not-yet-valid  nbf an hour ahead
                            id-token       an OpenID Connect ID token (aud is the client id)
                            wrong-key      signed by another key under the issuer's kid
                            unknown-kid    a kid the JWKS does not publish
                            all            one of each

The client authenticates with HTTP Basic (client_secret_basic) or form fields
(client_secret_post).

Exit codes: 0 after a clean shutdown, 2 on usage errors (including an --addr
that is already in use).
`

// issuerFlags are the flags of the issuer command.
type issuerFlags struct {
	addr, caOut, clientID, secret, scopeClaim string
	opaque                                    string
	useTLS                                    bool
	ttl                                       time.Duration
	scopes, audiences, mint                   listFlag
}

func (f *issuerFlags) register(fs *flag.FlagSet) {
	f.scopes.split, f.mint.split = true, true
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "")
	fs.BoolVar(&f.useTLS, "tls", false, "")
	fs.StringVar(&f.caOut, "ca-out", "", "")
	fs.StringVar(&f.caOut, "cert-out", "", "")
	fs.StringVar(&f.clientID, "client-id", "", "")
	fs.StringVar(&f.secret, "client-secret", "", "")
	fs.StringVar(&f.scopeClaim, "scope-claim", "scp", "")
	fs.DurationVar(&f.ttl, "ttl", time.Hour, "")
	fs.Var(&f.scopes, "scope", "")
	fs.Var(&f.audiences, "audience", "")
	fs.Var(&f.mint, "mint", "")
	fs.StringVar(&f.opaque, "opaque", "", "")
}

// scopeClaims maps --scope-claim values to issuertest's.
var scopeClaims = map[string]string{
	"scp":   issuertest.ScopeClaimList,
	"scope": issuertest.ScopeClaimString,
	"both":  issuertest.ScopeClaimBoth,
}

// check validates the flags and fills in what --ca-out and --mint all imply.
func (f *issuerFlags) check() error {
	if err := checkIssuerAddr(f.addr); err != nil {
		return err
	}
	if _, ok := scopeClaims[f.scopeClaim]; !ok {
		return usagef("--scope-claim %q: want scp, scope or both", f.scopeClaim)
	}
	switch f.opaque {
	case "", issuertest.TokenFormatHydra, issuertest.TokenFormatHydraV2, issuertest.TokenFormatHex32:
	default:
		return usagef("--opaque %q: want hydra, hydra-v2 or hex32", f.opaque)
	}
	if f.ttl <= 0 {
		return usagef("--ttl must be positive, got %s", fmtDuration(f.ttl))
	}
	if f.caOut != "" {
		f.useTLS = true
	}
	if slices.Contains(f.mint.vals, "all") {
		f.mint.vals = mintKindNames()
	}
	for _, k := range f.mint.vals {
		if findMintKind(k) == nil {
			hint := ""
			if s := suggest(k, mintKindNames()); s != "" {
				hint = "; did you mean " + s + "?"
			}
			return usagef("--mint %q: want one of %s or all%s", k, strings.Join(mintKindNames(), ", "), hint)
		}
	}
	return nil
}

func (f *issuerFlags) config() issuertest.Config {
	return issuertest.Config{TLS: f.useTLS, Addr: f.addr, Audience: f.audiences.vals,
		TokenTTL: f.ttl, ScopeClaim: scopeClaims[f.scopeClaim], AccessTokenFormat: f.opaque}
}

func runIssuer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f issuerFlags
	fs := newFlagSet("issuer")
	f.register(fs)
	pos, code, done := parseCommand(fs, args, issuerHelp, stdout, stderr)
	if done {
		return code
	}
	var err error
	if len(pos) > 0 {
		err = usagef("unexpected argument %q", pos[0])
	}
	if err == nil {
		err = f.check()
	}
	if err != nil {
		return usageFail(stderr, "issuer", err)
	}
	if f.clientID == "" {
		f.clientID = "client-" + randomHex(4)
	}
	if f.secret == "" {
		f.secret = randomHex(16)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := startIssuer(f.config())
	if err != nil {
		return usageFail(stderr, "issuer", err)
	}
	defer s.Close()
	s.AddClient(issuertest.Client{ID: f.clientID, Secret: f.secret, Scopes: f.scopes.vals, AuthMethod: issuertest.AuthMethodAny})
	if f.caOut != "" {
		if err := writeCertPEM(f.caOut, s.Certificate()); err != nil {
			return usageFail(stderr, "issuer", usagef("--ca-out: %v", err))
		}
	}
	printIssuer(stdout, s, &f)

	<-ctx.Done()
	fmt.Fprintln(stderr, "jwtguard issuer: stopping")
	return exitOK
}

// writeCertPEM writes certificates to file as PEM, readable by all: they
// are public.
func writeCertPEM(file string, certs ...*x509.Certificate) error {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return os.WriteFile(file, b, 0o644)
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

func printIssuer(w io.Writer, s *issuertest.Server, f *issuerFlags) {
	fmt.Fprintf(w, "jwtguard test issuer — its keys are public test keys; never trust it outside tests.\n\n")
	fmt.Fprintf(w, "URL:           %s\n", s.URL())
	fmt.Fprintf(w, "issuer:        %s\n", s.Issuer())
	fmt.Fprintf(w, "discovery:     %s\n", s.DiscoveryURL())
	fmt.Fprintf(w, "JWKS:          %s\n", s.JWKSURL())
	fmt.Fprintf(w, "token:         %s\n", s.TokenURL())
	fmt.Fprintf(w, "introspect:    %s\n", s.IntrospectURL())
	fmt.Fprintf(w, "userinfo:      %s\n", s.UserinfoURL())
	fmt.Fprintf(w, "revoke:        %s\n", s.RevokeURL())
	fmt.Fprintf(w, "client_id:     %s\n", f.clientID)
	fmt.Fprintf(w, "client_secret: %s\n", f.secret)
	fmt.Fprintf(w, "scopes:        %s\n", strings.Join(f.scopes.vals, " "))
	fmt.Fprintf(w, "audience:      %s\n", strings.Join(f.audiences.vals, " "))
	if f.caOut != "" {
		fmt.Fprintf(w, "certificate:   %s\n", f.caOut)
	}
	if len(f.mint.vals) > 0 {
		fmt.Fprintf(w, "\nTokens (--mint), for client %s:\n", f.clientID)
		for _, k := range f.mint.vals {
			fmt.Fprintf(w, "%-15s%s\n", k+":", findMintKind(k).mint(s, f.clientID))
		}
	}

	trustCurl, trustVerify := "", " --allow-http"
	if s.Certificate() != nil {
		trustCurl, trustVerify = " -k", ""
		if f.caOut != "" {
			trustCurl, trustVerify = " --cacert "+shellQuote(f.caOut), " --ca-file "+shellQuote(f.caOut)
		}
	}
	scopeArg := ""
	if len(f.scopes.vals) > 0 {
		scopeArg = " -d scope=" + shellQuote(strings.Join(f.scopes.vals, " "))
	}
	audArg := " --skip-audience"
	if len(f.audiences.vals) > 0 {
		audArg = " --audience " + shellQuote(f.audiences.vals[0])
	}
	fmt.Fprintf(w, "\nGet a token:\n  curl -s%s -u %s -d grant_type=client_credentials%s %s\n",
		trustCurl, shellQuote(f.clientID+":"+f.secret), scopeArg, s.TokenURL())
	if f.opaque != "" {
		// The secret goes in the environment: verify takes none on its
		// command line, where every user of the machine could read it.
		fmt.Fprintf(w, "Check it (jwtguard verify reads the client secret from the environment, never from a flag):\n")
		fmt.Fprintf(w, "  export %s=%s\n", secretEnv, shellQuote(f.secret))
		fmt.Fprintf(w, "  jwtguard verify --introspect %s --client-id %s --issuer %s%s%s \"$TOKEN\"\n",
			s.IntrospectURL(), shellQuote(f.clientID), s.Issuer(), trustVerify, audArg)
		fmt.Fprintf(w, "  jwtguard verify --userinfo %s --issuer %s%s \"$TOKEN\"   # no scopes in its answer\n",
			s.UserinfoURL(), s.Issuer(), trustVerify)
	} else {
		fmt.Fprintf(w, "Check it (jwtguard verify also takes the whole JSON response on standard input, with -):\n  jwtguard verify --issuer %s%s%s \"$TOKEN\"\n",
			s.Issuer(), trustVerify, audArg)
	}
	if s.Certificate() != nil && f.caOut == "" {
		fmt.Fprintf(w, "  (verify has no insecure mode: start the issuer with --ca-out FILE and add --ca-file FILE)\n")
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
