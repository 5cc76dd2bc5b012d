package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
)

const testSecret = "s3cret"

// newOpaqueIssuer starts a test issuer that issues opaque tokens in format
// to testClient (scopes a and b, either client authentication) and, unless
// cfg says otherwise, wants client credentials at introspection. It clears
// the secret variable, so that the environment running the tests has no
// say.
func newOpaqueIssuer(t *testing.T, format string, cfg issuertest.Config) *issuertest.Server {
	t.Helper()
	t.Setenv(secretEnv, "")
	if cfg.IntrospectAuth == "" {
		cfg.IntrospectAuth = issuertest.IntrospectAuthClient
	}
	cfg.AccessTokenFormat = format
	s := issuertest.NewServer(cfg)
	t.Cleanup(s.Close)
	s.AddClient(issuertest.Client{ID: testClient, Secret: testSecret, Scopes: []string{"a", "b"}, AuthMethod: issuertest.AuthMethodAny})
	return s
}

// introspectArgs checks at s's introspection endpoint as testClient.
func introspectArgs(s *issuertest.Server, extra ...string) []string {
	return append([]string{"verify", "--introspect", s.IntrospectURL(), "--client-id", testClient, "--allow-http", "--skip-audience"}, extra...)
}

func TestVerifyRemoteValid(t *testing.T) {
	verdict := regexp.MustCompile(`^valid: client "cli-test", sub "cli-test", scopes "a b", expires in (1h|59m5\ds) \(\S+Z\)\n$`)
	for _, format := range []string{issuertest.TokenFormatHydra, issuertest.TokenFormatHydraV2, issuertest.TokenFormatHex32, issuertest.TokenFormatJWT} {
		t.Run(format, func(t *testing.T) {
			s := newOpaqueIssuer(t, format, issuertest.Config{})
			t.Setenv(secretEnv, testSecret)
			tok := s.IssueAccessToken(testClient)
			code, out, errs := runCLI(t, "", introspectArgs(s, "--issuer", s.Issuer(), "--scope", "a", tok)...)
			if code != exitOK || !verdict.MatchString(errs) {
				t.Fatalf("exit %d, stderr %q; want 0 and one line matching %s", code, errs, verdict)
			}
			var claims map[string]any
			if err := json.Unmarshal([]byte(out), &claims); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out)
			}
			if claims["active"] != true || claims["client_id"] != testClient || claims["iss"] != s.Issuer() {
				t.Errorf("claims = %v, want the introspection answer", claims)
			}
		})
	}
}

func TestVerifyRemoteVariants(t *testing.T) {
	tests := []struct {
		name    string
		cfg     issuertest.Config
		secret  string // in the environment
		args    func(s *issuertest.Server) []string
		verdict string // substring of the verdict line
	}{
		{"secret from file, Basic", issuertest.Config{}, "", func(s *issuertest.Server) []string {
			return introspectArgs(s, "--client-secret-file", writeSecret(t, testSecret+"\n"))
		}, `valid: client "cli-test"`},
		{"secret from file wins over the environment", issuertest.Config{}, "wrong", func(s *issuertest.Server) []string {
			return introspectArgs(s, "--client-secret-file", writeSecret(t, testSecret+"\r\n"))
		}, `valid: client "cli-test"`},
		{"client_secret_post", issuertest.Config{}, testSecret, func(s *issuertest.Server) []string {
			return introspectArgs(s, "--client-auth", "post")
		}, `valid: client "cli-test"`},
		{"no client credentials (Hydra admin port)", issuertest.Config{IntrospectAuth: issuertest.IntrospectAuthNone}, "", func(s *issuertest.Server) []string {
			return []string{"verify", "--introspect", s.IntrospectURL(), "--client-auth", "none", "--allow-http", "--skip-audience"}
		}, `valid: client "cli-test"`},
		{"audience", issuertest.Config{Audience: []string{"api", "other"}}, testSecret, func(s *issuertest.Server) []string {
			return []string{"verify", "--introspect", s.IntrospectURL(), "--client-id", testClient, "--allow-http", "--audience", "other"}
		}, `valid: client "cli-test"`},
		{"userinfo", issuertest.Config{}, "", func(s *issuertest.Server) []string {
			return []string{"verify", "--userinfo", s.UserinfoURL(), "--issuer", s.Issuer(), "--allow-http"}
		}, `valid: sub "cli-test", no scopes, no expiry stated`},
		{"userinfo ignores the secret in the environment", issuertest.Config{}, testSecret, func(s *issuertest.Server) []string {
			return []string{"verify", "--userinfo", s.UserinfoURL(), "--allow-http", "--skip-audience"}
		}, `valid: sub "cli-test"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOpaqueIssuer(t, issuertest.TokenFormatHydra, tt.cfg)
			t.Setenv(secretEnv, tt.secret)
			code, out, errs := runCLI(t, "", append(tt.args(s), s.IssueAccessToken(testClient))...)
			if code != exitOK || !strings.Contains(errs, tt.verdict) || !strings.Contains(out, `"sub": "cli-test"`) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errs, tt.verdict)
			}
		})
	}
}

func writeSecret(t *testing.T, content string) string {
	t.Helper()
	return writeFile(t, content) // 0600
}

func TestVerifyRemoteRejected(t *testing.T) {
	s := newOpaqueIssuer(t, issuertest.TokenFormatHydra, issuertest.Config{Audience: []string{"api"}})
	t.Setenv(secretEnv, testSecret)
	revoked := s.IssueAccessToken(testClient)
	s.Revoke(revoked)
	intro := func(extra ...string) []string {
		return append([]string{"verify", "--introspect", s.IntrospectURL(), "--client-id", testClient, "--allow-http"}, extra...)
	}
	userinfo := []string{"verify", "--userinfo", s.UserinfoURL(), "--allow-http"}
	tests := []struct {
		name   string
		args   []string
		token  string
		reason string
		detail string
	}{
		{"revoked", intro("--skip-audience"), revoked, "inactive", `the introspection endpoint answered "active": false`},
		{"unknown token", intro("--skip-audience"), strings.Repeat("x", 43) + "." + strings.Repeat("y", 43), "inactive", `"active": false`},
		// One Hydra token in 64 starts with "-": it is TOKEN, not a flag.
		{"token starting with a dash", intro("--skip-audience"), dashToken, "inactive", `"active": false`},
		{"token starting with a dash, before flags", append([]string{"verify", dashToken}, intro("--skip-audience")[1:]...), "", "inactive", `"active": false`},
		{"token starting with a dash, after --", intro("--skip-audience", "--"), dashToken, "inactive", `"active": false`},
		{"revoked at userinfo", userinfo, revoked, "inactive", "the userinfo endpoint refused the token"},
		{"other issuer", intro("--skip-audience", "--issuer", "https://evil.example/"), s.IssueAccessToken(testClient), "invalid_issuer", `is not "https://evil.example/"`},
		{"other audience", intro("--audience", "other-api"), s.IssueAccessToken(testClient), "invalid_audience", "other-api"},
		{"scope missing", intro("--skip-audience", "--scope", "a,c"), s.IssueAccessToken(testClient, "a"), "insufficient_scope", `need "a c"`},
		{"refresh token", intro("--skip-audience"), refreshToken(t, s), "invalid_type", "refresh_token"},
		{"opaque token without --introspect", baseArgs(s), s.IssueAccessToken(testClient), "malformed", opaqueHint[2:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.token != "" {
				args = append(args, tt.token)
			}
			code, out, errs := runCLI(t, "", args...)
			prefix := "rejected: " + tt.reason + ": "
			if code != exitRejected || out != "" || !strings.HasPrefix(errs, prefix) || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tt.detail) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and one line %q…%q", code, out, errs, exitRejected, prefix, tt.detail)
			}
		})
	}
}

// dashToken has the shape of a Hydra token that starts with "-".
var dashToken = "-" + strings.Repeat("A", 42) + "." + strings.Repeat("A", 43)

// refreshToken returns a refresh token of testClient, from the
// authorization-code flow, which Hydra introspects with token_use
// refresh_token.
func refreshToken(t *testing.T, s *issuertest.Server) string {
	t.Helper()
	s.AddClient(issuertest.Client{ID: "app", Secret: testSecret, Scopes: []string{"offline_access"},
		RedirectURIs: []string{"https://app.example/cb"}, AuthMethod: issuertest.AuthMethodAny})
	tok, err := authCodeToken(t.Context(), s.Client(), s.AuthURL(), s.TokenURL(), "app", testSecret, "https://app.example/cb", "offline_access")
	if err != nil {
		t.Fatal(err)
	}
	return tok.RefreshToken
}

func TestVerifyRemoteUnavailable(t *testing.T) {
	tests := []struct {
		name   string
		fault  issuertest.Fault
		ep     issuertest.Endpoint
		setup  func(s *issuertest.Server) []string // extra args
		detail string
	}{
		{"introspection 503", issuertest.Fault{Status: 503}, issuertest.EndpointIntrospect, nil, "introspection endpoint answered 503 Service Unavailable"},
		{"introspection 500 with HTML", issuertest.Fault{Status: 500, Body: []byte("<html>"), ContentType: "text/html"}, issuertest.EndpointIntrospect, nil, "answered 500"},
		{"introspection garbage", issuertest.Fault{Body: []byte("<html>")}, issuertest.EndpointIntrospect, nil, "introspection response"},
		{"connection dropped", issuertest.Fault{CloseConn: true}, issuertest.EndpointIntrospect, nil, "remote check"},
		{"timeout", issuertest.Fault{Delay: time.Minute}, issuertest.EndpointIntrospect, func(*issuertest.Server) []string {
			return []string{"--timeout", "300ms"}
		}, "deadline exceeded"},
		{"wrong client secret", issuertest.Fault{}, issuertest.EndpointIntrospect, func(*issuertest.Server) []string {
			return []string{"--client-secret-file", writeSecret(t, "wrong")}
		}, "answered 401 Unauthorized; it refused this command's client credentials: check --client-id, the secret and --client-auth"},
		{"server closed", issuertest.Fault{}, issuertest.EndpointIntrospect, func(s *issuertest.Server) []string {
			s.Close()
			return nil
		}, "connection refused"},
		{"userinfo 502", issuertest.Fault{Status: 502}, issuertest.EndpointUserinfo, func(s *issuertest.Server) []string {
			return []string{"--userinfo", s.UserinfoURL()}
		}, "userinfo endpoint answered 502 Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOpaqueIssuer(t, issuertest.TokenFormatHydra, issuertest.Config{})
			t.Setenv(secretEnv, testSecret)
			tok := s.IssueAccessToken(testClient)
			s.SetFaultOn(tt.ep, tt.fault)
			args := introspectArgs(s)
			if tt.setup != nil {
				extra := tt.setup(s)
				if len(extra) > 0 && extra[0] == "--userinfo" {
					args = []string{"verify", "--allow-http"}
				}
				args = append(args, extra...)
			}
			code, out, errs := runCLI(t, "", append(args, tok)...)
			if code != exitUnavailable || out != "" || !strings.HasPrefix(errs, "unavailable: ") ||
				strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tt.detail) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and one line \"unavailable: …%s…\"", code, out, errs, exitUnavailable, tt.detail)
			}
		})
	}
}

func TestVerifyRemoteTLS(t *testing.T) {
	s := newOpaqueIssuer(t, issuertest.TokenFormatHydraV2, issuertest.Config{TLS: true})
	t.Setenv(secretEnv, testSecret)
	tok := s.IssueAccessToken(testClient)
	ca := writeFile(t, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})))
	args := []string{"verify", "--introspect", s.IntrospectURL(), "--client-id", testClient, "--skip-audience"}

	code, _, errs := runCLI(t, "", append(args, "--ca-file", ca, tok)...)
	if code != exitOK {
		t.Errorf("with --ca-file: exit %d, stderr %q; want 0", code, errs)
	}
	code, _, errs = runCLI(t, "", append(args, tok)...)
	want := "unavailable: the introspection endpoint's certificate is not trusted; pass --ca-file FILE\n"
	if code != exitUnavailable || errs != want {
		t.Errorf("without --ca-file: exit %d, stderr %q; want %d and %q", code, errs, exitUnavailable, want)
	}
}

func TestVerifyRemoteUsageErrors(t *testing.T) {
	s := newOpaqueIssuer(t, issuertest.TokenFormatHydra, issuertest.Config{})
	tok := s.IssueAccessToken(testClient)
	const leaked = "hunter2-do-not-print"
	refused := "--client-secret is refused: a command line is visible to every user of this machine"
	uinfo := []string{"verify", "--userinfo", s.UserinfoURL(), "--allow-http"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"secret flag", introspectArgs(s, "--client-secret", leaked, tok), refused},
		{"secret flag with =", introspectArgs(s, "-client-secret="+leaked, tok), refused},
		{"secret flag last, no value", introspectArgs(s, tok, "--client-secret"), refused + " (ps, /proc) and kept in shell history; put the secret in a file for --client-secret-file FILE or in the JWTGUARD_CLIENT_SECRET environment variable"},
		{"no secret", introspectArgs(s, tok), "--client-auth basic needs the client secret: put it in a file for --client-secret-file FILE or in the JWTGUARD_CLIENT_SECRET environment variable"},
		{"no client id", []string{"verify", "--introspect", s.IntrospectURL(), "--allow-http", "--skip-audience", tok}, "--introspect needs --client-id ID"},
		{"missing secret file", introspectArgs(s, "--client-secret-file", t.TempDir()+"/none", tok), "--client-secret-file: open"},
		{"empty secret file", introspectArgs(s, "--client-secret-file", writeSecret(t, "\n"), tok), "is empty"},
		{"both endpoints", introspectArgs(s, "--userinfo", s.UserinfoURL(), tok), "--introspect and --userinfo exclude each other"},
		{"jwks with introspect", introspectArgs(s, "--jwks", s.JWKSURL(), tok), "--jwks applies to JWTs only, not with --introspect"},
		{"nonce with userinfo", append(uinfo, "--nonce", "n", tok), "--nonce applies to JWTs only, not with --userinfo"},
		{"client id with userinfo", append(uinfo, "--client-id", "x", tok), "--client-id does not apply to --userinfo"},
		{"audience with userinfo", append(uinfo, "--audience", "api", tok), "--audience does not apply to --userinfo"},
		{"scope with userinfo", append(uinfo, "--scope", "a", tok), "--scope cannot be met with --userinfo"},
		{"client id without introspect", append(baseArgs(s), "--client-id", "x", tok), "--client-id applies to --introspect only"},
		{"bad client auth", introspectArgs(s, "--client-auth", "jwt", tok), `--client-auth "jwt": want basic, post or none`},
		{"none with a client id", introspectArgs(s, "--client-auth", "none", tok), "--client-auth none sends no credentials"},
		{"no audience decision", []string{"verify", "--introspect", s.IntrospectURL(), "--client-id", testClient, "--allow-http", tok}, "--skip-audience"},
		{"http without allow-http", []string{"verify", "--introspect", s.IntrospectURL(), "--client-id", testClient, "--skip-audience", tok}, "--introspect \"" + s.IntrospectURL() + "\" is not https"},
		{"userinfo not loopback", []string{"verify", "--userinfo", "http://10.0.0.1/userinfo", "--allow-http", tok}, "only on loopback"},
		{"negative timeout", introspectArgs(s, "--timeout", "-1s", tok), "--timeout must be positive"},
	}
	before := s.Requests(issuertest.EndpointIntrospect) + s.Requests(issuertest.EndpointUserinfo)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", tt.args...)
			if code != exitUsage || out != "" || !strings.HasPrefix(errs, "jwtguard verify: ") || !strings.Contains(errs, tt.want) ||
				!strings.HasSuffix(errs, "Run 'jwtguard verify --help' for usage.\n") {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and a message containing %q", code, out, errs, exitUsage, tt.want)
			}
			if strings.Contains(errs, leaked) {
				t.Errorf("stderr repeats the secret: %q", errs)
			}
		})
	}
	if n := s.Requests(issuertest.EndpointIntrospect) + s.Requests(issuertest.EndpointUserinfo) - before; n != 0 {
		t.Errorf("usage errors made %d remote requests, want 0", n)
	}
}

func TestVerifyRemoteSecretFileMode(t *testing.T) {
	s := newOpaqueIssuer(t, issuertest.TokenFormatHydra, issuertest.Config{})
	file := writeSecret(t, testSecret)
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "", introspectArgs(s, "--client-secret-file", file, s.IssueAccessToken(testClient))...)
	if code != exitOK || !strings.Contains(errs, "is readable by other users (mode -rw-r--r--); chmod 600 it\n") {
		t.Errorf("exit %d, stderr %q; want 0 and a warning about the mode", code, errs)
	}
}
