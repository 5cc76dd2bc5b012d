package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

type verifyFlags struct {
	issuer, jwksURL, caFile string
	typ, nonce              string
	audiences, scopes, algs listFlag
	skipAudience, allowHTTP bool
	idToken                 bool
	leeway, timeout         time.Duration
	remote                  remoteFlags
	set                     map[string]bool // the flags given
}

func (f *verifyFlags) register(fs *flag.FlagSet) {
	f.scopes.split, f.algs.split = true, true
	fs.StringVar(&f.issuer, "issuer", "", "")
	fs.StringVar(&f.jwksURL, "jwks", "", "")
	fs.StringVar(&f.caFile, "ca-file", "", "")
	fs.StringVar(&f.typ, "type", "", "")
	fs.StringVar(&f.nonce, "nonce", "", "")
	fs.Var(&f.audiences, "audience", "")
	fs.Var(&f.scopes, "scope", "")
	fs.Var(&f.algs, "alg", "")
	fs.BoolVar(&f.skipAudience, "skip-audience", false, "")
	fs.BoolVar(&f.allowHTTP, "allow-http", false, "")
	fs.BoolVar(&f.idToken, "id-token", false, "")
	fs.DurationVar(&f.leeway, "leeway", 0, "")
	fs.DurationVar(&f.timeout, "timeout", 15*time.Second, "")
	f.remote.register(fs)
}

func runVerify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Refused before parsing, so that the secret is neither echoed in an
	// error nor taken for TOKEN.
	if name, ok := secretFlag(args); ok {
		return usageFail(stderr, "verify", usagef("%s is refused: a command line is visible to every user of this machine (ps, /proc) and kept in shell history; "+
			"put the secret in a file for --client-secret-file FILE or in the %s environment variable", name, secretEnv))
	}
	var f verifyFlags
	fs := newFlagSet("verify")
	f.register(fs)
	pos, code, done := parseCommand(fs, dashTokensLast(args), verifyHelp, stdout, stderr)
	if done {
		return code
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	token, extracted, err := tokenArg(pos, stdin)
	if err == nil {
		err = f.check(token)
	}
	fs.Visit(func(fl *flag.Flag) {
		if err == nil && fl.Value.String() == "" {
			err = usagef("--%s is empty", fl.Name)
		}
	})
	var secret string
	if err == nil && f.remote.endpoint() != "" {
		secret, err = f.remote.secret(stderr)
	}
	if err != nil {
		return usageFail(stderr, "verify", err)
	}
	if extracted != "" {
		fmt.Fprintf(stderr, "jwtguard verify: checking %s\n", extracted)
	}
	roots, err := f.rootCAs()
	if err != nil {
		return usageFail(stderr, "verify", err)
	}
	if f.remote.endpoint() != "" {
		return f.verifyRemote(ctx, token, secret, roots, stdout, stderr)
	}
	return f.verifyJWT(ctx, token, roots, stdout, stderr)
}

// dashTokensLast moves Hydra-shaped tokens that start with "-" (one in 64
// does: the alphabet is base64url) after a "--", so that they are not
// taken for flags. No flag or flag value has that shape.
func dashTokensLast(args []string) []string {
	var out, toks []string
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "-") && introspect.HydraToken(a) {
			toks = append(toks, a)
		} else {
			out = append(out, a)
		}
	}
	if len(toks) == 0 {
		return args
	}
	if !slices.Contains(out, "--") {
		out = append(out, "--")
	}
	return append(out, toks...)
}

// verifyJWT checks a JWT with the verifier and the issuer's keys.
func (f *verifyFlags) verifyJWT(ctx context.Context, token string, roots *x509.CertPool, stdout, stderr io.Writer) int {
	client := jwksClient(roots)
	if client != nil {
		defer client.CloseIdleConnections()
	}

	// The verifier is built first so that configuration mistakes (an
	// unknown --alg, too much --leeway) are reported before any network
	// access; its key source is bound once the cache has started.
	keys := &lateSource{}
	kind := verify.TokenKindAccess
	if f.idToken || f.nonce != "" {
		kind = verify.TokenKindID
	}
	v, err := verify.New(verify.Config{
		Issuers:                   []verify.Issuer{{Name: f.issuer, Keys: keys}},
		Audiences:                 f.audiences.vals,
		InsecureSkipAudienceCheck: f.skipAudience,
		Algorithms:                f.algs.vals,
		Leeway:                    f.leeway,
		RequiredType:              f.typ,
		Kind:                      kind,
		TokenCache:                verify.TokenCacheConfig{Disable: true},
	})
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "verify: config: ")
		if strings.Contains(msg, "algorithm") {
			msg = "--alg: " + msg
		}
		return usageFail(stderr, "verify", usagef("%s", msg))
	}

	// A token from another issuer fails whatever the keys say: say so
	// without fetching anything.
	p := peek(token)
	if p.hasIss && p.iss != f.issuer {
		fmt.Fprintf(stderr, "rejected: %s: %s\n", verify.ReasonInvalidIssuer, issuerMismatch(p.iss, f.issuer))
		return exitRejected
	}

	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	jc := jwks.Config{HTTPClient: client, InsecureAllowHTTP: f.allowHTTP}
	if f.jwksURL != "" {
		jc.URL = f.jwksURL
	} else {
		jc.Issuer = f.issuer
	}
	cache, err := jwks.New(ctx, jc)
	if err != nil {
		// Every URL was validated above, so this is a fetch failure.
		fmt.Fprintf(stderr, "unavailable: %s\n", describeFetchError(err, "the issuer's", f.caFile))
		return exitUnavailable
	}
	defer cache.Close()
	keys.src = cache

	claims, err := v.Verify(ctx, token, verify.ScopeRule{AllOf: f.scopes.vals})
	if err == nil && f.nonce != "" {
		err = claims.CheckNonce(f.nonce)
	}
	if err != nil {
		if verify.ReasonOf(err) == verify.ReasonMalformed && !introspect.IsJWT(token) {
			err = withDetail(err, opaqueHint)
		}
		return reportRejection(stderr, err)
	}
	return printValid(stdout, stderr, claims)
}

// opaqueHint follows a malformed verdict on a token that is not a JWT.
const opaqueHint = "; not a JWT: check an opaque token with --introspect URL or --userinfo URL"

// printValid prints the claims as indented JSON and the one-line verdict.
func printValid(stdout, stderr io.Writer, claims *verify.Claims) int {
	var raw json.RawMessage
	if err := claims.Decode(&raw); err != nil {
		fmt.Fprintf(stderr, "jwtguard verify: %v\n", err)
		return exitRejected
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		fmt.Fprintf(stderr, "jwtguard verify: %v\n", err)
		return exitRejected
	}
	out.WriteByte('\n')
	_, _ = stdout.Write(out.Bytes())
	fmt.Fprintln(stderr, validVerdict(claims, time.Now()))
	return exitOK
}

// check validates flag combinations that verify.New, introspect.New and
// jwks.New would otherwise report later (or not at all).
func (f *verifyFlags) check(token string) error {
	if f.remote.endpoint() != "" {
		return f.checkRemote()
	}
	if f.issuer == "" {
		err := usagef("--issuer is required (the exact \"iss\" your service accepts)")
		switch iss := unverifiedIssuer(token); {
		case iss != "":
			err = usagef("%v; this token claims iss %q (unverified)", err, iss)
		case !introspect.IsJWT(token):
			err = usagef("%v; this token is not a JWT: check an opaque token with --introspect URL or --userinfo URL", err)
		}
		return err
	}
	for _, name := range remoteOnlyFlags {
		if f.set[name] {
			return usagef("--%s applies to --introspect only", name)
		}
	}
	if err := checkURLFlag("--issuer", f.issuer, f.allowHTTP); err != nil {
		return err
	}
	if f.jwksURL != "" {
		if err := checkURLFlag("--jwks", f.jwksURL, f.allowHTTP); err != nil {
			return err
		}
	}
	if (f.idToken || f.nonce != "") && len(f.audiences.vals) == 0 {
		return usagef("--id-token and --nonce need --audience CLIENT_ID: an ID token names the client it was issued to")
	}
	if err := f.checkAudience(); err != nil {
		return err
	}
	return f.checkTimes()
}

func (f *verifyFlags) checkAudience() error {
	switch {
	case len(f.audiences.vals) == 0 && !f.skipAudience:
		return usagef("give --audience AUD (repeatable) or --skip-audience explicitly")
	case len(f.audiences.vals) > 0 && f.skipAudience:
		return usagef("--audience and --skip-audience exclude each other")
	}
	return nil
}

func (f *verifyFlags) checkTimes() error {
	if f.timeout <= 0 {
		return usagef("--timeout must be positive, got %s", fmtDuration(f.timeout))
	}
	if f.leeway < 0 || f.leeway > verify.MaxLeeway {
		return usagef("--leeway %s: want 0 to %s", fmtDuration(f.leeway), fmtDuration(verify.MaxLeeway))
	}
	return nil
}

// checkURLFlag requires an absolute https URL, or http on a loopback host
// with --allow-http.
func checkURLFlag(name, raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return usagef("%s: %v", name, err)
	}
	if u.Host == "" || u.User != nil {
		return usagef("%s %q: want an absolute URL such as https://issuer.example/", name, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if !allowHTTP {
			return usagef("%s %q is not https (--allow-http permits http on loopback)", name, raw)
		}
		if !isLoopback(u.Hostname()) {
			return usagef("%s %q: --allow-http permits http only on loopback hosts", name, raw)
		}
		return nil
	default:
		return usagef("%s %q: scheme must be https", name, raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// rootCAs returns nil (the system roots) unless --ca-file asks for extra
// trust anchors, in which case it returns the system roots and those.
func (f *verifyFlags) rootCAs() (*x509.CertPool, error) {
	if f.caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(f.caFile)
	if err != nil {
		return nil, usagef("--ca-file: %v", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, usagef("--ca-file %s: no PEM certificates found", f.caFile)
	}
	return roots, nil
}

// jwksClient returns nil (jwks's own client: 10 s timeout, same-host
// redirects) for the system roots, and otherwise a client with the same
// policies and roots.
func jwksClient(roots *x509.CertPool) *http.Client {
	if roots == nil {
		return nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{
		Transport: tr,
		Timeout:   jwks.DefaultHTTPTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return fmt.Errorf("redirect to %s://%s refused", req.URL.Scheme, req.URL.Host)
			}
			return nil
		},
	}
}

// lateSource lets the verifier be built (and its configuration checked)
// before the key cache exists.
type lateSource struct{ src jwks.Source }

func (l *lateSource) Key(ctx context.Context, kid, alg string) (*jwks.Key, error) {
	if l.src == nil {
		return nil, jwks.ErrUnavailable
	}
	return l.src.Key(ctx, kid, alg)
}
