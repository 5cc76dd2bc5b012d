package providers_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/oauth"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// Cache lifetimes of every remote checker in these tests: an accepted
// token is trusted for posTTL without asking again, a refusal remembered
// for negTTL.
const (
	posTTL = time.Minute
	negTTL = 10 * time.Second
)

// The two routes of each world. The remote route checks opaque tokens
// with the provider's introspection profile; the user route with wgtwo's
// userinfo profile. Both send JWTs to the verifier.
const (
	pathRemote   = "/v1/remote"
	pathUser     = "/v1/user"
	methodRemote = "/grpc.testing.TestService/UnaryCall"
	methodUser   = "/grpc.testing.TestService/StreamingOutputCall"
)

type route int

const (
	remoteRoute route = iota
	userRoute
)

func (r route) String() string { return [...]string{"remote route", "user route"}[r] }

// clock is the injected time of a world: issuer, verifier and checkers.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// provider describes one world.
type provider struct {
	// issuer configures the issuer; TLS and Now are set by newWorld.
	issuer  issuertest.Config
	clients []issuertest.Client
	// remote is the remote route's checker for the running issuer; the
	// cache lifetimes, clock and TLS roots are set by newWorld.
	remote func(iss *issuertest.Server) introspect.Config
	// need is the remote route's scope requirement.
	need verify.ScopeRule
	// timeout bounds each remote call; zero is the default.
	timeout time.Duration
}

// world is an issuer on loopback and, in front of handlers that echo the
// caller, an httpmw server and a grpcmw server over TLS.
type world struct {
	*e2etest.Stack
	clock *clock
	ctx   context.Context // carries oauth2.HTTPClient trusting the issuer and the API server
	api   *httptest.Server
	rpc   testpb.TestServiceClient

	mu      sync.Mutex
	rejects []verify.Rejection
}

func newWorld(t *testing.T, p provider) *world {
	t.Helper()
	w := &world{clock: &clock{}}
	w.clock.ns.Store(time.Now().Truncate(time.Second).UnixNano())
	ic := p.issuer
	ic.TLS, ic.Now = true, w.clock.Now
	w.Stack = e2etest.New(t, e2etest.Options{Issuer: ic, Verify: verify.Config{Now: w.clock.Now}})
	iss := w.Issuer
	for _, c := range p.clients {
		iss.AddClient(c)
	}
	roots := x509.NewCertPool()
	roots.AddCert(iss.Certificate())
	checker := func(cfg introspect.Config) verify.Checker {
		cfg.RootCAs, cfg.Now = roots, w.clock.Now
		cfg.Cache.MaxTTL, cfg.Cache.NegativeTTL = posTTL, negTTL
		cfg.Timeout = p.timeout
		c, err := introspect.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return introspect.Route(w.Verifier, c)
	}
	uc := introspect.WgtwoUserinfo()
	uc.URL, uc.Issuer = iss.UserinfoURL(), iss.Issuer()
	remote, user := checker(p.remote(iss)), checker(uc)

	w.serveHTTP(t, remote, user, p.need)
	w.serveGRPC(t, remote, user, p.need)
	w.ctx = context.WithValue(t.Context(), oauth2.HTTPClient, iss.Client())
	return w
}

func (w *world) serveHTTP(t *testing.T, remote, user verify.Checker, need verify.ScopeRule) {
	t.Helper()
	mux := http.NewServeMux()
	for _, r := range []struct {
		path    string
		checker verify.Checker
		need    verify.ScopeRule
	}{{pathRemote, remote, need}, {pathUser, user, verify.ScopeRule{}}} {
		mw, err := httpmw.New(httpmw.Config{Checker: r.checker, OnReject: w.reject})
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle("GET "+r.path, mw.Require(r.need)(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
			_, _ = io.WriteString(rw, who(req.Context()))
		})))
	}
	// httptest servers share one certificate, so the issuer's client
	// trusts this server too.
	w.api = httptest.NewTLSServer(mux)
	t.Cleanup(w.api.Close)
}

func (w *world) serveGRPC(t *testing.T, remote, user verify.Checker, need verify.ScopeRule) {
	t.Helper()
	// Two interceptors in a chain, each owning one method: the remote
	// route's checker never sees the user route's calls and vice versa.
	rem, err := grpcmw.New(grpcmw.Config{Checker: remote, Methods: map[string]verify.ScopeRule{methodRemote: need},
		DenyUnlisted: true, Skip: func(_ context.Context, m string) bool { return m == methodUser }})
	if err != nil {
		t.Fatal(err)
	}
	usr, err := grpcmw.New(grpcmw.Config{Checker: user, Methods: map[string]verify.ScopeRule{methodUser: {}},
		DenyUnlisted: true, Skip: func(_ context.Context, m string) bool { return m != methodUser }})
	if err != nil {
		t.Fatal(err)
	}
	cert, pool, err := testcert.Loopback("providers e2e")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})),
		grpc.ChainUnaryInterceptor(rem.Unary(), usr.Unary()),
		grpc.ChainStreamInterceptor(rem.Stream(), usr.Stream()),
	)
	testpb.RegisterTestServiceServer(srv, echoServer{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	cc, err := grpc.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	w.rpc = testpb.NewTestServiceClient(cc)
}

func (w *world) reject(_ context.Context, r verify.Rejection) {
	w.mu.Lock()
	w.rejects = append(w.rejects, r)
	w.mu.Unlock()
}

// lastReason is the reason of the HTTP server's latest refusal.
func (w *world) lastReason() verify.Reason {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.rejects) == 0 {
		return ""
	}
	return w.rejects[len(w.rejects)-1].Reason
}

// introspections counts the issuer's introspection requests.
func (w *world) introspections() int64 { return w.Issuer.Requests(issuertest.EndpointIntrospect) }

// userinfos counts the issuer's userinfo requests.
func (w *world) userinfos() int64 { return w.Issuer.Requests(issuertest.EndpointUserinfo) }

// echoServer answers with the caller the interceptors put in the context.
type echoServer struct {
	testpb.UnimplementedTestServiceServer
}

func (echoServer) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return &testpb.SimpleResponse{Username: who(ctx)}, nil
}

func (echoServer) StreamingOutputCall(_ *testpb.StreamingOutputCallRequest, s grpc.ServerStreamingServer[testpb.StreamingOutputCallResponse]) error {
	return s.Send(&testpb.StreamingOutputCallResponse{Payload: &testpb.Payload{Body: []byte(who(s.Context()))}})
}

func who(ctx context.Context) string {
	c, ok := verify.FromContext(ctx)
	if !ok {
		return "nobody"
	}
	return fmt.Sprintf("sub=%s client=%s scopes=%s", c.Subject, c.ClientID, strings.Join(c.Scopes, ","))
}

// outcome is what a call gets, over HTTP and gRPC alike.
type outcome int

const (
	accepted    outcome = iota // 200, OK
	refused                    // 401 invalid_token, Unauthenticated
	forbidden                  // 403 insufficient_scope, PermissionDenied
	unavailable                // 503 with Retry-After, Unavailable
)

var outcomes = [...]struct {
	name   string
	status int
	code   codes.Code
}{
	accepted:    {"accepted", http.StatusOK, codes.OK},
	refused:     {"refused", http.StatusUnauthorized, codes.Unauthenticated},
	forbidden:   {"forbidden", http.StatusForbidden, codes.PermissionDenied},
	unavailable: {"unavailable", http.StatusServiceUnavailable, codes.Unavailable},
}

func (o outcome) String() string { return outcomes[o].name }

// token gets ts's token or fails t.
func token(t *testing.T, ts oauth2.TokenSource) *oauth2.Token {
	t.Helper()
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// static is a token source holding one access token.
func static(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "bearer"})
}

// expect calls route r over HTTP (an x/oauth2 client) and over gRPC (an
// oauth.TokenSource per RPC) with the tokens of ts, fails t unless both get
// want, and returns the caller the handlers saw.
func (w *world) expect(t *testing.T, r route, ts oauth2.TokenSource, want outcome) string {
	t.Helper()
	resp, body, err := w.get(t.Context(), r, ts)
	if err != nil {
		t.Fatal(err)
	}
	h := resp.Header
	o := outcomes[want]
	switch {
	case resp.StatusCode != o.status:
		t.Fatalf("%v over HTTP: %d (%s), want %d (%v)", r, resp.StatusCode, w.lastReason(), o.status, want)
	case want == refused && !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`):
		t.Fatalf("%v over HTTP: challenge %q, want invalid_token", r, h.Get("WWW-Authenticate"))
	case want == unavailable && (h.Get("Retry-After") == "" || h.Get("WWW-Authenticate") != ""):
		t.Fatalf("%v over HTTP: 503 with Retry-After %q and challenge %q, want a Retry-After and no challenge",
			r, h.Get("Retry-After"), h.Get("WWW-Authenticate"))
	}
	code, got := w.call(t.Context(), r, ts)
	if code != o.code {
		t.Fatalf("%v over gRPC: %v, want %v (%v)", r, code, o.code, want)
	}
	if want == accepted && got != body {
		t.Fatalf("%v: gRPC handler saw %q, HTTP handler %q", r, got, body)
	}
	return got
}

// get calls route r over HTTP with an x/oauth2 client sending ts's token,
// and returns the response (body closed) and its body.
func (w *world) get(ctx context.Context, r route, ts oauth2.TokenSource) (*http.Response, string, error) {
	path := pathRemote
	if r == userRoute {
		path = pathUser
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.api.URL+path, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := oauth2.NewClient(w.ctx, ts).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// call makes route r's RPC with ts's token and returns its code and the
// caller the handler saw.
func (w *world) call(ctx context.Context, r route, ts oauth2.TokenSource) (codes.Code, string) {
	creds := grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: ts})
	if r == remoteRoute {
		resp, err := w.rpc.UnaryCall(ctx, &testpb.SimpleRequest{}, creds)
		return status.Code(err), resp.GetUsername()
	}
	stream, err := w.rpc.StreamingOutputCall(ctx, &testpb.StreamingOutputCallRequest{}, creds)
	if err != nil {
		return status.Code(err), ""
	}
	msg, err := stream.Recv()
	if err != nil {
		return status.Code(err), ""
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return status.Code(err), ""
	}
	return codes.OK, string(msg.GetPayload().GetBody())
}
