package grpcmw_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
)

// bypassMethod starts with a skipped health method; grpc-go routes it on
// its last slash to service "grpc.health.v1.Health/Check/secret.Admin",
// which no server registers, so an unknown-service handler gets it.
const bypassMethod = "/grpc.health.v1.Health/Check/secret.Admin/DeleteAll"

// A proxy behind grpc.UnknownServiceHandler receives every name grpc-go
// cannot route. A name that merely starts like a skipped method must not
// reach it without a token, whichever interceptor guards it, even with
// DenyUnlisted set.
func TestUnknownServiceSkipBypass(t *testing.T) {
	for _, mode := range []string{"Stream", "AuthFunc"} {
		t.Run(mode, func(t *testing.T) {
			i, rec := newInterceptor(t, nil, grpcmw.Config{DenyUnlisted: true, Skip: grpcmw.SkipHealthAndReflection})
			stream := i.Stream()
			if mode == "AuthFunc" {
				stream = auth.StreamServerInterceptor(i.AuthFunc)
			}
			var proxied atomic.Int64
			proxy := func(_ any, ss grpc.ServerStream) error {
				proxied.Add(1)
				if err := ss.RecvMsg(&testpb.Empty{}); err != nil {
					return err
				}
				return ss.SendMsg(&testpb.Empty{})
			}
			cc, _ := startServer(t, grpc.StreamInterceptor(stream), grpc.UnknownServiceHandler(proxy))

			err := cc.Invoke(t.Context(), bypassMethod, &testpb.Empty{}, &testpb.Empty{})
			checkRefusal(t, err, codes.InvalidArgument, rec, bypassMethod, grpcmw.ErrInvalidMethod)
			if n := proxied.Load(); n != 0 {
				t.Fatalf("unknown-service handler ran %d times without a token", n)
			}

			// A well-formed unknown method still needs a token, and with
			// DenyUnlisted is refused even with one.
			err = cc.Invoke(withAuth(t.Context(), "Bearer "+token(t)), "/secret.Admin/DeleteAll", &testpb.Empty{}, &testpb.Empty{})
			if status.Code(err) != codes.PermissionDenied || proxied.Load() != 0 {
				t.Fatalf("/secret.Admin/DeleteAll = %v (proxied %d), want PermissionDenied and no call", err, proxied.Load())
			}
		})
	}
}

// transportStream names the RPC's method for grpc.Method.
type transportStream struct{ method string }

func (s transportStream) Method() string             { return s.method }
func (transportStream) SetHeader(metadata.MD) error  { return nil }
func (transportStream) SendHeader(metadata.MD) error { return nil }
func (transportStream) SetTrailer(metadata.MD) error { return nil }

// Every method name the interceptors see is checked for its exact form
// before Skip, the method table or the token: a malformed name is refused
// with InvalidArgument even when Skip would let everything through and the
// token is valid.
func TestMethodNameForm(t *testing.T) {
	tests := []struct {
		name   string
		method string
		ok     bool
	}{
		{"plain", methodUnary, true},
		{"no package", "/Service/Method", true},
		{"underscores and digits", "/a_1.b2.Svc_3/Do_it9", true},
		{"extra segment after skipped method", bypassMethod, false},
		{"extra segment", "/grpc.testing.TestService/UnaryCall/x", false},
		{"trailing slash", "/grpc.health.v1.Health/Check/", false},
		{"empty method", "/grpc.health.v1.Health/", false},
		{"empty service", "//Check", false},
		{"double slash", "//", false},
		{"slash only", "/", false},
		{"empty", "", false},
		{"no leading slash", "grpc.health.v1.Health/Check", false},
		{"two leading slashes", "//grpc.health.v1.Health/Check", false},
		{"service only", "/grpc.health.v1.Health", false},
		{"inner double slash", "/grpc.health.v1.Health//Check", false},
		{"percent-encoded slash", "/grpc.health.v1.Health/Check%2Fx", false},
		{"percent-encoded dot", "/grpc%2Ehealth.v1.Health/Check", false},
		{"dot in method", "/grpc.health.v1.Health/Check.x", false},
		{"leading dot", "/.grpc.health.v1.Health/Check", false},
		{"trailing dot", "/grpc.health.v1.Health./Check", false},
		{"double dot", "/grpc..health.v1.Health/Check", false},
		{"dot-dot segment", "/../Check", false},
		{"backslash", "/grpc.health.v1.Health\\Check/x", false},
		{"space", "/grpc.health.v1.Health/Check x", false},
		{"tab", "/grpc.health.v1.Health/Check\t", false},
		{"NUL", "/grpc.health.v1.Health/Check\x00", false},
		{"CRLF", "/grpc.health.v1.Health/Check\r\n", false},
		{"query", "/grpc.health.v1.Health/Check?x=1", false},
		{"hyphen", "/grpc-health.v1.Health/Check", false},
		{"non-ASCII", "/grpc.health.v1.Heälth/Check", false},
		{"invalid UTF-8", "/grpc.health.v1.Health/Check\xff", false},
	}
	type call func(i *grpcmw.Interceptor, ctx context.Context, method string) (ran bool, err error)
	calls := map[string]call{
		"Unary": func(i *grpcmw.Interceptor, ctx context.Context, method string) (bool, error) {
			ran := false
			_, err := i.Unary()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, func(context.Context, any) (any, error) {
				ran = true
				return nil, nil
			})
			return ran, err
		},
		"Stream": func(i *grpcmw.Interceptor, ctx context.Context, method string) (bool, error) {
			ran := false
			err := i.Stream()(nil, &fakeStream{ctx: ctx}, &grpc.StreamServerInfo{FullMethod: method}, func(any, grpc.ServerStream) error {
				ran = true
				return nil
			})
			return ran, err
		},
		"AuthFunc": func(i *grpcmw.Interceptor, ctx context.Context, method string) (bool, error) {
			ctx = grpc.NewContextWithServerTransportStream(ctx, transportStream{method})
			out, err := i.AuthFunc(ctx)
			return out != nil, err
		},
	}
	tok := token(t)
	for _, tt := range tests {
		for kind, call := range calls {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				var asked []string
				i, rec := newInterceptor(t, nil, grpcmw.Config{
					DenyUnlisted: true,
					Skip: func(_ context.Context, m string) bool {
						asked = append(asked, m)
						return true
					},
				})
				ctx := metadata.NewIncomingContext(t.Context(), metadata.Pairs("authorization", "Bearer "+tok))
				ran, err := call(i, ctx, tt.method)
				if tt.ok {
					if err != nil || !ran || len(asked) != 1 {
						t.Fatalf("%q: ran %v, err %v, Skip asked %q; want skipped and run", tt.method, ran, err, asked)
					}
					return
				}
				if ran || len(asked) != 0 {
					t.Fatalf("%q: handler ran %v, Skip asked %q; want neither", tt.method, ran, asked)
				}
				checkRefusal(t, err, codes.InvalidArgument, rec, tt.method, grpcmw.ErrInvalidMethod)
			})
		}
	}
}
