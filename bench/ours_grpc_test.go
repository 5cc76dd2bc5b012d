package bench

import (
	"testing"

	"google.golang.org/grpc"

	"github.com/jwtguard/jwtguard/grpcmw"
)

func oursGRPCLibs() []lib {
	return []lib{
		// grpcmw's unary interceptor with its defaults (no method listed:
		// a valid token, no scope); the token is warm in the verifier's
		// token cache after the warm-up call.
		{"jwtguard", func(b *testing.B, f *fixture) func() func() error {
			i, err := grpcmw.New(grpcmw.Config{Checker: newOurs(b, newJWKSServer(b), true)})
			if err != nil {
				b.Fatal(err)
			}
			return unary(newGRPCClient(b, grpc.UnaryInterceptor(i.Unary())), f.token)
		}},
	}
}
