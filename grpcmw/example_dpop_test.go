package grpcmw_test

import (
	"context"
	"fmt"
	"log"

	"google.golang.org/grpc"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// DPoP-bound tokens on gRPC: the client signs, for each call, a proof for
// "POST https://<authority><full method>" and sends it in the "dpop"
// metadata key beside "authorization: DPoP <token>". The same token sent
// as a Bearer token is refused.
func ExampleConfig_dPoP() {
	iss, v, done := exampleSetup()
	defer done()
	iss.AddClient(issuertest.Client{ID: "app", Secret: "secret"})

	dv, err := dpop.NewVerifier(dpop.Config{Origin: "https://api.example.com"})
	if err != nil {
		log.Fatal(err)
	}
	i, err := grpcmw.New(grpcmw.Config{Checker: v, DPoP: dv,
		OnReject: func(_ context.Context, r verify.Rejection) { fmt.Printf("  (OnReject: %s)\n", r.Reason) }})
	if err != nil {
		log.Fatal(err)
	}
	cc, stop := serve(grpc.NewServer(grpc.ChainUnaryInterceptor(i.Unary())))
	defer stop()

	client := issuertest.NewDPoPClient(nil)
	token, err := client.Token(iss.Client(), iss, "app", "secret")
	if err != nil {
		log.Fatal(err)
	}
	const htu = "https://api.example.com/grpc.testing.TestService/UnaryCall"
	for _, c := range []struct {
		name string
		md   []string
	}{
		{"DPoP with proof", []string{"authorization", "DPoP " + token, "dpop", client.Proof("POST", htu, token)}},
		{"as Bearer", []string{"authorization", "Bearer " + token}},
	} {
		ctx := metadata.AppendToOutgoingContext(context.Background(), c.md...)
		resp, err := testpb.NewTestServiceClient(cc).UnaryCall(ctx, &testpb.SimpleRequest{})
		if err != nil {
			st := status.Convert(err)
			fmt.Printf("%s: %v: %s\n", c.name, st.Code(), st.Message())
			continue
		}
		fmt.Printf("%s: %s\n", c.name, resp.GetUsername())
	}
	// Output:
	// DPoP with proof: hello app
	//   (OnReject: binding_mismatch)
	// as Bearer: Unauthenticated: missing or invalid token
}
