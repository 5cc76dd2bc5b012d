// Command servemux-grpc protects a net/http ServeMux and a gRPC server
// with the same verifier, serves a readiness probe on /readyz, and keeps
// the gRPC health service in step with it.
//
// The gRPC service is grpc-go's interop TestService, standing in for
// yours: EmptyCall needs any valid token, UnaryCall the send scope.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/ready"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

func main() { demo.Main(run) }

func run(ctx context.Context, addr string, smoke bool, out io.Writer) error {
	env, err := demo.Start(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	send := verify.ScopeRule{AllOf: []string{demo.ScopeSend}}
	// One refusal log for both transports.
	onReject := rejectlog.Hook(slog.Default(), rejectlog.Options{Level: slog.LevelDebug})

	// HTTP: per-route scopes on ServeMux patterns; refusals logged.
	mw, err := httpmw.New(httpmw.Config{Checker: env.Verifier,
		OnReject: onReject})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", env.Ready)
	mux.Handle("GET /v1/me", mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := verify.FromContext(r.Context()) // set by the middleware
		fmt.Fprintln(w, "hello", claims.Subject)
	})))
	mux.Handle("POST /v1/sms", mw.Require(send)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := verify.FromContext(r.Context())
		fmt.Fprintln(w, "queued for", claims.Subject)
	})))

	// gRPC: the same verifier, scopes per full method name; health and
	// reflection pass without a token.
	ic, err := grpcmw.New(grpcmw.Config{Checker: env.Verifier, Skip: grpcmw.SkipHealthAndReflection,
		Methods: map[string]verify.ScopeRule{
			"/grpc.testing.TestService/EmptyCall": {},
			"/grpc.testing.TestService/UnaryCall": send,
		},
		DenyUnlisted: true,
		OnReject:     onReject,
	})
	if err != nil {
		return err
	}
	gs := grpc.NewServer(grpc.Creds(credentials.NewTLS(env.TLS)),
		grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	testpb.RegisterTestServiceServer(gs, testService{})
	// NOT_SERVING whenever the issuer's keys cannot be vouched for.
	driver, err := ready.NewHealth(env.Ready, hs, ready.HealthConfig{})
	if err != nil {
		return err
	}
	defer driver.Close()

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	defer func() { gs.GracefulStop(); <-served }()
	grpcAddr := lis.Addr().String()

	var check func(ctx context.Context, base string) error
	if smoke {
		check = func(ctx context.Context, base string) error {
			return errors.Join(env.Smoke(ctx, out, base, env.HTTPCases()), callGRPC(ctx, env, grpcAddr, out))
		}
	} else {
		fmt.Fprintf(out, "gRPC on %s\n", grpcAddr)
	}
	return env.ServeWith(ctx, addr, mux, check, out)
}

type testService struct {
	testpb.UnimplementedTestServiceServer
}

func (testService) EmptyCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	return &testpb.Empty{}, nil
}

func (testService) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	claims, _ := verify.FromContext(ctx) // set by the interceptor
	return &testpb.SimpleResponse{Username: claims.Subject}, nil
}

// callGRPC checks the health service, then calls the test service with no
// token, a token lacking the scope and a token with it.
func callGRPC(ctx context.Context, env *demo.Env, addr string, out io.Writer) error {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(env.Roots, "")))
	if err != nil {
		return err
	}
	defer cc.Close()
	h, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
	fmt.Fprintf(out, "grpc health %s %v\n", h.GetStatus(), status.Code(err))
	client := testpb.NewTestServiceClient(cc)
	withToken := func(tok string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	_, err = client.EmptyCall(ctx, &testpb.Empty{})
	fmt.Fprintf(out, "grpc no token EmptyCall %v\n", status.Code(err))
	_, err = client.EmptyCall(withToken(env.Token(demo.ScopeRead)), &testpb.Empty{})
	fmt.Fprintf(out, "grpc valid token EmptyCall %v\n", status.Code(err))
	_, err = client.UnaryCall(withToken(env.Token(demo.ScopeRead)), &testpb.SimpleRequest{})
	fmt.Fprintf(out, "grpc wrong scope UnaryCall %v\n", status.Code(err))
	resp, err := client.UnaryCall(withToken(env.Token(demo.ScopeSend)), &testpb.SimpleRequest{})
	fmt.Fprintf(out, "grpc right scope UnaryCall %v %s\n", status.Code(err), resp.GetUsername())
	return nil
}
