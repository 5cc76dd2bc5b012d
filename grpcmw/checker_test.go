package grpcmw_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/verify"
)

// TestNonJWTChecker plugs a Checker that is not the JWT verifier into the
// interceptors: its claims reach the handler and its refusals map to the
// same codes as the verifier's.
func TestNonJWTChecker(t *testing.T) {
	opaque := tokentest.OpaqueChecker{Tokens: map[string]verify.Claims{
		"opaque-read": {Subject: "user-1", Scopes: []string{"read"}},
	}}
	tests := []struct {
		name     string
		checker  verify.Checker
		methods  map[string]verify.ScopeRule
		auth     string
		wantCode codes.Code
	}{
		{name: "accepted", checker: opaque, auth: "Bearer opaque-read", wantCode: codes.OK},
		{name: "scope missing", checker: opaque, methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"write"}}}, auth: "Bearer opaque-read", wantCode: codes.PermissionDenied},
		{name: "prefix family missing (AnyPrefix reaches the interceptor)", checker: opaque, methods: map[string]verify.ScopeRule{methodUnary: {AnyPrefix: []string{"cx."}}}, auth: "Bearer opaque-read", wantCode: codes.PermissionDenied},
		{name: "unknown token", checker: opaque, auth: "Bearer nope", wantCode: codes.Unauthenticated},
		{name: "checker down", checker: tokentest.OpaqueChecker{Down: true}, auth: "Bearer opaque-read", wantCode: codes.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ic, err := grpcmw.New(grpcmw.Config{Checker: tt.checker, Methods: tt.methods})
			if err != nil {
				t.Fatal(err)
			}
			cc, _ := startServer(t, grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
			resp, err := testpb.NewTestServiceClient(cc).UnaryCall(withAuth(context.Background(), tt.auth), &testpb.SimpleRequest{})
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.wantCode)
			}
			if tt.wantCode == codes.OK && resp.GetUsername() != "sub=user-1 scopes=read" {
				t.Fatalf("handler saw %q", resp.GetUsername())
			}
		})
	}
}
