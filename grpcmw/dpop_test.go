package grpcmw_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

var _ grpcmw.DPoPChecker = (*dpop.Verifier)(nil)

// The htu a client signs for a call over startServer's bufconn client,
// whose :authority is "bufconn".
const (
	htuUnary  = "https://bufconn/grpc.testing.TestService/UnaryCall"
	htuStream = "https://bufconn/grpc.testing.TestService/StreamingOutputCall"
)

// TestDPoP calls a server in each DPoP mode with DPoP-bound and plain
// tokens, through the unary and the stream interceptor, with proofs
// signed by issuertest.DPoPClient.
func TestDPoP(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	st := e2etest.New(t, e2etest.Options{Issuer: issuertest.Config{Now: clock}, Verify: verify.Config{Now: clock}})
	st.Issuer.AddClient(issuertest.Client{ID: "app", Secret: "secret", Scopes: []string{"read"}})
	cl, thief := issuertest.NewDPoPClient(clock), issuertest.NewDPoPClient(clock)
	bound, err := cl.Token(st.Issuer.Client(), st.Issuer, "app", "secret")
	if err != nil {
		t.Fatal(err)
	}
	plain := st.Issuer.IssueAccessToken("app")
	dv, err := dpop.NewVerifier(dpop.Config{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	rec := &rejections{}
	clients := map[grpcmw.DPoPMode]testpb.TestServiceClient{}
	for _, mode := range []grpcmw.DPoPMode{grpcmw.DPoPAllowed, grpcmw.DPoPRequired, grpcmw.DPoPDisabled} {
		i, err := grpcmw.New(grpcmw.Config{Checker: st.Verifier, DPoP: dv, DPoPMode: mode, OnReject: rec.record})
		if err != nil {
			t.Fatal(err)
		}
		cc, _ := startServer(t, grpc.ChainUnaryInterceptor(i.Unary()), grpc.ChainStreamInterceptor(i.Stream()))
		clients[mode] = testpb.NewTestServiceClient(cc)
	}
	// perMethod is a server whose mode is Allowed except for UnaryCall,
	// which requires DPoP (Config.DPoPMethods).
	const perMethod = grpcmw.DPoPDisabled + 1
	pm, err := grpcmw.New(grpcmw.Config{Checker: st.Verifier, DPoP: dv, OnReject: rec.record,
		DPoPMethods: map[string]grpcmw.DPoPMode{methodUnary: grpcmw.DPoPRequired}})
	if err != nil {
		t.Fatal(err)
	}
	pmcc, _ := startServer(t, grpc.ChainUnaryInterceptor(pm.Unary()), grpc.ChainStreamInterceptor(pm.Stream()))
	clients[perMethod] = testpb.NewTestServiceClient(pmcc)
	replayed := cl.Proof("POST", htuUnary, bound)
	dpopMD := func(tok string, proofs ...string) []string {
		kv := []string{"authorization", "DPoP " + tok}
		for _, p := range proofs {
			kv = append(kv, "dpop", p)
		}
		return kv
	}
	tests := []struct {
		name   string
		mode   grpcmw.DPoPMode
		stream bool
		md     func() []string
		want   error // nil: accepted; else a sentinel or a reason
		reason verify.Reason
	}{
		{name: "dpop unary", md: func() []string { return dpopMD(bound, cl.Proof("POST", htuUnary, bound)) }},
		{name: "dpop stream", stream: true, md: func() []string { return dpopMD(bound, cl.Proof("POST", htuStream, bound)) }},
		{name: "dpop required", mode: grpcmw.DPoPRequired, md: func() []string { return dpopMD(bound, cl.Proof("POST", htuUnary, bound)) }},
		{name: "host letter case and default port", md: func() []string {
			return dpopMD(bound, cl.Proof("POST", "HTTPS://BUFCONN:443/grpc.testing.TestService/UnaryCall", bound))
		}},
		{name: "first use of a proof", md: func() []string { return dpopMD(bound, replayed) }},
		{name: "replayed proof", md: func() []string { return dpopMD(bound, replayed) }, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof for another method", md: func() []string {
			return dpopMD(bound, cl.Proof("POST", "https://bufconn/grpc.testing.TestService/EmptyCall", bound))
		}, reason: verify.ReasonInvalidDPoPProof},
		{name: "stream proof for the unary method", stream: true, md: func() []string { return dpopMD(bound, cl.Proof("POST", htuUnary, bound)) }, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof for another authority", md: func() []string {
			return dpopMD(bound, cl.Proof("POST", "https://api.example.com/grpc.testing.TestService/UnaryCall", bound))
		}, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof with htm GET", md: func() []string { return dpopMD(bound, cl.Proof("GET", htuUnary, bound)) }, reason: verify.ReasonInvalidDPoPProof},
		{name: "no proof", md: func() []string { return dpopMD(bound) }, reason: verify.ReasonInvalidDPoPProof},
		{name: "two proofs", md: func() []string {
			return dpopMD(bound, cl.Proof("POST", htuUnary, bound), cl.Proof("POST", htuUnary, bound))
		}, reason: verify.ReasonInvalidDPoPProof},
		{name: "thief's proof", md: func() []string { return dpopMD(bound, thief.Proof("POST", htuUnary, bound)) }, reason: verify.ReasonBindingMismatch},
		{name: "plain token with a proof", md: func() []string { return dpopMD(plain, cl.Proof("POST", htuUnary, plain)) }, reason: verify.ReasonBindingMismatch},
		{name: "bound token as Bearer", md: func() []string { return []string{"authorization", "Bearer " + bound} }, reason: verify.ReasonBindingMismatch},
		{name: "bound token as Bearer, stream", stream: true, md: func() []string { return []string{"authorization", "Bearer " + bound} }, reason: verify.ReasonBindingMismatch},
		{name: "bound token as Bearer, disabled", mode: grpcmw.DPoPDisabled, md: func() []string { return []string{"authorization", "Bearer " + bound} }, reason: verify.ReasonBindingMismatch},
		{name: "plain Bearer", md: func() []string { return []string{"authorization", "Bearer " + plain} }},
		{name: "plain Bearer, stream", stream: true, md: func() []string { return []string{"authorization", "Bearer " + plain} }},
		{name: "plain Bearer, disabled", mode: grpcmw.DPoPDisabled, md: func() []string { return []string{"authorization", "Bearer " + plain} }},
		{name: "plain Bearer, required", mode: grpcmw.DPoPRequired, md: func() []string { return []string{"authorization", "Bearer " + plain} }, want: grpcmw.ErrMissingToken},
		{name: "dpop, disabled", mode: grpcmw.DPoPDisabled, md: func() []string { return dpopMD(bound, cl.Proof("POST", htuUnary, bound)) }, want: grpcmw.ErrMissingToken},
		{name: "per-method required: plain Bearer refused", mode: perMethod, md: func() []string { return []string{"authorization", "Bearer " + plain} }, want: grpcmw.ErrMissingToken},
		{name: "per-method required: DPoP accepted", mode: perMethod, md: func() []string { return dpopMD(bound, cl.Proof("POST", htuUnary, bound)) }},
		{name: "per-method: other method takes Bearer", mode: perMethod, stream: true, md: func() []string { return []string{"authorization", "Bearer " + plain} }},
		{name: "DPoP without a token", md: func() []string { return []string{"authorization", "DPoP"} }, want: grpcmw.ErrInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := metadata.AppendToOutgoingContext(t.Context(), tc.md()...)
			before := len(rec.all())
			err := callDPoP(ctx, clients[tc.mode], tc.stream)
			got := rec.all()[before:]
			if tc.want == nil && tc.reason == "" {
				if err != nil || len(got) != 0 {
					t.Fatalf("err %v, refusals %v; want accepted", err, got)
				}
				return
			}
			if status.Code(err) != codes.Unauthenticated || status.Convert(err).Message() != "missing or invalid token" {
				t.Fatalf("err %v, want Unauthenticated with the fixed message", err)
			}
			if len(got) != 1 {
				t.Fatalf("OnReject saw %v, want one refusal", got)
			}
			if tc.want != nil && !errors.Is(got[0].err, tc.want) {
				t.Fatalf("OnReject saw %v, want %v", got[0].err, tc.want)
			}
			if tc.reason != "" && verify.ReasonOf(got[0].err) != tc.reason {
				t.Fatalf("OnReject saw %v, want reason %q", got[0].err, tc.reason)
			}
		})
	}
}

// callDPoP makes a unary call, or opens a server stream and reads its
// first message, and returns the error.
func callDPoP(ctx context.Context, c testpb.TestServiceClient, stream bool) error {
	if !stream {
		_, err := c.UnaryCall(ctx, &testpb.SimpleRequest{})
		return err
	}
	s, err := c.StreamingOutputCall(ctx, &testpb.StreamingOutputCallRequest{})
	if err != nil {
		return err
	}
	_, err = s.Recv()
	return err
}

func TestNewRefusesBadDPoPConfig(t *testing.T) {
	var nilVerifier *dpop.Verifier
	for name, cfg := range map[string]grpcmw.Config{
		"unknown mode":         {Checker: newVerifier(t, staticKeys(t)), DPoPMode: grpcmw.DPoPDisabled + 1},
		"nil dpop pointer":     {Checker: newVerifier(t, staticKeys(t)), DPoP: nilVerifier},
		"methods without dpop": {Checker: newVerifier(t, staticKeys(t)), DPoPMethods: map[string]grpcmw.DPoPMode{methodUnary: grpcmw.DPoPRequired}},
		"malformed method name": {Checker: newVerifier(t, staticKeys(t)), DPoP: &dpop.Verifier{},
			DPoPMethods: map[string]grpcmw.DPoPMode{"/a/b/c": grpcmw.DPoPRequired}},
		"unknown per-method mode": {Checker: newVerifier(t, staticKeys(t)), DPoP: &dpop.Verifier{},
			DPoPMethods: map[string]grpcmw.DPoPMode{methodUnary: grpcmw.DPoPDisabled + 1}},
	} {
		if _, err := grpcmw.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
