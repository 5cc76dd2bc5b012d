package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

// secretEnv names the environment variable that holds the client secret
// for --introspect. A secret is never taken from the command line.
const secretEnv = "JWTGUARD_CLIENT_SECRET"

// maxSecretFile bounds what --client-secret-file reads.
const maxSecretFile = 4 << 10

// remoteFlags are the flags of verify's remote modes (opaque tokens).
type remoteFlags struct {
	introspectURL, userinfoURL string
	clientID, secretFile       string
	clientAuth                 string
}

func (r *remoteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.introspectURL, "introspect", "", "")
	fs.StringVar(&r.userinfoURL, "userinfo", "", "")
	fs.StringVar(&r.clientID, "client-id", "", "")
	fs.StringVar(&r.secretFile, "client-secret-file", "", "")
	fs.StringVar(&r.clientAuth, "client-auth", "basic", "")
}

// clientAuths maps --client-auth values to introspect's.
var clientAuths = map[string]introspect.ClientAuth{
	"basic": introspect.ClientBasic,
	"post":  introspect.ClientPost,
	"none":  introspect.ClientNone,
}

// jwtOnlyFlags and remoteOnlyFlags do not apply in the other mode; giving
// one there is a usage error rather than silently ignored.
var (
	jwtOnlyFlags    = []string{"jwks", "alg", "type", "id-token", "nonce"}
	remoteOnlyFlags = []string{"client-id", "client-secret-file", "client-auth"}
)

// endpoint names the remote mode: "--introspect", "--userinfo" or "" for
// a JWT.
func (r *remoteFlags) endpoint() string {
	switch {
	case r.introspectURL != "":
		return "--introspect"
	case r.userinfoURL != "":
		return "--userinfo"
	}
	return ""
}

// sendsSecret reports whether the introspection request carries client
// credentials.
func (r *remoteFlags) sendsSecret() bool {
	return r.introspectURL != "" && r.clientAuth != "none"
}

// secretFlag reports a --client-secret flag (any spelling, with or without
// a value) among args before a "--".
func secretFlag(args []string) (string, bool) {
	for _, a := range args {
		if a == "--" {
			return "", false
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "client-secret" {
			return "--client-secret", true
		}
	}
	return "", false
}

// checkRemote validates the flags of the remote modes.
func (f *verifyFlags) checkRemote() error {
	r := &f.remote
	if r.introspectURL != "" && r.userinfoURL != "" {
		return usagef("--introspect and --userinfo exclude each other")
	}
	for _, name := range jwtOnlyFlags {
		if f.set[name] {
			return usagef("--%s applies to JWTs only, not with %s", name, r.endpoint())
		}
	}
	if err := checkURLFlag(r.endpoint(), r.introspectURL+r.userinfoURL, f.allowHTTP); err != nil {
		return err
	}
	// --issuer is only compared with the answer's "iss" here, never
	// fetched, so any value will do.
	if r.userinfoURL != "" {
		for _, name := range remoteOnlyFlags {
			if f.set[name] {
				return usagef("--%s does not apply to --userinfo, which sends only the token", name)
			}
		}
		switch {
		case len(f.audiences.vals) > 0:
			return usagef("--audience does not apply to --userinfo: its answer names no audience")
		case len(f.scopes.vals) > 0:
			return usagef("--scope cannot be met with --userinfo: its answer grants no scopes (use --introspect)")
		}
		return f.checkTimes()
	}
	if err := f.checkAudience(); err != nil {
		return err
	}
	if _, ok := clientAuths[r.clientAuth]; !ok {
		return usagef("--client-auth %q: want basic, post or none", r.clientAuth)
	}
	switch {
	case r.sendsSecret() && r.clientID == "":
		return usagef("--introspect needs --client-id ID and its secret (or --client-auth none for an endpoint that takes no client credentials, such as Hydra's admin port)")
	case !r.sendsSecret() && (r.clientID != "" || r.secretFile != ""):
		return usagef("--client-auth none sends no credentials: drop --client-id and --client-secret-file")
	}
	return f.checkTimes()
}

// secret returns the client secret for --introspect: from
// --client-secret-file, else from the environment. It never appears in a
// message. A secret file that other users may read draws a warning.
func (r *remoteFlags) secret(stderr io.Writer) (string, error) {
	if !r.sendsSecret() {
		return "", nil
	}
	if r.secretFile == "" {
		if s := os.Getenv(secretEnv); s != "" {
			return s, nil
		}
		return "", usagef("--client-auth %s needs the client secret: put it in a file for --client-secret-file FILE or in the %s environment variable (never on the command line)", r.clientAuth, secretEnv)
	}
	fh, err := os.Open(r.secretFile)
	if err != nil {
		return "", usagef("--client-secret-file: %v", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxSecretFile+1))
	switch {
	case err != nil:
		return "", usagef("--client-secret-file: %v", err)
	case len(b) > maxSecretFile:
		return "", usagef("--client-secret-file %s holds more than %d bytes; want the secret alone", r.secretFile, maxSecretFile)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", usagef("--client-secret-file %s is empty", r.secretFile)
	}
	if st, err := fh.Stat(); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "jwtguard verify: warning: %s is readable by other users (mode %v); chmod 600 it\n", r.secretFile, st.Mode().Perm())
	}
	return s, nil
}

// verifyRemote checks an opaque token (or any token) at the introspection
// or userinfo endpoint with package introspect, as a service would.
func (f *verifyFlags) verifyRemote(ctx context.Context, token, secret string, roots *x509.CertPool, stdout, stderr io.Writer) int {
	r := &f.remote
	cfg := introspect.Config{
		URL:                       r.introspectURL,
		Issuer:                    f.issuer,
		Audiences:                 f.audiences.vals,
		InsecureSkipAudienceCheck: f.skipAudience,
		Leeway:                    f.leeway,
		Timeout:                   f.timeout,
		RootCAs:                   roots,
		InsecureAllowHTTP:         f.allowHTTP,
	}
	if r.userinfoURL != "" {
		cfg.Endpoint, cfg.URL, cfg.InsecureSkipAudienceCheck = introspect.Userinfo, r.userinfoURL, true
	} else {
		cfg.ClientAuth = clientAuths[r.clientAuth]
		if r.sendsSecret() {
			cfg.ClientID, cfg.ClientSecret = r.clientID, secret
		}
	}
	c, err := introspect.New(cfg)
	if err != nil {
		return usageFail(stderr, "verify", usagef("%s", strings.TrimPrefix(err.Error(), "introspect: config: ")))
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	claims, err := c.Verify(ctx, token, verify.ScopeRule{AllOf: f.scopes.vals})
	if err != nil {
		return reportRejection(stderr, f.remoteHint(err))
	}
	return printValid(stdout, stderr, claims)
}

// remoteHint rewrites an unavailable answer to name the usual fix: trust
// for an unknown certificate, the client credentials for a 401 or 403.
func (f *verifyFlags) remoteHint(err error) error {
	var ve *verify.Error
	if !errors.As(err, &ve) || ve.Reason != verify.ReasonUnavailable {
		return err
	}
	who := "the introspection endpoint's"
	if f.remote.userinfoURL != "" {
		who = "the userinfo endpoint's"
	}
	c := *ve
	switch {
	case ve.Err != nil && tlsHint(ve.Err, who, f.caFile) != "":
		c.Detail = tlsHint(ve.Err, who, f.caFile)
	case f.remote.introspectURL != "" && (strings.Contains(ve.Detail, "answered 401") || strings.Contains(ve.Detail, "answered 403")):
		c.Detail += "; it refused this command's client credentials: check --client-id, the secret and --client-auth"
	}
	return &c
}
