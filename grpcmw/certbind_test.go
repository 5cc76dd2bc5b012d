package grpcmw_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/bindtest"
	"github.com/jwtguard/jwtguard/verify"
)

// TestCertBoundTokens sends certificate-bound, unbound and malformed-cnf
// tokens over real TLS, with and without client certificates, to servers
// that ask for certificates, that do not, and that require every token to
// be bound, through the unary and the stream interceptor.
func TestCertBoundTokens(t *testing.T) {
	f := bindtest.New(t)
	rec := &rejections{}
	addrs := map[bindtest.Server]string{}
	for _, kind := range bindtest.Servers {
		i, err := grpcmw.New(grpcmw.Config{
			Checker:            f.Checker,
			RequireCertBinding: kind == bindtest.Required,
			OnReject:           rec.record,
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(f.ServerTLS(kind))),
			grpc.ChainUnaryInterceptor(i.Unary()), grpc.ChainStreamInterceptor(i.Stream()))
		addrs[kind] = serveTCP(t, srv)
	}
	for _, tc := range f.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			conn, err := grpc.NewClient(addrs[tc.Server], grpc.WithTransportCredentials(credentials.NewTLS(f.ClientTLS(tc.Cert))))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			client := testpb.NewTestServiceClient(conn)
			ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+tc.Token)
			calls := map[string]func() (string, error){
				"unary": func() (string, error) {
					resp, err := client.UnaryCall(ctx, &testpb.SimpleRequest{})
					return resp.GetUsername(), err
				},
				"stream": func() (string, error) {
					stream, err := client.StreamingOutputCall(ctx, &testpb.StreamingOutputCallRequest{})
					if err != nil {
						return "", err
					}
					resp, err := stream.Recv()
					return string(resp.GetPayload().GetBody()), err
				},
			}
			for name, call := range calls {
				before := len(rec.all())
				who, err := call()
				got := rec.all()[before:]
				if tc.Want == "" {
					if err != nil || !strings.HasPrefix(who, "sub="+tc.Subject()+" ") || len(got) != 0 {
						t.Fatalf("%s: %q, %v (refusals %v), want sub=%s", name, who, err, got, tc.Subject())
					}
					continue
				}
				if status.Code(err) != codes.Unauthenticated {
					t.Fatalf("%s: %v, want Unauthenticated", name, err)
				}
				if len(got) != 1 || verify.ReasonOf(got[0].err) != tc.Want {
					t.Fatalf("%s: OnReject saw %v, want reason %q", name, got, tc.Want)
				}
			}
		})
	}
}
