package bench

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/grpc"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/interleave"
)

// Notes for rows that must not be read as like for like.
const (
	noteCacheHit = "token cache hit: no signature check (every other row verifies the signature on every call)"
	noteCold     = "token cache off: full verification, like the peers"
)

// op builds a lib's operation for f (one goroutine's worth).
func op(b *testing.B, l lib, f *fixture) func() error { return l.setup(b, f)() }

// BenchmarkInterleavedVerify: every library verifying the same token, the
// floor (crypto/rsa alone) as the baseline, interleaved per round. Run with
// -benchtime=1x: the rounds are the repetitions.
func BenchmarkInterleavedVerify(b *testing.B) {
	forEachKey(b, func(b *testing.B, f *fixture) {
		var cs []interleave.Contender
		for _, l := range peerVerifyLibs() {
			cs = append(cs, interleave.Contender{Name: l.name, Run: op(b, l, f)})
		}
		cs = append(cs,
			interleave.Contender{Name: "jwtguard-cold", Note: noteCold, Run: verifyOp(newOurs(b, newJWKSServer(b), false), f.token)()},
			interleave.Contender{Name: "jwtguard-warm", Note: noteCacheHit, Run: verifyOp(newOurs(b, newJWKSServer(b), true), f.token)()},
		)
		for b.Loop() {
			interleaveTable(b, "verify/"+f.name, cs)
		}
	})
}

// BenchmarkInterleavedHTTP: one request through each middleware, the bare
// handler as the baseline, so each row's difference is the middleware's
// cost per request.
func BenchmarkInterleavedHTTP(b *testing.B) {
	forEachKey(b, func(b *testing.B, f *fixture) {
		mw := func(tokenCache bool) func() error {
			m, err := httpmw.New(httpmw.Config{Checker: newOurs(b, newJWKSServer(b), tokenCache)})
			if err != nil {
				b.Fatal(err)
			}
			return serve(m.Handler(bareHandler), f.token)()
		}
		cs := []interleave.Contender{
			{Name: "bare", Run: serve(bareHandler, f.token)()},
			{Name: "auth0", Run: op(b, lib{"auth0", setupAuth0HTTP}, f)},
			{Name: "jwtguard-cold", Note: noteCold, Run: mw(false)},
			{Name: "jwtguard-warm", Note: noteCacheHit, Run: mw(true)},
		}
		for b.Loop() {
			interleaveTable(b, "http/"+f.name, cs)
		}
	})
}

// BenchmarkInterleavedGRPC: the unary interceptor in isolation, on the
// same in-process call path as the bare handler (no transport, whose
// microseconds of noise would hide a sub-microsecond cost), with a warm
// token.
func BenchmarkInterleavedGRPC(b *testing.B) {
	f := env.fixtures[0]
	ic, err := grpcmw.New(grpcmw.Config{Checker: newOurs(b, newJWKSServer(b), true)})
	if err != nil {
		b.Fatal(err)
	}
	unaryIC := ic.Unary()
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+f.token))
	info := &grpc.UnaryServerInfo{FullMethod: "/grpc.testing.TestService/UnaryCall"}
	req := &testgrpc.SimpleRequest{}
	handler := func(ctx context.Context, req any) (any, error) {
		return testService{}.UnaryCall(ctx, req.(*testgrpc.SimpleRequest))
	}
	errNil := errors.New("nil response")
	call := func(h func() (any, error)) func() error {
		return func() error {
			resp, err := h()
			if err == nil && resp == nil {
				return errNil
			}
			return err
		}
	}
	cs := []interleave.Contender{
		{Name: "bare", Run: call(func() (any, error) { return handler(ctx, req) })},
		{Name: "jwtguard-warm", Note: noteCacheHit, Run: call(func() (any, error) { return unaryIC(ctx, req, info, handler) })},
	}
	for b.Loop() {
		interleaveTable(b, "grpc-interceptor/"+f.name, cs)
	}
}
