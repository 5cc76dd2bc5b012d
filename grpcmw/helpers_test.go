package grpcmw_test

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"

	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	testIssuer = tokentest.Issuer
	testAud    = tokentest.Audience
	testKID    = tokentest.KID
	testSub    = tokentest.Subject

	methodEmpty  = "/grpc.testing.TestService/EmptyCall"
	methodUnary  = "/grpc.testing.TestService/UnaryCall"
	methodOutput = "/grpc.testing.TestService/StreamingOutputCall"
	methodDuplex = "/grpc.testing.TestService/FullDuplexCall"
)

// testNow is the verifier's fixed clock in unit tests.
var testNow = tokentest.Now()

// staticKeys publishes testkeys.RSA2048(0) under testKID.
func staticKeys(t testing.TB) jwks.Source { t.Helper(); return tokentest.StaticKeys(t) }

// downKeys is a key source that cannot vouch for any key, like a jwks.Cache
// that never loaded.
type downKeys struct{}

func (downKeys) Key(context.Context, string, string) (*jwks.Key, error) {
	return nil, fmt.Errorf("test: %w", jwks.ErrUnavailable)
}

// blockedKeys waits for the caller to give up, like a first fetch that
// hangs.
type blockedKeys struct{}

func (blockedKeys) Key(ctx context.Context, _, _ string) (*jwks.Key, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("test: %w", ctx.Err())
}

// newVerifier returns a verifier with the fixed clock over src.
func newVerifier(t testing.TB, src jwks.Source) *verify.Verifier {
	t.Helper()
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: testIssuer, Keys: src}},
		Audiences: []string{testAud},
		Now:       func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func claims(scopes ...string) jwt.MapClaims { return tokentest.Claims(scopes...) }

// sign signs c with RS256 under kid with key.
func sign(t testing.TB, key crypto.Signer, kid string, c jwt.MapClaims) string {
	t.Helper()
	return tokentest.Sign(t, key, kid, c)
}

// token is a valid token for the static keys carrying scopes.
func token(t testing.TB, scopes ...string) string {
	t.Helper()
	return tokentest.Token(t, scopes...)
}

// who describes the claims in ctx as the handlers report them.
func who(ctx context.Context) string {
	c, ok := verify.FromContext(ctx)
	if !ok {
		return "anonymous"
	}
	return "sub=" + c.Subject + " scopes=" + strings.Join(c.Scopes, ",")
}

// testServer is grpc's interop TestService answering with who(ctx). calls
// counts handler invocations, so tests can prove a refused RPC never reached
// the handler.
type testServer struct {
	testpb.UnimplementedTestServiceServer
	calls atomic.Int64
}

func (s *testServer) EmptyCall(ctx context.Context, _ *testpb.Empty) (*testpb.Empty, error) {
	s.calls.Add(1)
	return &testpb.Empty{}, nil
}

func (s *testServer) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	s.calls.Add(1)
	return &testpb.SimpleResponse{Username: who(ctx)}, nil
}

// StreamingOutputCall sends one response per requested parameter (at least
// one), each naming the stream context's caller.
func (s *testServer) StreamingOutputCall(req *testpb.StreamingOutputCallRequest, stream grpc.ServerStreamingServer[testpb.StreamingOutputCallResponse]) error {
	s.calls.Add(1)
	n := max(len(req.GetResponseParameters()), 1)
	for range n {
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: &testpb.Payload{Body: []byte(who(stream.Context()))}}); err != nil {
			return err
		}
	}
	return nil
}

// FullDuplexCall answers every request with the stream context's caller.
func (s *testServer) FullDuplexCall(stream grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
	s.calls.Add(1)
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: &testpb.Payload{Body: []byte(who(stream.Context()))}}); err != nil {
			return err
		}
	}
}

// startServer serves the test service and the health service over bufconn
// with opts and returns a connected client. Cleanup stops both and waits for
// the server goroutine.
func startServer(t testing.TB, opts ...grpc.ServerOption) (*grpc.ClientConn, *testServer) {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(opts...)
	ts := &testServer{}
	testpb.RegisterTestServiceServer(srv, ts)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	cc, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cc.Close()
		srv.Stop()
		<-done
	})
	return cc, ts
}

// serveTCP registers the test service on srv, serves it on a loopback
// port and returns the address. Cleanup stops the server and waits for it.
func serveTCP(t testing.TB, srv *grpc.Server) string {
	t.Helper()
	testpb.RegisterTestServiceServer(srv, &testServer{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	return lis.Addr().String()
}

// withAuth returns ctx carrying the given "authorization" metadata values
// (none: no metadata at all).
func withAuth(ctx context.Context, values ...string) context.Context {
	if len(values) == 0 {
		return ctx
	}
	md := metadata.MD{}
	for _, v := range values {
		md.Append("authorization", v)
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// rejection is one OnReject call.
type rejection struct {
	method    string
	err       error
	transport string
	outcome   verify.Outcome
}

// rejections records OnReject calls.
type rejections struct {
	mu   sync.Mutex
	list []rejection
}

func (r *rejections) record(_ context.Context, rj verify.Rejection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, rejection{rj.Method, rj.Err, rj.Transport, rj.Outcome})
}

func (r *rejections) all() []rejection {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rejection(nil), r.list...)
}
