package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/jwtguard/jwtguard/jwks"
)

const demoHelp = `Usage: jwtguard demo [--serve]

Starts, all on loopback and in this process:
  - the offline test issuer (TLS; Hydra-shaped, like id.wgtwo.com),
  - an HTTPS server whose routes are protected by httpmw,
  - a gRPC server (TLS, grpc.testing.TestService, server reflection) protected by grpcmw,
sharing one Checker: introspect.Route sends JWTs to a verify.Verifier (keys
from one jwks.Cache) and opaque tokens to the issuer's introspection
endpoint (GET /v1/me and the gRPC method CacheableUnaryCall stand for a user
API: their opaque tokens go to userinfo). It then drives them with real
clients (golang.org/x/oauth2 client credentials and authorization-code flow
for HTTP; grpc with credentials/oauth per-RPC credentials over TLS) through
this script:

  allowed call      token with the route's scope        -> HTTP 200 / gRPC OK
  missing token     no Authorization                    -> 401 Bearer challenge / Unauthenticated
  wrong scope       token lacks the route's scope        -> 403 insufficient_scope / PermissionDenied
  expired token     exp an hour ago                      -> 401 invalid_token / Unauthenticated
  key rotation      calls before and after the issuer rotates its key, with
                    old- and new-kid tokens              -> no failed call; new kid accepted first try
  issuer outage     JWKS answers 503, refresh fails; a token issued during
                    the outage                           -> calls succeed, verified with the cached keys
  opaque token      Hydra-style opaque token, introspected -> HTTP 200 / gRPC OK
  userinfo token    a user's opaque token (authorization-code flow), checked
                    at userinfo                          -> HTTP 200 / gRPC OK
  revoked token     opaque token revoked (RFC 7009) before use -> 401 invalid_token / Unauthenticated
  introspection outage
                    introspection answers 503; a token not checked before
                                                         -> 503 / Unavailable (retry later, token not refused)

It prints a table (scenario | transport | expected | got | ok | server saw)
and exits 0 when every row matches, 1 otherwise. It takes a second or two.

Flags:
  --serve   instead of the script, keep the issuer and both servers running
            until Ctrl-C (SIGINT or SIGTERM) and print ready-to-run curl,
            grpcurl and jwtguard verify commands with a JWT and an opaque
            token. The
            certificates to trust are written to a temporary directory,
            removed on exit.
`

// Demo settings. The key cache uses short intervals so that a demo (and a
// test) sees refreshes at all; production defaults are minutes (see
// jwks.Config).
const (
	demoAudience    = "https://api.demo.example/"
	demoClientID    = "demo-client"
	demoReadScope   = "demo.read"
	demoWriteScope  = "demo.write"
	demoRotateCalls = 20 // calls per transport in the rotation scenario
	demoTimeout     = 30 * time.Second
)

var demoCacheConfig = jwks.Config{
	RefreshInterval:    5 * time.Second, // timer refresh (default 15 min)
	MinRefreshInterval: time.Second,     // (default 1 min)
	UnknownKIDCooldown: time.Second,     // unknown-kid refreshes at most once a second (default 15 s)
	// StaleWindow stays at its default (6 h): the outage is served from cache.
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo")
	serve := fs.Bool("serve", false, "")
	pos, code, done := parseCommand(fs, args, demoHelp, stdout, stderr)
	if done {
		return code
	}
	if len(pos) > 0 {
		return usageFail(stderr, "demo", usagef("unexpected argument %q", pos[0]))
	}

	start := time.Now()
	startCtx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	d, err := startDemo(startCtx)
	if err != nil {
		fmt.Fprintf(stderr, "jwtguard demo: %v\n", err)
		return exitRejected
	}
	defer d.close()
	if *serve {
		return d.serve(ctx, stdout, stderr)
	}

	fmt.Fprintf(stdout, "issuer %s   HTTP %s   gRPC %s\n\n", d.iss.Issuer(), d.httpURL, d.grpcAddr)
	d.script(startCtx)
	failed := printTable(stdout, d.rows)
	if failed > 0 {
		fmt.Fprintf(stdout, "\nFAIL: %d of %d checks did not match (%.1fs)\n", failed, len(d.rows), time.Since(start).Seconds())
		return exitRejected
	}
	fmt.Fprintf(stdout, "\nPASS: all %d checks matched (%.1fs)\n", len(d.rows), time.Since(start).Seconds())
	return exitOK
}

// serve keeps the demo running until ctx ends or the process is
// interrupted, after printing commands that call it.
func (d *demo) serve(ctx context.Context, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "jwtguard-demo-")
	if err != nil {
		fmt.Fprintf(stderr, "jwtguard demo: %v\n", err)
		return exitRejected
	}
	defer os.RemoveAll(dir)
	ca := filepath.Join(dir, "ca.pem")
	if err := writeCertPEM(ca, d.iss.Certificate(), d.serverCert); err != nil {
		fmt.Fprintf(stderr, "jwtguard demo: %v\n", err)
		return exitRejected
	}
	tctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	octx := context.WithValue(tctx, oauth2.HTTPClient, &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second})
	tok, err := d.cc.Token(octx)
	var opaque *oauth2.Token
	if err == nil {
		opaque, err = d.ccOpaque.Token(octx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jwtguard demo: token endpoint: %s\n", oneLine(err.Error()))
		return exitRejected
	}
	printServe(stdout, d, ca, tok.AccessToken, opaque.AccessToken)
	<-ctx.Done()
	fmt.Fprintln(stderr, "jwtguard demo: stopping")
	return exitOK
}

// printServe prints what is running and commands to call it.
func printServe(w io.Writer, d *demo, ca, tok, opaque string) {
	q := shellQuote
	bearer := q("Authorization: Bearer " + tok)
	fmt.Fprintf(w, "jwtguard demo — test keys and certificates, loopback only.\n\n")
	fmt.Fprintf(w, "issuer:        %s\n", d.iss.Issuer())
	fmt.Fprintf(w, "HTTP:          %s  (GET /v1/read needs %s, POST /v1/write needs %s)\n", d.httpURL, demoReadScope, demoWriteScope)
	fmt.Fprintf(w, "gRPC:          %s  (grpc.testing.TestService: UnaryCall needs %s, EmptyCall needs %s)\n", d.grpcAddr, demoReadScope, demoWriteScope)
	fmt.Fprintf(w, "CA file:       %s\n", ca)
	fmt.Fprintf(w, "client_id:     %s  (may request %s only)\n", d.cc.ClientID, demoReadScope)
	fmt.Fprintf(w, "client_secret: %s\n", d.cc.ClientSecret)
	fmt.Fprintf(w, "audience:      %s\n", demoAudience)
	fmt.Fprintf(w, "token:         %s\n", tok)
	fmt.Fprintf(w, "opaque token:  %s  (client %s, checked by introspection)\n", opaque, demoOpaqueID)
	fmt.Fprintf(w, "\nTry (the token expires in an hour; the first command gets a new one):\n")
	fmt.Fprintf(w, "  curl -s --cacert %s -u %s -d grant_type=client_credentials %s\n", q(ca), q(d.cc.ClientID+":"+d.cc.ClientSecret), d.iss.TokenURL())
	fmt.Fprintf(w, "  curl --cacert %s -H %s %s/v1/read   # 200\n", q(ca), bearer, d.httpURL)
	fmt.Fprintf(w, "  curl -i --cacert %s -X POST -H %s %s/v1/write   # 403 insufficient_scope\n", q(ca), bearer, d.httpURL)
	fmt.Fprintf(w, "  curl -i --cacert %s %s/v1/read   # 401, no token\n", q(ca), d.httpURL)
	fmt.Fprintf(w, "  grpcurl -cacert %s -H %s -d '{\"fill_username\": true}' %s grpc.testing.TestService/UnaryCall\n", q(ca), bearer, d.grpcAddr)
	fmt.Fprintf(w, "  grpcurl -cacert %s -H %s %s grpc.testing.TestService/EmptyCall   # PermissionDenied\n", q(ca), bearer, d.grpcAddr)
	fmt.Fprintf(w, "  jwtguard verify --issuer %s --ca-file %s --audience %s %s\n", d.iss.Issuer(), q(ca), demoAudience, tok)
	fmt.Fprintf(w, "\nThe same servers accept the opaque token, checked at the issuer's introspection endpoint\n(open, as Hydra's admin port is: no client credentials):\n")
	fmt.Fprintf(w, "  curl --cacert %s -H %s %s/v1/read   # 200\n", q(ca), q("Authorization: Bearer "+opaque), d.httpURL)
	fmt.Fprintf(w, "  jwtguard verify --introspect %s --client-auth none --issuer %s --ca-file %s --audience %s %s\n",
		d.iss.IntrospectURL(), d.iss.Issuer(), q(ca), demoAudience, opaque)
	fmt.Fprintf(w, "\nRunning; press Ctrl-C to stop.\n")
}
