package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// startIssuerCmd runs "jwtguard issuer args…"; see startCommand.
func startIssuerCmd(t *testing.T, args ...string) (info map[string]string, stop func() (code int, stderr string)) {
	t.Helper()
	return startCommand(t, append([]string{"issuer"}, args...)...)
}

// startCommand runs "jwtguard args…" until the returned stop function is
// called, and returns the "key: value" lines it printed before "Running"
// (and all of its output as "_all").
func startCommand(t *testing.T, args ...string) (info map[string]string, stop func() (code int, stderr string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errs strings.Builder
	done := make(chan int, 1)
	go func() {
		code := run(ctx, args, strings.NewReader(""), pw, &errs)
		pw.Close()
		done <- code
	}()
	info = map[string]string{}
	sc := bufio.NewScanner(pr)
	var all []string
	for sc.Scan() {
		line := sc.Text()
		all = append(all, line)
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			info[k] = strings.TrimSpace(v)
		}
		if strings.HasPrefix(line, "Running") {
			break
		}
	}
	info["_all"] = strings.Join(all, "\n")
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	stopped := false
	stop = func() (int, string) {
		if stopped {
			return -1, ""
		}
		stopped = true
		cancel()
		return <-done, errs.String()
	}
	t.Cleanup(func() { stop() })
	return info, stop
}

func TestIssuerCommand(t *testing.T) {
	tests := []struct {
		name string
		tls  bool
	}{
		{"http", false},
		{"tls", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--client-id", "svc", "--client-secret", "pa ss", "--scope", "a b", "--scope", "c"}
			certFile := filepath.Join(t.TempDir(), "ca.pem")
			if tt.tls {
				args = append(args, "--tls", "--ca-out", certFile)
			}
			info, stop := startIssuerCmd(t, args...)
			for _, k := range []string{"URL", "issuer", "discovery", "JWKS", "token", "client_id", "client_secret", "scopes"} {
				if info[k] == "" {
					t.Errorf("output lacks %q:\n%s", k, info["_all"])
				}
			}
			if info["client_id"] != "svc" || info["client_secret"] != "pa ss" || info["scopes"] != "a b c" {
				t.Errorf("client %q/%q scopes %q, want svc/pa ss and a b c", info["client_id"], info["client_secret"], info["scopes"])
			}
			if !strings.Contains(info["_all"], "curl -s") || !strings.Contains(info["_all"], "'svc:pa ss'") {
				t.Errorf("no quoted curl example:\n%s", info["_all"])
			}
			wantScheme := "http://"
			if tt.tls {
				wantScheme = "https://"
			}
			if !strings.HasPrefix(info["URL"], wantScheme+"127.0.0.1:") || info["issuer"] != info["URL"]+"/" {
				t.Errorf("URL %q issuer %q, want %s127.0.0.1:… and URL+/", info["URL"], info["issuer"], wantScheme)
			}

			// A real OAuth 2.0 client gets a token, in both auth styles.
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			defer hc.CloseIdleConnections()
			verifyArgs := []string{"verify", "--issuer", info["issuer"], "--skip-audience", "--scope", "c"}
			if tt.tls {
				pemBytes, err := os.ReadFile(certFile)
				if err != nil {
					t.Fatal(err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pemBytes) {
					t.Fatal("--ca-out wrote no certificate")
				}
				hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool}
				verifyArgs = append(verifyArgs, "--ca-file", certFile)
			} else {
				verifyArgs = append(verifyArgs, "--allow-http")
			}
			for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
				cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "pa ss", TokenURL: info["token"], AuthStyle: style}
				tok, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
				if err != nil {
					t.Fatalf("auth style %v: %v", style, err)
				}
				code, out, errs := runCLI(t, "", append(verifyArgs, tok.AccessToken)...)
				if code != exitOK || !strings.Contains(out, `"client_id": "svc"`) {
					t.Fatalf("verify of the issued token: exit %d, stderr %q", code, errs)
				}
			}

			code, errs := stop()
			if code != exitOK || !strings.Contains(errs, "stopping") {
				t.Errorf("after cancel: exit %d stderr %q, want 0 and a stopping note", code, errs)
			}
			if resp, err := hc.Get(info["JWKS"]); err == nil {
				resp.Body.Close()
				t.Errorf("issuer still serving after stop (status %d)", resp.StatusCode)
			}
		})
	}
}

func TestIssuerGeneratesCredentials(t *testing.T) {
	a, _ := startIssuerCmd(t)
	b, _ := startIssuerCmd(t)
	if !strings.HasPrefix(a["client_id"], "client-") || len(a["client_secret"]) != 32 {
		t.Errorf("generated client %q secret %q, want client-<hex> and 32 hex characters", a["client_id"], a["client_secret"])
	}
	if a["client_id"] == b["client_id"] || a["client_secret"] == b["client_secret"] {
		t.Errorf("two runs generated the same credentials: %q/%q", a["client_id"], a["client_secret"])
	}
}

func TestIssuerUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"positional", []string{"extra"}, `unexpected argument "extra"`},
		{"bad flag", []string{"--port", "1"}, "jwtguard issuer: unknown flag --port\n"},
		{"misspelt flag", []string{"--audiense", "x"}, "unknown flag --audiense; did you mean --audience?"},
		{"non-loopback addr", []string{"--addr", "0.0.0.0:0"}, "loopback only"},
		{"bad port", []string{"--addr", "127.0.0.1:http"}, "bad port"},
		{"malformed addr", []string{"--addr", "localhost"}, "missing port"},
		{"bad scope claim", []string{"--scope-claim", "scopes"}, `--scope-claim "scopes": want scp, scope or both`},
		{"zero ttl", []string{"--ttl", "0s"}, "--ttl must be positive, got 0s"},
		{"bad ttl", []string{"--ttl", "1 hour"}, `--ttl "1 hour": want a duration such as 30s, 5m or 1h`},
		{"unknown mint kind", []string{"--mint", "expird"}, `--mint "expird": want one of valid, expired, not-yet-valid, id-token, wrong-key, unknown-kid or all; did you mean expired?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", append([]string{"issuer"}, tt.args...)...)
			if code != exitUsage || out != "" || !strings.Contains(errs, tt.want) || !strings.Contains(errs, "jwtguard issuer --help") {
				t.Errorf("exit %d stdout %q stderr %q; want %d, no output, %q and the hint", code, out, errs, exitUsage, tt.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"abc":       "abc",
		"a b":       "'a b'",
		"it's":      `'it'\''s'`,
		"":          "''",
		"$(rm -rf)": "'$(rm -rf)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestIssuerFixedAddr(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()

	// While l holds the port, the issuer cannot listen: a usage error, not a panic.
	code, out, errs := runCLI(t, "", "issuer", "--addr", addr)
	if code != exitUsage || out != "" || !strings.Contains(errs, addr) {
		t.Errorf("address in use: exit %d stdout %q stderr %q; want %d naming %s", code, out, errs, exitUsage, addr)
	}

	// Once free, the issuer serves on exactly that address.
	l.Close()
	info, stop := startIssuerCmd(t, "--addr", addr)
	if want := "http://" + addr; info["URL"] != want {
		t.Errorf("URL %q, want %q", info["URL"], want)
	}
	if code, errs := stop(); code != exitOK {
		t.Errorf("stop: exit %d, stderr %q", code, errs)
	}
}

// With --tls but no --cert-out the printed verify command cannot trust the
// certificate; the output says how to make it work.
func TestIssuerTLSWithoutCertOutHint(t *testing.T) {
	info, _ := startIssuerCmd(t, "--tls")
	if !strings.Contains(info["_all"], "curl -s -k ") || !strings.Contains(info["_all"], "start the issuer with --ca-out FILE and add --ca-file FILE") {
		t.Errorf("no trust hint for a TLS issuer without --ca-out:\n%s", info["_all"])
	}
	info, _ = startIssuerCmd(t, "--tls", "--cert-out", filepath.Join(t.TempDir(), "ca.pem"))
	if strings.Contains(info["_all"], "insecure mode") {
		t.Errorf("trust hint printed although --cert-out was given:\n%s", info["_all"])
	}
}

// --ca-out implies --tls, and its file makes the printed verify command work.
func TestIssuerCAOutImpliesTLS(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	info, _ := startIssuerCmd(t, "--ca-out", ca, "--audience", "https://api.example/")
	if !strings.HasPrefix(info["issuer"], "https://") || info["certificate"] != ca {
		t.Fatalf("issuer %q certificate %q; want https and %s", info["issuer"], info["certificate"], ca)
	}
	want := "jwtguard verify --issuer " + info["issuer"] + " --ca-file " + ca + " --audience https://api.example/ \"$TOKEN\""
	if !strings.Contains(info["_all"], want) {
		t.Errorf("output lacks %q:\n%s", want, info["_all"])
	}
}
