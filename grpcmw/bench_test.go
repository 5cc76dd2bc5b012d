package grpcmw_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/interleave"
	"github.com/jwtguard/jwtguard/verify"
)

// benchInterceptor is the interceptor with a scope on UnaryCall, over the
// static keys, and a warm token for it.
func benchInterceptor(b *testing.B) (*grpcmw.Interceptor, string) {
	b.Helper()
	i, err := grpcmw.New(grpcmw.Config{
		Checker: newVerifier(b, staticKeys(b)),
		Methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"sms.text:send_to_subscriber"}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return i, token(b, "subscription.read", "sms.text:send_to_subscriber")
}

// BenchmarkUnaryCall is one UnaryCall over bufconn, with a warm token
// (the verifier's token cache holds it), through the interceptor and
// through the same server without it. The client sends the token in both
// cases, so the difference is the interceptor's cost.
func BenchmarkUnaryCall(b *testing.B) {
	i, tok := benchInterceptor(b)
	for _, tt := range []struct {
		name string
		opts []grpc.ServerOption
	}{
		{"bare", nil},
		{"interceptor", []grpc.ServerOption{grpc.UnaryInterceptor(i.Unary())}},
	} {
		cc, _ := startServer(b, tt.opts...)
		client := testpb.NewTestServiceClient(cc)
		ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
		if _, err := client.UnaryCall(ctx, &testpb.SimpleRequest{}); err != nil { // warm up
			b.Fatal(err)
		}
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.UnaryCall(ctx, &testpb.SimpleRequest{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tt.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := client.UnaryCall(ctx, &testpb.SimpleRequest{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkInterceptor isolates the interceptor from the transport: the
// unary interceptor called directly on a server-side context carrying the
// incoming metadata, with a warm token, versus calling the handler
// directly. Transport noise in BenchmarkUnaryCall is larger than the
// interceptor's cost; this is the precise number.
func BenchmarkInterceptor(b *testing.B) {
	i, tok := benchInterceptor(b)
	unary := i.Unary()
	info := &grpc.UnaryServerInfo{FullMethod: methodUnary}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tok))
	handler := func(ctx context.Context, _ any) (any, error) { return nil, nil }
	if _, err := unary(ctx, nil, info, handler); err != nil { // warm the token cache
		b.Fatal(err)
	}
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = handler(ctx, nil)
		}
	})
	b.Run("unary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := unary(ctx, nil, info, handler); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unary/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := unary(ctx, nil, info, handler); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	stream := i.Stream()
	sinfo := &grpc.StreamServerInfo{FullMethod: methodUnary}
	ss := &fakeStream{ctx: ctx}
	shandler := func(any, grpc.ServerStream) error { return nil }
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := stream(nil, ss, sinfo, shandler); err != nil {
				b.Fatal(err)
			}
		}
	})
	refused := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Basic dXNlcjpwYXNz"))
	b.Run("refused", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := unary(refused, nil, info, handler); err == nil {
				b.Fatal("accepted")
			}
		}
	})
}

// fakeStream is a grpc.ServerStream with only a context.
type fakeStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (f *fakeStream) Context() context.Context { return f.ctx }

// BenchmarkOverhead measures what the unary interceptor adds to a call
// with a warm token: the handler alone and through the interceptor run
// alternately in batches of 64 calls (see internal/interleave for the
// metrics).
func BenchmarkOverhead(b *testing.B) {
	i, tok := benchInterceptor(b)
	unary := i.Unary()
	info := &grpc.UnaryServerInfo{FullMethod: methodUnary}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tok))
	handler := func(ctx context.Context, _ any) (any, error) { return nil, nil }
	if _, err := unary(ctx, nil, info, handler); err != nil { // warms the token cache
		b.Fatal(err)
	}
	interleave.Overhead(b, 64,
		func() { _, _ = handler(ctx, nil) },
		func() {
			if _, err := unary(ctx, nil, info, handler); err != nil {
				b.Fatal(err)
			}
		})
}
