package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jwtguard/jwtguard/jwks"
)

const demoHelp = `Usage: jwtguard demo

Starts, all on loopback and in this process:
  - the offline test issuer (TLS; Hydra-shaped, like id.wgtwo.com),
  - an HTTPS server whose routes are protected by httpmw,
  - a gRPC server (TLS, grpc.testing.TestService) protected by grpcmw,
sharing one jwks.Cache and one verify.Verifier, then drives them with real
clients (golang.org/x/oauth2/clientcredentials for HTTP; grpc with
credentials/oauth per-RPC credentials over TLS) through this script:

  allowed call      token with the route's scope        -> HTTP 200 / gRPC OK
  missing token     no Authorization                    -> 401 Bearer challenge / Unauthenticated
  wrong scope       token lacks the route's scope        -> 403 insufficient_scope / PermissionDenied
  expired token     exp an hour ago                      -> 401 invalid_token / Unauthenticated
  key rotation      calls before and after the issuer rotates its key, with
                    old- and new-kid tokens              -> no failed call; new kid accepted first try
  issuer outage     JWKS answers 503, refresh fails; a token issued during
                    the outage                           -> calls succeed, verified with the cached keys

It prints a table (scenario | transport | expected | got | ok | server saw)
and exits 0 when every row matches, 1 otherwise. It takes a second or two.
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
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, demoHelp)
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q", pos[0])
	}
	if err != nil {
		return usageFail(stderr, "demo", err)
	}

	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	start := time.Now()
	d, err := startDemo(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "jwtguard demo: %v\n", err)
		return exitRejected
	}
	defer d.close()

	fmt.Fprintf(stdout, "issuer %s   HTTP %s   gRPC %s\n\n", d.iss.Issuer(), d.httpURL, d.grpcAddr)
	d.script(ctx)
	failed := printTable(stdout, d.rows)
	if failed > 0 {
		fmt.Fprintf(stdout, "\nFAIL: %d of %d checks did not match (%.1fs)\n", failed, len(d.rows), time.Since(start).Seconds())
		return exitRejected
	}
	fmt.Fprintf(stdout, "\nPASS: all %d checks matched (%.1fs)\n", len(d.rows), time.Since(start).Seconds())
	return exitOK
}
