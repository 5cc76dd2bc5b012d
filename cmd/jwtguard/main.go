// Command jwtguard debugs bearer tokens, runs an offline test issuer and
// demonstrates the jwtguard module end to end.
//
// Usage:
//
//	jwtguard verify [flags] TOKEN   check a token exactly as a resource server would
//	jwtguard issuer [flags]         run the offline test issuer in the foreground
//	jwtguard demo [--serve]         run the end-to-end demo, or keep it running
//	jwtguard version                print the version (also --version)
//	jwtguard help [command]         show help
//
// A misspelt command or flag gets a suggestion ("did you mean verify?").
//
// # verify
//
// verify checks one token with the same verifier a service uses
// (package verify, keys from package jwks) and says in one line why it was
// refused:
//
//	jwtguard verify --issuer https://id.wgtwo.com/ --skip-audience \
//	    --scope subscription.read "$TOKEN"
//	rejected: expired: exp 2026-11-24T07:00:00Z is 3m in the past
//
// Flags (each may be written -flag or --flag, before or after the token):
//
//	--issuer URL      expected "iss", compared exactly (trailing slash included);
//	                  also the discovery base when --jwks is absent. Required.
//	--jwks URL        JWKS URL; skips discovery.
//	--audience AUD    accepted audience (repeatable; any one must be in "aud").
//	--skip-audience   accept any "aud". One of --audience and --skip-audience is
//	                  required: Hydra (id.wgtwo.com) issues "aud": [] unless the
//	                  client asked for an audience, and silently skipping the
//	                  check would hide a real misconfiguration.
//	--scope SCOPE     required scope (repeatable, or space/comma separated; all required).
//	--alg ALG         accepted algorithm (repeatable; default RS256). none and HS* are refused.
//	--leeway DUR      clock skew tolerated on exp/nbf/iat (default 0, at most 5m).
//	--type TYP        require the JOSE "typ" header, e.g. at+jwt (default: any).
//	--id-token        check an OpenID Connect ID token, not an access token.
//	--nonce NONCE     require this ID-token "nonce" (implies --id-token).
//	--allow-http      allow http:// issuer and JWKS URLs on loopback hosts only.
//	--ca-file FILE    also trust the PEM CA certificates in FILE for TLS
//	                  (e.g. the test issuer's certificate, see issuer --ca-out).
//	--timeout DUR     overall time limit for fetching keys and verifying (default 15s).
//
// Opaque tokens are checked remotely, with package introspect, instead:
//
//	--introspect URL  RFC 7662 introspection endpoint; --issuer becomes optional
//	                  (checked against the answer's "iss" when given) and
//	                  --audience or --skip-audience is still required.
//	--userinfo URL    userinfo endpoint, called with the token itself (no
//	                  scopes, no audience).
//	--client-id ID    client id for --introspect.
//	--client-secret-file FILE
//	                  its secret, else the JWTGUARD_CLIENT_SECRET environment
//	                  variable. A --client-secret flag is refused: a command
//	                  line is visible to every user of the machine.
//	--client-auth basic|post|none
//	                  client authentication (default basic; none for an
//	                  endpoint such as Hydra's admin port).
//
// TOKEN "-" reads the token from standard input. Surrounding white space and
// a leading "Bearer " are removed; a whole "Authorization: Bearer …" header
// line or a token endpoint's JSON response (its "access_token") is
// accepted too, and a note on standard error says what was taken.
//
// Before fetching anything, a token whose (unverified) "iss" is not --issuer
// is rejected with reason invalid_issuer. A token carrying "nonce" or
// "at_hash" draws a warning that it looks like an ID token, unless --nonce
// says one was meant. An untrusted TLS certificate is reported as such, with
// the flag that fixes it. Durations are printed in whole seconds.
//
// Exit codes: 0 valid, the claims printed as indented JSON on standard
// output and a one-line verdict ("valid: client …, sub …, scopes …, expires
// in 59m (…)") on standard error; 1 rejected, one line "rejected: <reason>:
// <detail>" on standard error, where <reason> is a stable verify.Reason code
// (malformed, token_too_large, unsupported_algorithm, unknown_key,
// invalid_signature, expired, not_yet_valid, issued_in_future,
// lifetime_too_long, missing_claim, invalid_issuer, invalid_audience,
// invalid_type, wrong_token_kind, invalid_nonce, insufficient_scope, and
// inactive from --introspect or --userinfo); 2 usage or configuration
// error; 3 unavailable (the issuer's discovery or JWKS could not be
// fetched, or the introspection or userinfo endpoint did not answer about
// the token), one line "unavailable: <detail>" on standard error.
//
// # issuer
//
// issuer runs package issuertest (an offline issuer shaped like Ory Hydra,
// as id.wgtwo.com runs it) until interrupted (SIGINT or SIGTERM), and
// prints its URLs, a client id and secret and example curl and verify
// commands (with --opaque, verify --introspect with the secret in
// JWTGUARD_CLIENT_SECRET). Its keys are public test keys: never trust it
// outside tests.
//
//	--tls                   serve HTTPS (self-signed certificate)
//	--ca-out FILE           serve HTTPS and write its certificate as PEM (for
//	                        verify --ca-file, curl --cacert); alias --cert-out
//	--client-id ID          client id (default generated)
//	--client-secret SECRET  client secret (default generated)
//	--scope SCOPE           scopes the client may request (repeatable)
//	--audience AUD          "aud" of access tokens (repeatable; default [])
//	--ttl DUR               token lifetime (default 1h)
//	--scope-claim CLAIM     scp (default), scope or both
//	--opaque FORMAT         issue opaque access tokens: hydra, hydra-v2 or hex32
//	--mint KIND             print a token at start-up: valid, expired,
//	                        not-yet-valid, id-token, wrong-key, unknown-kid or all
//	--addr HOST:PORT        loopback listen address (default 127.0.0.1:0, a free port)
//
// # demo
//
// demo starts the test issuer (TLS), an HTTP server protected by package
// httpmw and a gRPC server protected by package grpcmw on loopback, with
// one Checker (introspect.Route: JWTs to the verifier, opaque tokens to
// introspection or, for a user route and method, userinfo). It drives them
// with real OAuth 2.0 clients through a script (allowed call, missing
// token, wrong scope, expired token, key rotation, issuer outage, opaque
// token, userinfo token, revoked token, introspection outage), prints a
// table of expected and actual outcomes and exits 1 on any mismatch. Its key
// cache refreshes every 5 s with a 1 s unknown-kid cooldown so that the
// script sees refreshes; production defaults are minutes. With --serve it
// skips the script, keeps everything running until interrupted and prints
// curl, grpcurl and verify commands with a JWT, an opaque token and a CA
// file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK          = 0
	exitRejected    = 1 // verify: token refused; demo: a scenario did not match
	exitUsage       = 2 // usage or configuration error
	exitUnavailable = 3 // verify: keys or the remote check unavailable
)

const topUsage = `jwtguard — debug bearer tokens, run an offline test issuer, see jwtguard work.

Usage:
  jwtguard verify [flags] TOKEN   check a token as a resource server would; one-line reason when refused
  jwtguard issuer [flags]         run the offline test issuer (Hydra-shaped) until Ctrl-C
  jwtguard demo [--serve]         start issuer + HTTP + gRPC servers on loopback and run the demo script
  jwtguard version                print the version (also: jwtguard --version)
  jwtguard help [command]         show help for a command

Run 'jwtguard <command> --help' for the flags and exit codes of a command.
`

// commands are the subcommands, for help and suggestions.
var commands = []string{"verify", "issuer", "demo", "version", "help"}

// run is the whole program; main only supplies the process's environment.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "verify":
		return runVerify(ctx, rest, stdin, stdout, stderr)
	case "issuer":
		return runIssuer(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, buildVersion())
		return exitOK
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, topUsage)
		return exitOK
	case "help":
		if len(rest) == 1 {
			switch rest[0] {
			case "verify", "issuer", "demo":
				return run(ctx, []string{rest[0], "--help"}, stdin, stdout, stderr)
			}
		}
		fmt.Fprint(stderr, topUsage)
		return exitUsage
	}
	if strings.HasPrefix(cmd, "-") {
		fmt.Fprintf(stderr, "jwtguard: unknown flag %s: flags follow the command (jwtguard verify --issuer …)\nRun 'jwtguard help' for usage.\n", oneLine(cmd))
		return exitUsage
	}
	hint := ""
	if s := suggest(cmd, commands); s != "" {
		hint = "; did you mean " + s + "?"
	}
	fmt.Fprintf(stderr, "jwtguard: unknown command %q%s\nRun 'jwtguard help' for usage.\n", cmd, hint)
	return exitUsage
}

// usageFail prints a usage error for command cmd and returns exitUsage. A
// message that already starts with the command's name (as errors of the
// package of the same name do) does not repeat it.
func usageFail(stderr io.Writer, cmd string, err error) int {
	msg := strings.TrimPrefix(err.Error(), cmd+": ")
	fmt.Fprintf(stderr, "jwtguard %s: %s\nRun 'jwtguard %s --help' for usage.\n", cmd, oneLine(msg), cmd)
	return exitUsage
}
