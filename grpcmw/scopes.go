package grpcmw

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/jwtguard/jwtguard/verify"
)

const methodOptions protoreflect.FullName = "google.protobuf.MethodOptions"

// MethodScopes builds a [Config.Methods] table from a string method option
// declared in .proto files, such as wgtwo's
//
//	extend google.protobuf.MethodOptions { string scope = 50013; }
//	rpc SendTextFromSubscriber(…) returns (…) { option (wgtwo.scope) = "sms.text:send_from_subscriber"; }
//
// It visits every method of every service in files (nil means
// protoregistry.GlobalFiles, where generated code registers itself) and
// reads ext from the method's options:
//
//   - a non-empty value lists the scopes the method needs, separated by
//     spaces; a token must carry all of them (verify.ScopeRule.AllOf);
//   - an empty value ("") gives a token-only entry: any valid token;
//   - a method without the option is not listed, so Config.DenyUnlisted
//     decides what happens to it.
//
// ext must extend google.protobuf.MethodOptions with a singular string
// field: the generated extension (e.g. annotations.E_Scope) or one built
// with dynamicpb.NewExtensionType. The option is found whether or not ext
// was registered when the descriptors were loaded. MethodScopes refuses a
// value holding anything but visible ASCII and spaces, or only spaces,
// naming the method.
func MethodScopes(files *protoregistry.Files, ext protoreflect.ExtensionType) (map[string]verify.ScopeRule, error) {
	if ext == nil {
		return nil, errors.New("grpcmw: MethodScopes: nil extension type")
	}
	xd := ext.TypeDescriptor()
	if got := xd.ContainingMessage().FullName(); got != methodOptions {
		return nil, fmt.Errorf("grpcmw: MethodScopes: extension %s extends %s, not %s", xd.FullName(), got, methodOptions)
	}
	if xd.Kind() != protoreflect.StringKind || xd.IsList() {
		return nil, fmt.Errorf("grpcmw: MethodScopes: extension %s is not a singular string", xd.FullName())
	}
	if files == nil {
		files = protoregistry.GlobalFiles
	}
	// A resolver that knows only ext: re-parsing each method's options
	// with it turns the option into a field of ext's own type, whether it
	// was stored as a known extension (of any type with that number) or as
	// unknown bytes.
	var types protoregistry.Types
	if err := types.RegisterExtension(ext); err != nil {
		return nil, fmt.Errorf("grpcmw: MethodScopes: %w", err)
	}
	unmarshal := proto.UnmarshalOptions{Resolver: &types}

	table := make(map[string]verify.ScopeRule)
	var err error
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		services := fd.Services()
		for si := range services.Len() {
			sd := services.Get(si)
			methods := sd.Methods()
			for mi := range methods.Len() {
				md := methods.Get(mi)
				name := "/" + string(sd.FullName()) + "/" + string(md.Name())
				var (
					value string
					ok    bool
				)
				value, ok, err = readOption(md, xd, unmarshal)
				if err == nil && ok {
					var s verify.ScopeRule
					s, err = parseScopes(value)
					table[name] = s
				}
				if err != nil {
					err = fmt.Errorf("grpcmw: MethodScopes: %s option %s: %w", name, xd.FullName(), err)
					return false
				}
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return table, nil
}

// readOption returns the value of the string option xd on md, and whether
// it is present.
func readOption(md protoreflect.MethodDescriptor, xd protoreflect.ExtensionTypeDescriptor, unmarshal proto.UnmarshalOptions) (string, bool, error) {
	opts := md.Options()
	if opts == nil || !opts.ProtoReflect().IsValid() {
		return "", false, nil
	}
	b, err := proto.Marshal(opts)
	if err != nil {
		return "", false, err
	}
	out := opts.ProtoReflect().New()
	if err := unmarshal.Unmarshal(b, out.Interface()); err != nil {
		return "", false, err
	}
	if !out.Has(xd) {
		return "", false, nil
	}
	return out.Get(xd).String(), true, nil
}

// parseScopes turns an option value into a requirement: "" is token-only,
// otherwise space-separated scopes, all required.
func parseScopes(value string) (verify.ScopeRule, error) {
	if value == "" {
		return verify.ScopeRule{}, nil
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c != ' ' && (c <= 0x20 || c >= 0x7f) {
			return verify.ScopeRule{}, fmt.Errorf("value %q has characters other than visible ASCII and spaces", value)
		}
	}
	scopes := strings.Fields(value)
	if len(scopes) == 0 {
		return verify.ScopeRule{}, fmt.Errorf("value %q has only spaces", value)
	}
	return verify.ScopeRule{AllOf: scopes}, nil
}
