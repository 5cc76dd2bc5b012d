package grpcmw_test

import (
	"context"
	"errors"
	"testing"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/verify"
)

// AuthFunc behind go-grpc-middleware's auth interceptors applies the same
// rules as Unary and Stream, taking the method from the RPC's context.
func TestAuthFunc(t *testing.T) {
	methods := map[string]verify.ScopeRule{
		methodUnary:  {AllOf: []string{"sms.read"}},
		methodDuplex: {AllOf: []string{"events.read"}},
	}
	tests := []struct {
		name    string
		method  string
		deny    bool
		auth    []string
		skip    bool
		want    codes.Code
		wantIs  error
		wantWho string
	}{
		{name: "unary no token", method: methodUnary, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "unary bad token", method: methodUnary, auth: []string{"Bearer x.y.z"}, want: codes.Unauthenticated, wantIs: verify.ErrMalformed},
		{name: "unary missing scope", method: methodUnary, auth: []string{"Bearer " + token(t, "events.read")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "unary ok", method: methodUnary, auth: []string{"Bearer " + token(t, "sms.read")}, want: codes.OK, wantWho: "sub=client-1 scopes=sms.read"},
		{name: "unary skipped", method: methodUnary, skip: true, want: codes.OK, wantWho: "anonymous"},
		{name: "stream no token", method: methodDuplex, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "stream missing scope", method: methodDuplex, auth: []string{"Bearer " + token(t, "sms.read")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "stream ok", method: methodDuplex, auth: []string{"Bearer " + token(t, "events.read")}, want: codes.OK, wantWho: "sub=client-1 scopes=events.read"},
		{name: "stream unlisted denied", method: methodOutput, deny: true, auth: []string{"Bearer " + token(t, "events.read")}, want: codes.PermissionDenied, wantIs: grpcmw.ErrUnlistedMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := grpcmw.Config{Methods: methods, DenyUnlisted: tt.deny}
			if tt.skip {
				cfg.Skip = func(_ context.Context, m string) bool { return m == tt.method }
			}
			i, rec := newInterceptor(t, nil, cfg)
			cc, _ := startServer(t,
				grpc.UnaryInterceptor(auth.UnaryServerInterceptor(i.AuthFunc)),
				grpc.StreamInterceptor(auth.StreamServerInterceptor(i.AuthFunc)))
			client := testpb.NewTestServiceClient(cc)
			ctx := withAuth(t.Context(), tt.auth...)
			var got string
			var err error
			if tt.method == methodUnary {
				var resp *testpb.SimpleResponse
				resp, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
				got = resp.GetUsername()
			} else {
				var msgs []string
				msgs, err = openStream(ctx, client, tt.method)
				if len(msgs) > 0 {
					got = msgs[0]
				}
			}
			checkRefusal(t, err, tt.want, rec, tt.method, tt.wantIs)
			if got != tt.wantWho {
				t.Errorf("handler saw %q, want %q", got, tt.wantWho)
			}
		})
	}
}

// Outside an RPC the method, and so its requirement, is unknown: AuthFunc
// refuses rather than guess.
func TestAuthFuncWithoutMethod(t *testing.T) {
	i, rec := newInterceptor(t, nil, grpcmw.Config{Skip: func(context.Context, string) bool { return true }})
	ctx, err := i.AuthFunc(withAuth(t.Context(), "Bearer "+token(t)))
	if ctx != nil || status.Code(err) != codes.Internal || status.Convert(err).Message() != "internal error" {
		t.Fatalf("AuthFunc = %v, %v; want nil, Internal", ctx, err)
	}
	if r := rec.all(); len(r) != 1 || !errors.Is(r[0].err, grpcmw.ErrNoMethod) || r[0].method != "" {
		t.Errorf("OnReject = %v, want one ErrNoMethod", r)
	}
}
