package grpcmw_test

import (
	"context"
	"fmt"
	"log"
	"net"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// exampleSetup starts a local test issuer and a verifier for its tokens,
// as a service would for id.wgtwo.com. The returned func closes both.
func exampleSetup() (*issuertest.Server, *verify.Verifier, func()) {
	const audience = "https://api.example.com/"
	iss := issuertest.NewServer(issuertest.Config{Audience: []string{audience}})
	keys, err := jwks.New(context.Background(), jwks.Config{URL: iss.JWKSURL(), InsecureAllowHTTP: true})
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: iss.Issuer(), Keys: keys}},
		Audiences: []string{audience},
	})
	if err != nil {
		log.Fatal(err)
	}
	return iss, v, func() { keys.Close(); iss.Close() }
}

// greeter answers UnaryCall with the verified caller.
type greeter struct {
	testpb.UnimplementedTestServiceServer
}

func (greeter) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	c, _ := verify.FromContext(ctx)
	return &testpb.SimpleResponse{Username: "hello " + c.Subject}, nil
}

// serve runs srv (with the greeter and the health service) on an in-memory
// listener and returns a client connection; the func stops both.
func serve(srv *grpc.Server) (*grpc.ClientConn, func()) {
	testpb.RegisterTestServiceServer(srv, greeter{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	lis := bufconn.Listen(1 << 20)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	cc, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	return cc, func() { cc.Close(); srv.Stop(); <-done }
}

// callExample invokes UnaryCall with token (none when "") and prints the outcome.
func callExample(cc *grpc.ClientConn, token string) {
	ctx := context.Background()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	resp, err := testpb.NewTestServiceClient(cc).UnaryCall(ctx, &testpb.SimpleRequest{})
	if err != nil {
		st := status.Convert(err)
		fmt.Printf("%v: %s\n", st.Code(), st.Message())
		return
	}
	fmt.Println(resp.GetUsername())
}

// Unary and stream interceptors with a scope per method. The health
// service is skipped; every other method needs a valid token, and
// UnaryCall also needs its scope. Refusals carry a fixed message; the exact
// reason goes to OnReject.
func Example() {
	iss, v, done := exampleSetup()
	defer done()

	i, err := grpcmw.New(grpcmw.Config{
		Checker: v,
		Methods: map[string]verify.ScopeRule{
			"/grpc.testing.TestService/UnaryCall": {AllOf: []string{"sms.text:send_to_subscriber"}},
		},
		Skip: grpcmw.SkipHealthAndReflection,
		OnReject: func(_ context.Context, r verify.Rejection) {
			// Reason is the verifier's reason code, "" when the
			// interceptor refused before the verifier ran.
			fmt.Printf("  (OnReject: %s: %s %q)\n", r.Method, r.Outcome, r.Reason)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	cc, stop := serve(grpc.NewServer(
		grpc.ChainUnaryInterceptor(i.Unary()),
		grpc.ChainStreamInterceptor(i.Stream()),
	))
	defer stop()

	callExample(cc, "")
	callExample(cc, iss.AccessToken("my-client", "subscription.read"))
	callExample(cc, iss.AccessToken("my-client", "sms.text:send_to_subscriber"))
	h, err := healthpb.NewHealthClient(cc).Check(context.Background(), &healthpb.HealthCheckRequest{})
	fmt.Println("health:", h.GetStatus(), err)
	// Output:
	//   (OnReject: /grpc.testing.TestService/UnaryCall: missing_token "")
	// Unauthenticated: missing or invalid token
	//   (OnReject: /grpc.testing.TestService/UnaryCall: insufficient_scope "insufficient_scope")
	// PermissionDenied: insufficient scope
	// hello my-client
	// health: SERVING <nil>
}

// For servers that already compose with go-grpc-middleware: AuthFunc has
// the auth.AuthFunc shape and applies the same rules.
func ExampleInterceptor_AuthFunc() {
	iss, v, done := exampleSetup()
	defer done()

	i, err := grpcmw.New(grpcmw.Config{Checker: v, DenyUnlisted: true, Methods: map[string]verify.ScopeRule{
		"/grpc.testing.TestService/UnaryCall": {}, // any valid token
	}})
	if err != nil {
		log.Fatal(err)
	}
	cc, stop := serve(grpc.NewServer(
		grpc.ChainUnaryInterceptor(auth.UnaryServerInterceptor(i.AuthFunc)),
		grpc.ChainStreamInterceptor(auth.StreamServerInterceptor(i.AuthFunc)),
	))
	defer stop()

	callExample(cc, "")
	callExample(cc, iss.AccessToken("my-client"))
	// Output:
	// Unauthenticated: missing or invalid token
	// hello my-client
}

// Scopes declared in .proto files, as wgtwo does with
//
//	rpc UnaryCall(…) returns (…) { option (wgtwo.scope) = "sms.text:send_to_subscriber"; }
//
// With generated code, pass protoregistry.GlobalFiles (or nil) and the
// generated extension, e.g. annotations.E_Scope. Here the descriptors are
// written out so that the example runs without generated code.
func ExampleMethodScopes() {
	files := new(protoregistry.Files)
	_ = files.RegisterFile(descriptorpb.File_google_protobuf_descriptor_proto)

	// wgtwo/annotations/annotations.proto:
	//   extend google.protobuf.MethodOptions { string scope = 50013; }
	annotations := mustFile(files, nil, `
		name: "wgtwo/annotations/annotations.proto" package: "wgtwo" syntax: "proto3"
		dependency: "google/protobuf/descriptor.proto"
		extension { name: "scope" number: 50013 label: LABEL_OPTIONAL type: TYPE_STRING
		            extendee: ".google.protobuf.MethodOptions" }`)
	scope := dynamicpb.NewExtensionType(annotations.Extensions().Get(0))

	var types protoregistry.Types
	_ = types.RegisterExtension(scope)
	mustFile(files, &types, `
		name: "example/sms.proto" package: "example.sms.v1" syntax: "proto3"
		dependency: "wgtwo/annotations/annotations.proto"
		message_type { name: "Msg" }
		service { name: "SmsService"
		  method { name: "SendText" input_type: ".example.sms.v1.Msg" output_type: ".example.sms.v1.Msg"
		           options { [wgtwo.scope]: "sms.text:send_to_subscriber" } }
		  method { name: "Events" input_type: ".example.sms.v1.Msg" output_type: ".example.sms.v1.Msg"
		           server_streaming: true options { [wgtwo.scope]: "" } }
		  method { name: "Internal" input_type: ".example.sms.v1.Msg" output_type: ".example.sms.v1.Msg" } }`)

	methods, err := grpcmw.MethodScopes(files, scope)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"/example.sms.v1.SmsService/SendText", "/example.sms.v1.SmsService/Events", "/example.sms.v1.SmsService/Internal"} {
		s, listed := methods[name]
		fmt.Printf("%s listed=%v scopes=%q\n", name, listed, s.AllOf)
	}
	// Use it as Config{Methods: methods, DenyUnlisted: true}.

	// Output:
	// /example.sms.v1.SmsService/SendText listed=true scopes=["sms.text:send_to_subscriber"]
	// /example.sms.v1.SmsService/Events listed=true scopes=[]
	// /example.sms.v1.SmsService/Internal listed=false scopes=[]
}

// mustFile parses a FileDescriptorProto in text format (resolving option
// extensions with types), builds it against files and registers it.
func mustFile(files *protoregistry.Files, types *protoregistry.Types, text string) protoreflect.FileDescriptor {
	fdp := &descriptorpb.FileDescriptorProto{}
	opts := prototext.UnmarshalOptions{}
	if types != nil {
		opts.Resolver = types
	}
	if err := opts.Unmarshal([]byte(text), fdp); err != nil {
		log.Fatal(err)
	}
	fd, err := protodesc.NewFile(fdp, files)
	if err != nil {
		log.Fatal(err)
	}
	if err := files.RegisterFile(fd); err != nil {
		log.Fatal(err)
	}
	return fd
}
