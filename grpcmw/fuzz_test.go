package grpcmw_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/verify"
)

// FuzzUnary feeds attacker-chosen "authorization" metadata (zero, one or two
// values) and an attacker-chosen full method name through the unary
// interceptor, with SkipHealthAndReflection and DenyUnlisted set. Whatever
// the input it must not panic, must answer OK, InvalidArgument,
// Unauthenticated or PermissionDenied with the fixed message, must answer
// InvalidArgument exactly for names not of the form "/service/method", must
// run the handler exactly when it answers OK, and must then hand it claims
// unless the name is exactly a health or reflection method.
func FuzzUnary(f *testing.F) {
	good := token(f, "sms.read")
	f.Add(uint8(1), "Bearer "+good, "", methodUnary)
	f.Add(uint8(1), "Bearer "+token(f), "", methodUnary)
	f.Add(uint8(0), "", "", methodUnary)
	f.Add(uint8(1), "", "", methodUnary)
	f.Add(uint8(1), "Basic dXNlcjpwYXNz", "", methodUnary)
	f.Add(uint8(2), "Bearer "+good, "Bearer "+good, methodUnary)
	f.Add(uint8(1), "Bearer", "", methodUnary)
	f.Add(uint8(1), "Bearer a.b.c", "", methodUnary)
	f.Add(uint8(1), "bearer\t"+good, "", methodUnary)
	f.Add(uint8(1), "Bearer  "+good+"  ", "", methodUnary)
	f.Add(uint8(1), "Bearer "+good+"=", "", methodUnary)
	f.Add(uint8(1), "Bearer eyJhbGciOiJub25lIn0.e30.", "", methodUnary)
	f.Add(uint8(0), "", "", "/grpc.health.v1.Health/Check")
	f.Add(uint8(0), "", "", "/grpc.health.v1.Health/Check/secret.Admin/DeleteAll")
	f.Add(uint8(1), "Bearer "+good, "", methodUnary+"/")
	f.Add(uint8(1), "Bearer "+good, "", "//")
	f.Add(uint8(0), "", "", "grpc.health.v1.Health/Check")
	f.Add(uint8(1), "Bearer "+good, "", "/grpc.testing.TestService%2FUnaryCall/x")

	i, err := grpcmw.New(grpcmw.Config{
		Checker:      newVerifier(f, staticKeys(f)),
		Methods:      map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"sms.read"}}},
		DenyUnlisted: true,
		Skip:         grpcmw.SkipHealthAndReflection,
	})
	if err != nil {
		f.Fatal(err)
	}
	unary := i.Unary()
	// An independent statement of the method-name rule.
	wellFormed := regexp.MustCompile(`^/[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*/[A-Za-z0-9_]+$`)
	f.Fuzz(func(t *testing.T, n uint8, a, b, method string) {
		info := &grpc.UnaryServerInfo{FullMethod: method}
		skipped := grpcmw.SkipHealthAndReflection(context.Background(), method)
		ctx := incoming(n, a, b)
		ran := false
		_, err := unary(ctx, nil, info, func(ctx context.Context, _ any) (any, error) {
			ran = true
			if _, ok := verify.FromContext(ctx); !ok && !skipped {
				t.Errorf("handler ran without claims for %q", method)
			}
			return nil, nil
		})
		st := status.Convert(err)
		if ran != (st.Code() == codes.OK) {
			t.Fatalf("handler ran = %v, code = %v", ran, st.Code())
		}
		if st.Code() != codes.OK && st.Message() != fixedMessage[st.Code()] {
			t.Fatalf("code %v message %q, want the fixed %q", st.Code(), st.Message(), fixedMessage[st.Code()])
		}
		if (st.Code() == codes.InvalidArgument) == wellFormed.MatchString(method) {
			t.Fatalf("method %q: code %v", method, st.Code())
		}
		switch st.Code() {
		case codes.OK, codes.InvalidArgument, codes.Unauthenticated, codes.PermissionDenied:
		default:
			t.Fatalf("unexpected code %v (%q)", st.Code(), st.Message())
		}
	})
}

// wrappedChecker hides the Verifier's type: an interceptor over it checks
// the token's alphabet before verifying, as bearer.Parse does.
type wrappedChecker struct{ verify.Checker }

// FuzzUnaryAlphabet: an interceptor over the Verifier, which checks the
// token's alphabet only when the Verifier refuses the token, answers every
// "authorization" metadata exactly as one that checks it first: same
// status, same refusal reported to OnReject.
func FuzzUnaryAlphabet(f *testing.F) {
	v := newVerifier(f, staticKeys(f))
	var rejected [2]string
	var unary [2]grpc.UnaryServerInterceptor
	for n, c := range []verify.Checker{v, wrappedChecker{v}} {
		i, err := grpcmw.New(grpcmw.Config{Checker: c,
			Methods:  map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"sms.read"}}},
			OnReject: func(_ context.Context, r verify.Rejection) { rejected[n] = r.Err.Error() }})
		if err != nil {
			f.Fatal(err)
		}
		unary[n] = i.Unary()
	}
	good := token(f, "sms.read")
	for _, s := range []string{
		"Bearer " + good, "Bearer " + good + "!", "Bearer " + good + "==", "Bearer " + token(f),
		"Bearer a!b", "Bearer ~+/=", "Bearer é", "Bearer " + strings.Repeat("a", 17<<10) + "\x00", "Bearer a\tb",
	} {
		f.Add(uint8(1), s, "")
	}
	f.Add(uint8(2), "Bearer "+good, "Bearer !")
	info := &grpc.UnaryServerInfo{FullMethod: methodUnary}
	f.Fuzz(func(t *testing.T, n uint8, a, b string) {
		ctx := incoming(n, a, b)
		var got [2]string
		for k := range unary {
			rejected[k] = ""
			_, err := unary[k](ctx, nil, info, func(context.Context, any) (any, error) { return nil, nil })
			got[k] = status.Code(err).String() + " " + rejected[k]
		}
		if got[0] != got[1] {
			t.Fatalf("late check: %s; check first: %s", got[0], got[1])
		}
	})
}

// incoming is a server-side context with the first n (at most 2) of a and
// b as "authorization" values.
func incoming(n uint8, a, b string) context.Context {
	md := metadata.MD{}
	for _, v := range []string{a, b}[:min(int(n), 2)] {
		md.Append("authorization", v)
	}
	return metadata.NewIncomingContext(context.Background(), md)
}
