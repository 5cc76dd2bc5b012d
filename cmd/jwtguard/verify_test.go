package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

const testClient = "cli-test"

// newIssuer starts a test issuer with one client allowed scopes a and b.
func newIssuer(t *testing.T, cfg issuertest.Config) *issuertest.Server {
	t.Helper()
	s := issuertest.NewServer(cfg)
	t.Cleanup(s.Close)
	s.AddClient(issuertest.Client{ID: testClient, Secret: "s3cret", Scopes: []string{"a", "b"}})
	return s
}

// baseArgs are the flags that make a plain-HTTP test issuer trusted.
func baseArgs(s *issuertest.Server) []string {
	return []string{"verify", "--issuer", s.Issuer(), "--allow-http", "--skip-audience"}
}

// mintWith returns a Hydra-shaped access token with claims changed by edit.
func mintWith(s *issuertest.Server, opts issuertest.MintOptions, edit func(c map[string]any)) string {
	c := s.AccessTokenClaims(testClient)
	if edit != nil {
		edit(c)
	}
	return s.Mint(c, opts)
}

func TestVerifyValid(t *testing.T) {
	s := newIssuer(t, issuertest.Config{})
	tok := s.AccessToken(testClient, "a", "b")
	code, out, errs := runCLI(t, "", append(baseArgs(s), "--scope", "a", tok)...)
	// The token lives an hour; a second may have passed since it was minted.
	wantVerdict := regexp.MustCompile(`^valid: client "cli-test", sub "cli-test", scopes "a b", expires in (1h|59m5\ds) \(\S+Z\)\n$`)
	if code != exitOK || !wantVerdict.MatchString(errs) {
		t.Fatalf("exit %d, stderr %q; want 0 and one line matching %s", code, errs, wantVerdict)
	}
	var claims map[string]any
	if err := json.Unmarshal([]byte(out), &claims); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if claims["client_id"] != testClient || claims["iss"] != s.Issuer() {
		t.Errorf("claims = %v, want client_id %q and iss %q", claims, testClient, s.Issuer())
	}
	if !strings.HasPrefix(out, "{\n  \"") || !strings.HasSuffix(out, "}\n") {
		t.Errorf("stdout is not indented JSON ending in a newline:\n%s", out)
	}
}

// TestVerifyReasons checks the exit code and the exact one-line verdict for
// every reason a token from the test issuer can produce.
func TestVerifyReasons(t *testing.T) {
	s := newIssuer(t, issuertest.Config{Audience: []string{"api"}})
	now := time.Now()
	tests := []struct {
		name   string
		token  string
		extra  []string // flags in addition to baseArgs
		reason string
		detail string // substring of the detail
	}{
		{"malformed", "not-a-jwt", nil, "malformed", ""},
		{"malformed three parts", "a.b.c", nil, "malformed", ""},
		{"token_too_large", strings.Repeat("a", 17<<10) + ".b.c", nil, "token_too_large", ""},
		{"unsupported_algorithm ES256 not allowed", mintWith(s, issuertest.MintOptions{Alg: "ES256", Key: testkeys.ECP256()}, nil),
			nil, "unsupported_algorithm", "ES256"},
		{"unsupported_algorithm HS256 confusion", mintWith(s, issuertest.MintOptions{Alg: "HS256"}, nil),
			nil, "unsupported_algorithm", "HS256"},
		{"malformed alg none (empty signature)", mintWith(s, issuertest.MintOptions{Alg: "none"}, nil),
			nil, "malformed", ""},
		{"unknown_key", mintWith(s, issuertest.MintOptions{KID: "public:no-such-key"}, nil),
			nil, "unknown_key", "public:no-such-key"},
		{"invalid_signature wrong key", mintWith(s, issuertest.MintOptions{Key: testkeys.RSA2048(7)}, nil),
			nil, "invalid_signature", ""},
		{"invalid_signature tampered", tamper(s.AccessToken(testClient)), nil, "invalid_signature", ""},
		{"expired", s.ExpiredAccessToken(testClient), nil, "expired", "in the past"},
		{"expired beyond leeway", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() }),
			[]string{"--leeway", "1m"}, "expired", " in the past (leeway 1m)"},
		{"not_yet_valid", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) {
			c["nbf"] = now.Add(time.Hour).Unix()
			c["iat"] = now.Unix()
		}), nil, "not_yet_valid", "in the future"},
		{"issued_in_future", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) {
			delete(c, "nbf")
			c["iat"] = now.Add(time.Hour).Unix()
		}), nil, "issued_in_future", "in the future"},
		{"missing_claim exp", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { delete(c, "exp") }),
			nil, "missing_claim", "exp"},
		{"missing_claim iss", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { delete(c, "iss") }),
			nil, "missing_claim", "iss"},
		{"invalid_issuer other", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { c["iss"] = "https://evil.example/" }),
			nil, "invalid_issuer", "evil.example"},
		{"invalid_issuer trailing slash", mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { c["iss"] = s.URL() }),
			nil, "invalid_issuer", "trailing slash"},
		{"invalid_audience", s.AccessToken(testClient), []string{"--audience", "other-api"}, "invalid_audience", "other-api"},
		{"insufficient_scope", s.AccessToken(testClient, "a"), []string{"--scope", "a b"}, "insufficient_scope", `need "a b"`},
		{"invalid_type", s.AccessToken(testClient), []string{"--type", "at+jwt"}, "invalid_type", ""},
		{"invalid_nonce", s.IDToken(testClient, "n-1", "+4799999999"), []string{"--audience", testClient, "--nonce", "n-2"},
			"invalid_nonce", "nonce does not match"},
		{"missing_claim nonce", s.IDToken(testClient, "", ""), []string{"--audience", testClient, "--nonce", "n-1"},
			"missing_claim", "no nonce"},
		{"wrong_token_kind ID token", s.IDToken(testClient, "n-1", ""), nil, "wrong_token_kind", "nonce marks an ID token"},
		{"wrong_token_kind access token", s.AccessToken(testClient), []string{"--audience", "api", "--id-token"},
			"wrong_token_kind", "client_id marks an access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := baseArgs(s)
			if contains(tt.extra, "--audience") {
				args = []string{"verify", "--issuer", s.Issuer(), "--allow-http"}
			}
			args = append(append(args, tt.extra...), tt.token)
			code, out, errs := runCLI(t, "", args...)
			t.Logf("%s", errs)
			if code != exitRejected {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitRejected, errs)
			}
			if out != "" {
				t.Errorf("stdout = %q, want empty", out)
			}
			prefix := "rejected: " + tt.reason + ": "
			if !strings.HasPrefix(errs, prefix) || strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
				t.Fatalf("stderr = %q, want exactly one line starting %q", errs, prefix)
			}
			if !strings.Contains(errs, tt.detail) {
				t.Errorf("stderr = %q, want detail containing %q", errs, tt.detail)
			}
		})
	}
}

// tamper flips one character in the middle of the signature so it no
// longer matches while the token still parses.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	b := []byte(parts[2])
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	parts[2] = string(b)
	return strings.Join(parts, ".")
}

func TestVerifyValidVariants(t *testing.T) {
	s := newIssuer(t, issuertest.Config{Audience: []string{"api", "other"}})
	tok := s.AccessToken(testClient)
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"flags after token", "", []string{"verify", tok, "--issuer", s.Issuer(), "--allow-http", "--audience", "api"}},
		{"single-dash flags", "", []string{"verify", "-issuer", s.Issuer(), "-allow-http", "-audience=nope", "-audience=other", tok}},
		{"explicit jwks URL", "", []string{"verify", "--issuer", s.Issuer(), "--jwks", s.JWKSURL(), "--allow-http", "--skip-audience", tok}},
		{"stdin", tok + "\n", append(baseArgs(s), "-")},
		{"stdin with Bearer prefix", "  Bearer " + tok + "\r\n", append(baseArgs(s), "-")},
		{"arg with bearer prefix", "", append(baseArgs(s), "bearer "+tok)},
		{"localhost issuer via jwks", "", []string{"verify", "--issuer", s.Issuer(), "--jwks",
			strings.Replace(s.JWKSURL(), "127.0.0.1", "localhost", 1), "--allow-http", "--skip-audience", tok}},
		{"scopes", "", append(baseArgs(s), "--scope", "a", "--scope", "b", tok)},
		{"more algs", "", append(baseArgs(s), "--alg", "ES256,RS256", tok)},
		{"typ JWT required", "", append(baseArgs(s), "--type", "jwt", tok)},
		{"ID token with nonce", "", []string{"verify", "--issuer", s.Issuer(), "--allow-http", "--audience", testClient,
			"--nonce", "n-1", s.IDToken(testClient, "n-1", "")}},
		{"ID token without nonce check", "", []string{"verify", "--issuer", s.Issuer(), "--allow-http", "--audience", testClient,
			"--id-token", s.IDToken(testClient, "", "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.stdin, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q; want 0", code, errs)
			}
			if !strings.Contains(out, `"iss": "`+s.Issuer()+`"`) {
				t.Errorf("stdout = %q, want the claims", out)
			}
		})
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	s := newIssuer(t, issuertest.Config{})
	tok := s.AccessToken(testClient)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no token", "", baseArgs(s), "missing TOKEN"},
		{"two tokens", "", append(baseArgs(s), tok, tok), "expected one TOKEN"},
		{"empty stdin", " \n", append(baseArgs(s), "-"), "standard input is empty"},
		{"empty token", "", append(baseArgs(s), ""), "TOKEN is empty"},
		{"stdin too large", strings.Repeat("a", maxStdinToken+1), append(baseArgs(s), "-"), "more than"},
		{"bad flag", "", append(baseArgs(s), "--bogus", tok), "verify: unknown flag --bogus\n"},
		{"misspelt flag", "", append(baseArgs(s), "--isuer", s.Issuer(), tok), "unknown flag --isuer; did you mean --issuer?"},
		{"flag prefix", "", append(baseArgs(s), "-aud", "x", tok), "unknown flag --aud; did you mean --audience?"},
		{"flag without value", "", append(baseArgs(s), tok, "--scope"), "verify: --scope needs a value\n"},
		{"bad duration", "", append(baseArgs(s), "--leeway", "5 parsecs", tok), `--leeway "5 parsecs": want a duration such as 30s, 5m or 1h`},
		{"bad boolean", "", append(baseArgs(s), "--allow-http=maybe", tok), `--allow-http "maybe": parse error`},
		{"leeway too large", "", append(baseArgs(s), "--leeway", "10m", tok), "verify: --leeway 10m: want 0 to 5m\n"},
		{"negative timeout", "", append(baseArgs(s), "--timeout", "-1s", tok), "--timeout must be positive"},
		{"empty nonce", "", append(baseArgs(s), "--nonce", "", tok), "--nonce is empty"},
		{"empty type", "", append(baseArgs(s), "--type=", tok), "--type is empty"},
		{"no issuer", "", []string{"verify", "--allow-http", "--skip-audience", tok},
			`--issuer is required (the exact "iss" your service accepts); this token claims iss "` + s.Issuer() + `" (unverified)`},
		{"no issuer, opaque token", "", []string{"verify", "--skip-audience", "opaque"}, `accepts); this token is not a JWT: check an opaque token with --introspect URL or --userinfo URL` + "\n"},
		{"no audience decision", "", []string{"verify", "--issuer", s.Issuer(), "--allow-http", tok}, "--skip-audience"},
		{"audience and skip", "", append(baseArgs(s), "--audience", "x", tok), "exclude each other"},
		{"http without allow-http", "", []string{"verify", "--issuer", s.Issuer(), "--skip-audience", tok}, "is not https"},
		{"http not loopback", "", []string{"verify", "--issuer", "http://example.com/", "--allow-http", "--skip-audience", tok}, "only on loopback"},
		{"jwks http not loopback", "", append(baseArgs(s), "--jwks", "http://10.0.0.1/jwks", tok), "only on loopback"},
		{"relative issuer", "", []string{"verify", "--issuer", "id.wgtwo.com", "--skip-audience", tok}, "absolute URL"},
		{"ftp jwks", "", append(baseArgs(s), "--jwks", "ftp://127.0.0.1/x", tok), "scheme must be https"},
		{"unknown alg", "", append(baseArgs(s), "--alg", "RS999", tok), `jwtguard verify: --alg: unknown algorithm "RS999"` + "\n"},
		{"hs alg refused", "", append(baseArgs(s), "--alg", "HS256", tok), `jwtguard verify: --alg: algorithm "HS256" is never accepted` + "\n"},
		{"missing ca file", "", append(baseArgs(s), "--ca-file", filepath.Join(t.TempDir(), "none.pem"), tok), "--ca-file"},
		{"ca file without pem", "", append(baseArgs(s), "--ca-file", writeFile(t, "junk"), tok), "no PEM certificates"},
	}
	before := s.JWKSRequests()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.stdin, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUsage, errs)
			}
			if out != "" {
				t.Errorf("stdout = %q, want empty", out)
			}
			if !strings.HasPrefix(errs, "jwtguard verify: ") || !strings.Contains(errs, tt.want) ||
				!strings.HasSuffix(errs, "Run 'jwtguard verify --help' for usage.\n") {
				t.Errorf("stderr = %q, want a message containing %q and the usage hint", errs, tt.want)
			}
		})
	}
	if n := s.JWKSRequests() - before; n != 0 {
		t.Errorf("usage errors made %d JWKS requests, want 0 (checked before any network access)", n)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.pem")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyUnavailable(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *issuertest.Server) []string // returns extra args
		detail string
	}{
		{"jwks 500", func(s *issuertest.Server) []string {
			s.SetFault(issuertest.Fault{Status: 500})
			return nil
		}, "unexpected status 500"},
		{"jwks 503 via explicit URL", func(s *issuertest.Server) []string {
			s.SetFault(issuertest.Fault{Status: 503})
			return []string{"--jwks", s.JWKSURL()}
		}, "unexpected status 503"},
		{"jwks garbage", func(s *issuertest.Server) []string {
			s.SetFault(issuertest.Fault{Body: []byte("<html>")})
			return nil
		}, "jwks"},
		{"connection dropped", func(s *issuertest.Server) []string {
			s.SetFault(issuertest.Fault{CloseConn: true})
			return nil
		}, "jwks"},
		{"timeout", func(s *issuertest.Server) []string {
			s.SetFault(issuertest.Fault{Delay: time.Minute})
			return []string{"--timeout", "300ms"}
		}, "deadline exceeded"},
		{"issuer without its trailing slash", func(s *issuertest.Server) []string {
			return []string{"--issuer", s.URL()}
		}, "names issuer"},
		{"no discovery at that issuer", func(s *issuertest.Server) []string {
			return []string{"--issuer", s.URL() + "/tenant/"}
		}, "unexpected status 404"},
		{"server closed", func(s *issuertest.Server) []string {
			s.Close()
			return nil
		}, "connection refused"},
	}
	// The URL is not named again in net/http's own wording.
	once := func(errs string) bool { return !strings.Contains(errs, `Get "http`) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newIssuer(t, issuertest.Config{})
			extra := tt.setup(s)
			// The token claims the --issuer given, so that the keys are
			// fetched (a different iss is refused before any fetch).
			iss := s.Issuer()
			if i := slices.Index(extra, "--issuer"); i >= 0 {
				iss = extra[i+1]
			}
			tok := mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { c["iss"] = iss })
			args := append(append(baseArgs(s), extra...), tok)
			code, out, errs := runCLI(t, "", args...)
			if code != exitUnavailable {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUnavailable, errs)
			}
			if out != "" {
				t.Errorf("stdout = %q, want empty", out)
			}
			if !strings.HasPrefix(errs, "unavailable: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tt.detail) || !once(errs) {
				t.Errorf("stderr = %q, want one line \"unavailable: …%s…\"", errs, tt.detail)
			}
		})
	}
}

func TestVerifyTLS(t *testing.T) {
	s := newIssuer(t, issuertest.Config{TLS: true})
	tok := s.AccessToken(testClient)
	ca := writeFile(t, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})))

	t.Run("trusted with --ca-file", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "verify", "--issuer", s.Issuer(), "--skip-audience", "--ca-file", ca, tok)
		if code != exitOK || !strings.Contains(out, testClient) {
			t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and the claims", code, out, errs)
		}
	})
	t.Run("untrusted certificate is unavailable", func(t *testing.T) {
		code, _, errs := runCLI(t, "", "verify", "--issuer", s.Issuer(), "--skip-audience", tok)
		want := "unavailable: the issuer's certificate is not trusted; pass --ca-file FILE\n"
		if code != exitUnavailable || errs != want {
			t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, exitUnavailable, want)
		}
	})
	t.Run("untrusted with another --ca-file", func(t *testing.T) {
		cert, _, err := testcert.Loopback("another")
		if err != nil {
			t.Fatal(err)
		}
		other := writeFile(t, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Leaf.Raw})))
		code, _, errs := runCLI(t, "", "verify", "--issuer", s.Issuer(), "--skip-audience", "--ca-file", other, tok)
		want := "unavailable: the issuer's certificate is not trusted; it is signed by neither the system roots nor --ca-file " + other + "\n"
		if code != exitUnavailable || errs != want {
			t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, exitUnavailable, want)
		}
	})
	t.Run("certificate for another host", func(t *testing.T) {
		// The test issuer's certificate names 127.0.0.1 and example.com, not localhost.
		iss := strings.Replace(s.Issuer(), "127.0.0.1", "localhost", 1)
		tok := mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { c["iss"] = iss })
		code, _, errs := runCLI(t, "", "verify", "--issuer", iss, "--skip-audience", "--ca-file", ca, tok)
		want := "unavailable: the issuer's certificate is not valid for the host localhost\n"
		if code != exitUnavailable || errs != want {
			t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, exitUnavailable, want)
		}
	})
	t.Run("rejection over TLS", func(t *testing.T) {
		code, _, errs := runCLI(t, "", "verify", "--issuer", s.Issuer(), "--skip-audience", "--ca-file", ca, s.ExpiredAccessToken(testClient))
		if code != exitRejected || !strings.HasPrefix(errs, "rejected: expired: ") {
			t.Fatalf("exit %d, stderr %q; want %d rejected: expired", code, errs, exitRejected)
		}
	})
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\nb\r\x1b[31mc\u2028"); strings.ContainsAny(got, "\n\r\x1b") {
		t.Errorf("oneLine kept control characters: %q", got)
	}
}

func TestReportRejection(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantLine string
	}{
		{"reason and detail", &verify.Error{Reason: verify.ReasonExpired, Detail: "exp x is 3m0s in the past"},
			exitRejected, "rejected: expired: exp x is 3m in the past\n"},
		{"durations rounded to seconds", &verify.Error{Reason: verify.ReasonNotYetValid, Detail: "nbf x is 1h0m3.635965538s in the future (leeway 1m0s)"},
			exitRejected, "rejected: not_yet_valid: nbf x is 1h0m4s in the future (leeway 1m)\n"},
		{"untouched durations elsewhere", &verify.Error{Reason: verify.ReasonInvalidIssuer, Detail: `iss "x 1.5s"`},
			exitRejected, "rejected: invalid_issuer: iss \"x 1.5s\"\n"},
		{"no detail", &verify.Error{Reason: verify.ReasonMalformed}, exitRejected, "rejected: malformed\n"},
		{"detail from cause", &verify.Error{Reason: verify.ReasonUnknownKey, Err: errors.New("jwks: key not found")},
			exitRejected, "rejected: unknown_key: jwks: key not found\n"},
		{"wrapped", fmt.Errorf("outer: %w", &verify.Error{Reason: verify.ReasonInvalidIssuer, Detail: "d"}),
			exitRejected, "rejected: invalid_issuer: d\n"},
		{"multi-line detail", &verify.Error{Reason: verify.ReasonInvalidAudience, Detail: "a\nb"},
			exitRejected, "rejected: invalid_audience: a b\n"},
		{"unavailable is exit 3", &verify.Error{Reason: verify.ReasonUnavailable, Detail: "jwks: keys unavailable"},
			exitUnavailable, "unavailable: jwks: keys unavailable\n"},
		{"unavailable without detail", &verify.Error{Reason: verify.ReasonUnavailable},
			exitUnavailable, "unavailable: signing keys unavailable\n"},
		{"not a verify error", errors.New("boom"), exitRejected, "rejected: error: boom\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if code := reportRejection(&buf, tt.err); code != tt.wantCode {
				t.Errorf("code %d, want %d", code, tt.wantCode)
			}
			if buf.String() != tt.wantLine {
				t.Errorf("line %q, want %q", buf.String(), tt.wantLine)
			}
		})
	}
}
