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
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const verifyHelp = `Usage: jwtguard verify [flags] TOKEN

Checks TOKEN exactly as a resource server using jwtguard would (keys from the
issuer's JWKS, strict header and claim checks) and prints the verdict.
TOKEN "-" reads it from standard input; white space and a leading "Bearer "
are removed. A whole "Authorization: Bearer ..." header line or a token
endpoint's JSON response (its "access_token") works too; a note on standard
error says what was taken. Flags may come before or after TOKEN, as -flag or
--flag.

A token whose (unverified) "iss" is not --issuer is rejected before anything
is fetched. A token with "nonce" or "at_hash" draws a warning that it looks
like an ID token, unless --nonce is given.

Flags:
  --issuer URL      expected "iss", compared exactly (trailing slash included);
                    also the OpenID discovery base when --jwks is absent. Required.
  --jwks URL        JWKS URL to use instead of discovery.
  --audience AUD    accepted audience; repeatable (the token needs any one).
  --skip-audience   accept any "aud". One of --audience / --skip-audience is
                    required: Hydra issues "aud": [] unless the client asked for
                    an audience, so this must be a deliberate choice.
  --scope SCOPE     required scope; repeatable or space/comma separated (all required).
  --alg ALG         accepted JWS algorithm; repeatable (default RS256).
                    RS*, PS*, ES*, EdDSA; "none" and HS* are always refused.
  --leeway DUR      clock skew tolerated on exp, nbf and iat (default 0, max 5m).
  --type TYP        require the JOSE header "typ" (e.g. at+jwt for RFC 9068 access
                    tokens; case-insensitive, "application/" optional). Default: any.
  --id-token        check an OpenID Connect ID token instead of an access token
                    (give the client id as --audience). Without it, a token
                    carrying ID-token claims (nonce, at_hash, ...) is refused.
  --nonce NONCE     require this ID-token "nonce"; implies --id-token.
  --allow-http      allow http:// issuer/JWKS URLs, on loopback hosts only.
  --ca-file FILE    also trust the PEM CA certificate(s) in FILE for TLS
                    (e.g. written by 'jwtguard issuer --ca-out FILE').
  --timeout DUR     overall time limit for fetching keys and verifying (default 15s).

Exit codes:
  0  valid: the claims are printed as indented JSON on standard output, and
     one line on standard error:  valid: client ..., sub ..., scopes ..., expires in ...
  1  rejected: one line on standard error:  rejected: <reason>: <detail>
     reasons: malformed, token_too_large, unsupported_algorithm, unknown_key,
     invalid_signature, expired, not_yet_valid, issued_in_future,
     lifetime_too_long, missing_claim, invalid_issuer, invalid_audience,
     invalid_type, wrong_token_kind, invalid_nonce, insufficient_scope
  2  usage or configuration error (message and a hint on standard error)
  3  keys unavailable: the discovery document or JWKS could not be fetched or
     was refused (e.g. discovery names "https://x/" and --issuer is "https://x",
     or the issuer's certificate is not trusted: pass --ca-file FILE);
     one line on standard error:  unavailable: <detail>

Examples:
  jwtguard verify --issuer https://id.wgtwo.com/ --skip-audience --scope subscription.read "$TOKEN"
  pbpaste | jwtguard verify --issuer https://id.wgtwo.com/ --audience my-api -
  curl -s -u ID:SECRET -d grant_type=client_credentials https://id.wgtwo.com/oauth2/token |
      jwtguard verify --issuer https://id.wgtwo.com/ --skip-audience -
  jwtguard verify --issuer http://127.0.0.1:4444/ --allow-http --skip-audience "$TOKEN"
`

type verifyFlags struct {
	issuer, jwksURL, caFile string
	typ, nonce              string
	audiences, scopes, algs listFlag
	skipAudience, allowHTTP bool
	idToken                 bool
	leeway, timeout         time.Duration
}

func runVerify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f := verifyFlags{scopes: listFlag{split: true}, algs: listFlag{split: true}}
	fs := newFlagSet("verify")
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

	pos, code, done := parseCommand(fs, args, verifyHelp, stdout, stderr)
	if done {
		return code
	}
	token, extracted, err := tokenArg(pos, stdin)
	if err == nil {
		err = f.check()
		if err != nil && f.issuer == "" {
			if iss := unverifiedIssuer(token); iss != "" {
				err = usagef("%v; this token claims iss %q (unverified)", err, iss)
			}
		}
	}
	fs.Visit(func(fl *flag.Flag) {
		if err == nil && fl.Value.String() == "" {
			err = usagef("--%s is empty", fl.Name)
		}
	})
	if err != nil {
		return usageFail(stderr, "verify", err)
	}
	if extracted != "" {
		fmt.Fprintf(stderr, "jwtguard verify: checking %s\n", extracted)
	}

	client, err := f.httpClient()
	if err != nil {
		return usageFail(stderr, "verify", err)
	}
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
		fmt.Fprintf(stderr, "unavailable: %s\n", describeFetchError(err, f.caFile))
		return exitUnavailable
	}
	defer cache.Close()
	keys.src = cache

	claims, err := v.Verify(ctx, token, verify.ScopeRule{AllOf: f.scopes.vals})
	if err == nil && f.nonce != "" {
		err = claims.CheckNonce(f.nonce)
	}
	if err != nil {
		return reportRejection(stderr, err)
	}
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

// check validates flag combinations that verify.New and jwks.New would
// otherwise report later (or not at all).
func (f *verifyFlags) check() error {
	if f.issuer == "" {
		return usagef("--issuer is required (the exact \"iss\" your service accepts)")
	}
	if err := checkURLFlag("--issuer", f.issuer, f.allowHTTP); err != nil {
		return err
	}
	if f.jwksURL != "" {
		if err := checkURLFlag("--jwks", f.jwksURL, f.allowHTTP); err != nil {
			return err
		}
	}
	switch {
	case (f.idToken || f.nonce != "") && len(f.audiences.vals) == 0:
		return usagef("--id-token and --nonce need --audience CLIENT_ID: an ID token names the client it was issued to")
	case len(f.audiences.vals) == 0 && !f.skipAudience:
		return usagef("give --audience AUD (repeatable) or --skip-audience explicitly")
	case len(f.audiences.vals) > 0 && f.skipAudience:
		return usagef("--audience and --skip-audience exclude each other")
	}
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

// httpClient returns nil (jwks's own client: 10 s timeout, same-host
// redirects) unless --ca-file asks for extra trust anchors, in which case
// it returns a client with the same policies and those roots.
func (f *verifyFlags) httpClient() (*http.Client, error) {
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
	}, nil
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
