package grpcmw_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/verify"
)

// TestDPoPBoundWithoutDPoP: an interceptor without Config.DPoP cannot
// check a proof of possession, so a token bound to a DPoP key is refused
// rather than accepted as a bearer token; unbound tokens are unaffected.
func TestDPoPBoundWithoutDPoP(t *testing.T) {
	bound := claims("read")
	bound["cnf"] = map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
	var mu sync.Mutex
	var rejected error
	ic, err := grpcmw.New(grpcmw.Config{Checker: newVerifier(t, staticKeys(t)),
		OnReject: func(_ context.Context, r verify.Rejection) { mu.Lock(); rejected = r.Err; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	cc, _ := startServer(t, grpc.ChainUnaryInterceptor(ic.Unary()))
	client := testpb.NewTestServiceClient(cc)
	tests := []struct {
		name  string
		token string
		want  codes.Code
	}{
		{"unbound token", token(t, "read"), codes.OK},
		{"DPoP-bound token as Bearer", sign(t, testkeys.RSA2048(0), testKID, bound), codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			rejected = nil
			mu.Unlock()
			_, err := client.UnaryCall(withAuth(context.Background(), "Bearer "+tt.token), &testpb.SimpleRequest{})
			if got := status.Code(err); got != tt.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if tt.want != codes.OK && !errors.Is(rejected, verify.ErrBindingMismatch) {
				t.Fatalf("OnReject saw %v, want binding_mismatch", rejected)
			}
		})
	}
}
