package grpcmw_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/verify"
)

// annotationsFile declares wgtwo's method option, as
// wgtwo/annotations/annotations.proto does:
//
//	extend google.protobuf.MethodOptions { string scope = 50013; }
//
// extendee, kind and label vary it for the error cases.
func annotationsFile(name, extendee string, typ descriptorpb.FieldDescriptorProto_Type, label descriptorpb.FieldDescriptorProto_Label) *descriptorpb.FileDescriptorProto {
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String(name),
		Package:    proto.String("wgtwo"),
		Dependency: []string{"google/protobuf/descriptor.proto"},
		Syntax:     proto.String("proto3"),
		Extension: []*descriptorpb.FieldDescriptorProto{{
			Name:     proto.String("scope"),
			JsonName: proto.String("scope"),
			Number:   proto.Int32(50013),
			Label:    label.Enum(),
			Type:     typ.Enum(),
			Extendee: proto.String(extendee),
		}},
	}
}

// baseFiles holds the files the test descriptors import.
func baseFiles(t *testing.T) *protoregistry.Files {
	t.Helper()
	files := new(protoregistry.Files)
	for _, fd := range []protoreflect.FileDescriptor{descriptorpb.File_google_protobuf_descriptor_proto, emptypb.File_google_protobuf_empty_proto} {
		if err := files.RegisterFile(fd); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// wgtwoScope registers the annotations file in files and returns the
// wgtwo.scope extension as a dynamic type.
func wgtwoScope(t *testing.T, files *protoregistry.Files) protoreflect.ExtensionType {
	t.Helper()
	fd, err := protodesc.NewFile(annotationsFile("wgtwo/annotations/annotations.proto", ".google.protobuf.MethodOptions",
		descriptorpb.FieldDescriptorProto_TYPE_STRING, descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL), files)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.RegisterFile(fd); err != nil {
		t.Fatal(err)
	}
	return dynamicpb.NewExtensionType(fd.Extensions().Get(0))
}

// scopeOption is one method of the test service and its option value
// (absent when !set).
type scopeOption struct {
	method      string
	value       string
	set         bool
	client, srv bool // streaming
}

// serviceFile declares service grpc.testing.TestService (the name the
// interop server registers) whose methods carry ext as the options say.
func serviceFile(t *testing.T, ext protoreflect.ExtensionType, methods []scopeOption) *descriptorpb.FileDescriptorProto {
	t.Helper()
	svc := &descriptorpb.ServiceDescriptorProto{Name: proto.String("TestService")}
	for _, m := range methods {
		md := &descriptorpb.MethodDescriptorProto{
			Name:            proto.String(m.method),
			InputType:       proto.String(".google.protobuf.Empty"),
			OutputType:      proto.String(".google.protobuf.Empty"),
			ClientStreaming: proto.Bool(m.client),
			ServerStreaming: proto.Bool(m.srv),
		}
		if m.set {
			md.Options = &descriptorpb.MethodOptions{}
			proto.SetExtension(md.Options, ext, m.value)
		}
		svc.Method = append(svc.Method, md)
	}
	return &descriptorpb.FileDescriptorProto{
		Name:       proto.String("grpc/testing/scoped.proto"),
		Package:    proto.String("grpc.testing"),
		Dependency: []string{"wgtwo/annotations/annotations.proto", "google/protobuf/empty.proto"},
		Syntax:     proto.String("proto3"),
		Service:    []*descriptorpb.ServiceDescriptorProto{svc},
	}
}

// register builds fdp against files and registers it there.
func register(t *testing.T, files *protoregistry.Files, fdp *descriptorpb.FileDescriptorProto) {
	t.Helper()
	fd, err := protodesc.NewFile(fdp, files)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.RegisterFile(fd); err != nil {
		t.Fatal(err)
	}
}

// wgtwoMethods are the interop service's methods annotated as wgtwo does.
var wgtwoMethods = []scopeOption{
	{method: "UnaryCall", value: "sms.text:send_from_subscriber", set: true},
	{method: "EmptyCall", value: "", set: true}, // token-only, like wgtwo's events/v0
	{method: "StreamingOutputCall", value: "events.sms.subscribe  events.voice.subscribe", set: true, srv: true},
	{method: "FullDuplexCall", client: true, srv: true}, // no option: unlisted
}

var wantWgtwoTable = map[string]verify.ScopeRule{
	methodUnary:  {AllOf: []string{"sms.text:send_from_subscriber"}},
	methodEmpty:  {},
	methodOutput: {AllOf: []string{"events.sms.subscribe", "events.voice.subscribe"}},
}

func equalTables(a, b map[string]verify.ScopeRule) bool {
	return maps.EqualFunc(a, b, func(x, y verify.ScopeRule) bool {
		return slices.Equal(x.AllOf, y.AllOf) && slices.Equal(x.AnyOf, y.AnyOf)
	})
}

func TestMethodScopes(t *testing.T) {
	t.Run("known extension", func(t *testing.T) {
		files := baseFiles(t)
		ext := wgtwoScope(t, files)
		register(t, files, serviceFile(t, ext, wgtwoMethods))
		got, err := grpcmw.MethodScopes(files, ext)
		if err != nil {
			t.Fatal(err)
		}
		if !equalTables(got, wantWgtwoTable) {
			t.Fatalf("MethodScopes = %v, want %v", got, wantWgtwoTable)
		}
		if _, listed := got[methodDuplex]; listed {
			t.Errorf("method without the option is listed")
		}
	})
	t.Run("another type for the same extension", func(t *testing.T) {
		// Options set through one Go type for wgtwo.scope (say the
		// generated annotations.E_Scope) are read through another (say a
		// dynamicpb type built from a FileDescriptorSet).
		files := baseFiles(t)
		ext := wgtwoScope(t, files)
		register(t, files, serviceFile(t, ext, wgtwoMethods))
		other := dynamicpb.NewExtensionType(ext.TypeDescriptor().Descriptor())
		got, err := grpcmw.MethodScopes(files, other)
		if err != nil {
			t.Fatal(err)
		}
		if !equalTables(got, wantWgtwoTable) {
			t.Fatalf("MethodScopes = %v, want %v", got, wantWgtwoTable)
		}
	})
	t.Run("option left as unknown bytes", func(t *testing.T) {
		// Descriptors parsed without the extension registered (e.g.
		// loaded from a FileDescriptorSet) keep the option as unknown
		// fields; MethodScopes must still find it.
		files := baseFiles(t)
		ext := wgtwoScope(t, files)
		b, err := proto.Marshal(serviceFile(t, ext, wgtwoMethods))
		if err != nil {
			t.Fatal(err)
		}
		fdp := &descriptorpb.FileDescriptorProto{}
		if err := (proto.UnmarshalOptions{Resolver: new(protoregistry.Types)}).Unmarshal(b, fdp); err != nil {
			t.Fatal(err)
		}
		opts := fdp.Service[0].Method[0].Options
		if proto.HasExtension(opts, ext) || len(opts.ProtoReflect().GetUnknown()) == 0 {
			t.Fatal("test setup: option is not stored as unknown bytes")
		}
		register(t, files, fdp)
		got, err := grpcmw.MethodScopes(files, ext)
		if err != nil {
			t.Fatal(err)
		}
		if !equalTables(got, wantWgtwoTable) {
			t.Fatalf("MethodScopes = %v, want %v", got, wantWgtwoTable)
		}
	})
	t.Run("global registry", func(t *testing.T) {
		// The interop service in protoregistry.GlobalFiles has no
		// wgtwo.scope options, so nothing is listed; nil means global.
		got, err := grpcmw.MethodScopes(nil, wgtwoScope(t, baseFiles(t)))
		if err != nil || len(got) != 0 {
			t.Fatalf("MethodScopes(nil) = %v, %v; want an empty table", got, err)
		}
	})
}

func TestMethodScopesErrors(t *testing.T) {
	extOf := func(t *testing.T, extendee string, typ descriptorpb.FieldDescriptorProto_Type, label descriptorpb.FieldDescriptorProto_Label) protoreflect.ExtensionType {
		fd, err := protodesc.NewFile(annotationsFile("bad.proto", extendee, typ, label), baseFiles(t))
		if err != nil {
			t.Fatal(err)
		}
		return dynamicpb.NewExtensionType(fd.Extensions().Get(0))
	}
	const (
		str = descriptorpb.FieldDescriptorProto_TYPE_STRING
		opt = descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	)
	tests := []struct {
		name    string
		ext     func(t *testing.T) protoreflect.ExtensionType
		value   string // option value on UnaryCall, when ext is nil
		wantErr string
	}{
		{name: "nil extension", ext: func(*testing.T) protoreflect.ExtensionType { return nil }, wantErr: "nil extension"},
		{name: "extends FieldOptions", ext: func(t *testing.T) protoreflect.ExtensionType {
			return extOf(t, ".google.protobuf.FieldOptions", str, opt)
		}, wantErr: "extends google.protobuf.FieldOptions"},
		{name: "int32 option", ext: func(t *testing.T) protoreflect.ExtensionType {
			return extOf(t, ".google.protobuf.MethodOptions", descriptorpb.FieldDescriptorProto_TYPE_INT32, opt)
		}, wantErr: "not a singular string"},
		{name: "repeated string option", ext: func(t *testing.T) protoreflect.ExtensionType {
			return extOf(t, ".google.protobuf.MethodOptions", str, descriptorpb.FieldDescriptorProto_LABEL_REPEATED)
		}, wantErr: "not a singular string"},
		{name: "tab in value", value: "a\tb", wantErr: `/grpc.testing.TestService/UnaryCall option wgtwo.scope: value "a\tb"`},
		{name: "non-ASCII value", value: "sms.läs", wantErr: "visible ASCII"},
		{name: "only spaces", value: "   ", wantErr: "only spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := baseFiles(t)
			var ext protoreflect.ExtensionType
			if tt.ext != nil {
				ext = tt.ext(t)
			} else {
				ext = wgtwoScope(t, files)
				register(t, files, serviceFile(t, ext, []scopeOption{{method: "UnaryCall", value: tt.value, set: true}}))
			}
			got, err := grpcmw.MethodScopes(files, ext)
			if err == nil || !strings.HasPrefix(err.Error(), "grpcmw: MethodScopes: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("MethodScopes = %v, %v; want an error containing %q", got, err, tt.wantErr)
			}
		})
	}
}

// The table MethodScopes reads from the options drives a real server.
func TestMethodScopesEnforced(t *testing.T) {
	files := baseFiles(t)
	ext := wgtwoScope(t, files)
	register(t, files, serviceFile(t, ext, wgtwoMethods))
	table, err := grpcmw.MethodScopes(files, ext)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := newInterceptor(t, nil, grpcmw.Config{Methods: table, DenyUnlisted: true})
	cc, _ := startServer(t, grpc.UnaryInterceptor(i.Unary()), grpc.StreamInterceptor(i.Stream()))
	client := testpb.NewTestServiceClient(cc)
	tests := []struct {
		name   string
		method string
		scopes []string
		want   codes.Code
	}{
		{"unary with its scope", methodUnary, []string{"sms.text:send_from_subscriber"}, codes.OK},
		{"unary without", methodUnary, []string{"sms.text:send_to_subscriber"}, codes.PermissionDenied},
		{"empty option is token-only", methodEmpty, nil, codes.OK},
		{"stream with both scopes", methodOutput, []string{"events.voice.subscribe", "events.sms.subscribe"}, codes.OK},
		{"stream with one of two", methodOutput, []string{"events.sms.subscribe"}, codes.PermissionDenied},
		{"no option, deny unlisted", methodDuplex, []string{"events.sms.subscribe", "events.voice.subscribe", "sms.text:send_from_subscriber"}, codes.PermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := withAuth(t.Context(), "Bearer "+token(t, tt.scopes...))
			var err error
			switch tt.method {
			case methodUnary:
				_, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
			case methodEmpty:
				_, err = client.EmptyCall(ctx, &testpb.Empty{})
			default:
				_, err = openStream(ctx, client, tt.method)
			}
			if got := status.Code(err); got != tt.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}
