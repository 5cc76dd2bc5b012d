package bench

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
)

// BenchmarkGRPC: a unary call over bufconn carrying the token in
// "authorization" metadata, through each interceptor, against the same
// server without one ("bare").
func BenchmarkGRPC(b *testing.B) {
	libs := append([]lib{{"bare", setupBareGRPC}}, oursGRPCLibs()...)
	forEachKey(b, func(b *testing.B, f *fixture) {
		for _, l := range libs {
			b.Run("lib="+l.name, func(b *testing.B) { seqPar(b, l.setup(b, f)) })
		}
	})
}

type testService struct {
	testgrpc.UnimplementedTestServiceServer
}

func (testService) UnaryCall(context.Context, *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	return &testgrpc.SimpleResponse{}, nil
}

// newGRPCClient serves testService with opts on a bufconn listener and
// returns a client for it; b's cleanup closes the client, stops the server
// and waits for Serve to return.
func newGRPCClient(b *testing.B, opts ...grpc.ServerOption) testgrpc.TestServiceClient {
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer(opts...)
	testgrpc.RegisterTestServiceServer(s, testService{})
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(lis)
	}()
	cc, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cc.Close()
		s.Stop()
		<-served
	})
	return testgrpc.NewTestServiceClient(cc)
}

// unary returns an operation making one UnaryCall with the token.
func unary(c testgrpc.TestServiceClient, token string) func() func() error {
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
	req := &testgrpc.SimpleRequest{}
	return same(func() error {
		_, err := c.UnaryCall(ctx, req)
		return err
	})
}

func setupBareGRPC(b *testing.B, f *fixture) func() func() error {
	return unary(newGRPCClient(b), f.token)
}
