package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/issuertest"
)

// asProgram, set in a child process's environment, makes the test binary
// run main as the program would run, with the child's arguments.
const asProgram = "JWTGUARD_QUICKSTART_AS_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(asProgram) == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

const (
	apiAudience = "https://api.example.com/"
	scopeSend   = "sms.text:send_to_subscriber"
	scopeRead   = "sms.read"
	clientID    = "svc"
)

// fixture is a TLS test issuer whose tokens name apiAudience, the files
// the program is started with (the issuer's certificate, and the program's
// own certificate and key), and a pool that trusts the program.
type fixture struct {
	iss                       *issuertest.Server
	caFile, certFile, keyFile string
	roots                     *x509.CertPool
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	iss := issuertest.NewServer(issuertest.Config{TLS: true, Audience: []string{apiAudience}})
	t.Cleanup(iss.Close)
	iss.AddClient(issuertest.Client{ID: clientID, Secret: "s3cret", Scopes: []string{scopeRead, scopeSend}})
	dir := t.TempDir()
	f := &fixture{iss: iss, caFile: filepath.Join(dir, "ca.pem"),
		certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem"), roots: x509.NewCertPool()}
	cert := selfSigned()
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	f.roots.AddCert(leaf)
	writePEM(t, f.caFile, "CERTIFICATE", iss.Certificate().Raw)
	writePEM(t, f.certFile, "CERTIFICATE", leaf.Raw)
	writePEM(t, f.keyFile, "PRIVATE KEY", key)
	return f
}

func writePEM(t *testing.T, file, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// program is the quick start running in a child process.
type program struct {
	cmd      *exec.Cmd
	stderr   strings.Builder // what the program logged; complete once drained is closed
	drained  chan struct{}
	httpBase string
	grpcAddr string
}

var listening = regexp.MustCompile(`HTTPS on (\S+), gRPC on (\S+), tokens from`)

// start runs the program with args and env added to this process's
// environment. It returns once the program has logged its addresses, or
// fails the test with the program's output when it exits before that.
func start(t *testing.T, env []string, args ...string) *program {
	t.Helper()
	p := &program{cmd: exec.Command(os.Args[0], args...), drained: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), append(env, asProgram+"=1")...)
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("the program's output:\n%s", p.stderr.String())
		}
	})
	r := bufio.NewReader(pipe)
	for p.httpBase == "" {
		line, err := r.ReadString('\n')
		p.stderr.WriteString(line)
		if m := listening.FindStringSubmatch(line); m != nil {
			p.httpBase, p.grpcAddr = "https://"+m[1], m[2]
		}
		if err != nil {
			break
		}
	}
	go func() {
		defer close(p.drained)
		_, _ = io.Copy(&p.stderr, r)
	}()
	if p.httpBase == "" {
		<-p.drained
		t.Fatalf("the program exited before listening: %v", p.cmd.Wait())
	}
	return p
}

// stop kills the program and waits for it.
func (p *program) stop() {
	_ = p.cmd.Process.Kill()
	<-p.drained
	_ = p.cmd.Wait()
}

func TestSmoke(t *testing.T) {
	f := newFixture(t)
	p := start(t, []string{"OAUTH_ISSUER=" + f.iss.Issuer()}, "-audience", apiAudience, "-ca-file", f.caFile,
		"-cert", f.certFile, "-key", f.keyFile, "-http", "127.0.0.1:0", "-grpc", "127.0.0.1:0")
	otherAud := f.iss.AccessTokenClaims(clientID)
	otherAud["aud"] = []string{"https://other.example.com/"}
	tokens := map[string]string{
		"none":      "",
		"read":      f.iss.AccessToken(clientID, scopeRead),
		"send":      f.iss.AccessToken(clientID, scopeSend),
		"expired":   f.iss.ExpiredAccessToken(clientID),
		"other aud": f.iss.Mint(otherAud, issuertest.MintOptions{}),
	}

	t.Run("http", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.roots}}}
		defer client.CloseIdleConnections()
		tests := []struct {
			name, method, path, token string
			want                      int
			body                      string
		}{
			{"missing token", http.MethodGet, "/v1/me", "none", http.StatusUnauthorized, "Unauthorized"},
			{"any valid token", http.MethodGet, "/v1/me", "read", http.StatusOK, "GET /v1/me for client svc"},
			{"expired", http.MethodGet, "/v1/me", "expired", http.StatusUnauthorized, "Unauthorized"},
			{"another audience", http.MethodGet, "/v1/me", "other aud", http.StatusUnauthorized, "Unauthorized"},
			{"wrong scope", http.MethodPost, "/v1/sms", "read", http.StatusForbidden, "Forbidden"},
			{"allowed", http.MethodPost, "/v1/sms", "send", http.StatusOK, "POST /v1/sms for client svc"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequestWithContext(t.Context(), tt.method, p.httpBase+tt.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tok := tokens[tt.token]; tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tt.want || strings.TrimSpace(string(body)) != tt.body {
					t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, body, tt.want, tt.body)
				}
			})
		}
	})

	t.Run("grpc", func(t *testing.T) {
		cc, err := grpc.NewClient(p.grpcAddr, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(f.roots, "")))
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		client := testpb.NewTestServiceClient(cc)
		tests := []struct {
			name, token string
			want        codes.Code
		}{
			{"missing token", "none", codes.Unauthenticated},
			{"another audience", "other aud", codes.Unauthenticated},
			{"wrong scope", "read", codes.PermissionDenied},
			{"allowed", "send", codes.OK},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				if tok := tokens[tt.token]; tok != "" {
					ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
				}
				resp, err := client.UnaryCall(ctx, &testpb.SimpleRequest{})
				if status.Code(err) != tt.want {
					t.Fatalf("UnaryCall: %v, want %v", err, tt.want)
				}
				if err == nil && resp.GetUsername() != clientID {
					t.Errorf("UnaryCall answered for %q, want %q", resp.GetUsername(), clientID)
				}
			})
		}
	})
}

// TestStartupRefusal runs the program with a configuration it must refuse
// before serving anything.
func TestStartupRefusal(t *testing.T) {
	f := newFixture(t)
	notPEM := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	listen := []string{"-http", "127.0.0.1:0", "-grpc", "127.0.0.1:0"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"issuer CA not trusted", []string{"-issuer", f.iss.Issuer()}, "certificate signed by unknown authority"},
		{"CA file without a certificate", []string{"-issuer", f.iss.Issuer(), "-ca-file", notPEM}, notPEM + ": no certificate"},
		{"plain http issuer", []string{"-issuer", "http://127.0.0.1:1/"}, "is not https"},
		{"key file missing", []string{"-issuer", f.iss.Issuer(), "-ca-file", f.caFile, "-cert", f.certFile}, "open :"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], append(tt.args, listen...)...)
			cmd.Env = append(os.Environ(), asProgram+"=1")
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tt.want) {
				t.Errorf("exit %v, output %q; want a failure mentioning %q", err, out, tt.want)
			}
		})
	}
}
