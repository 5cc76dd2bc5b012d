package grpcmw_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// codesFor lists the codes each outcome may be answered with.
var codesFor = map[verify.Outcome][]codes.Code{
	verify.OutcomeMissingToken:      {codes.Unauthenticated},
	verify.OutcomeInvalidRequest:    {codes.Unauthenticated, codes.InvalidArgument},
	verify.OutcomeInvalidToken:      {codes.Unauthenticated},
	verify.OutcomeInsufficientScope: {codes.PermissionDenied},
	verify.OutcomeUnavailable:       {codes.Unavailable, codes.Canceled, codes.DeadlineExceeded, codes.Internal},
}

// fixedMessage is the only text a client may see for each refusal code.
var fixedMessage = map[codes.Code]string{
	codes.Unauthenticated:  "missing or invalid token",
	codes.PermissionDenied: "insufficient scope",
	codes.Unavailable:      "authentication temporarily unavailable",
	codes.InvalidArgument:  "malformed method name",
}

// newInterceptor builds an Interceptor over keys (static keys when nil)
// recording its rejections.
func newInterceptor(t testing.TB, keys jwks.Source, cfg grpcmw.Config) (*grpcmw.Interceptor, *rejections) {
	t.Helper()
	if keys == nil {
		keys = staticKeys(t)
	}
	rec := &rejections{}
	cfg.Checker = newVerifier(t, keys)
	cfg.OnReject = rec.record
	i, err := grpcmw.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return i, rec
}

// checkRefusal checks that err has code want with its fixed message, and
// that OnReject saw exactly one refusal of kind wantIs for method.
func checkRefusal(t *testing.T, err error, want codes.Code, rec *rejections, method string, wantIs error) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != want {
		t.Fatalf("code = %v (%q), want %v", st.Code(), st.Message(), want)
	}
	if want == codes.OK {
		if got := rec.all(); len(got) != 0 {
			t.Fatalf("OnReject called on success: %v", got)
		}
		return
	}
	if st.Message() != fixedMessage[want] {
		t.Errorf("message = %q, want the fixed %q", st.Message(), fixedMessage[want])
	}
	got := rec.all()
	if len(got) != 1 {
		t.Fatalf("OnReject called %d times, want 1: %v", len(got), got)
	}
	if got[0].method != method {
		t.Errorf("OnReject method = %q, want %q", got[0].method, method)
	}
	if !errors.Is(got[0].err, wantIs) {
		t.Errorf("OnReject err = %v, want errors.Is %v", got[0].err, wantIs)
	}
	if got[0].transport != "grpc" || !slices.Contains(codesFor[got[0].outcome], want) {
		t.Errorf("OnReject transport, outcome = %q, %q; want grpc and an outcome answered with %v", got[0].transport, got[0].outcome, want)
	}
}

func TestUnary(t *testing.T) {
	scoped := map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"sms.read"}}}
	good := token(t, "sms.read")
	tests := []struct {
		name     string
		keys     jwks.Source
		methods  map[string]verify.ScopeRule
		deny     bool
		method   string // methodUnary or methodEmpty
		auth     []string
		want     codes.Code
		wantIs   error  // OnReject's error kind, for refusals
		wantWho  string // UnaryCall's answer, for successes
		scopeHit bool
	}{
		{name: "no metadata", method: methodUnary, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "empty value", method: methodUnary, auth: []string{""}, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "basic scheme", method: methodUnary, auth: []string{"Basic dXNlcjpwYXNz"}, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "two values", method: methodUnary, auth: []string{"Bearer " + good, "Bearer " + good}, want: codes.Unauthenticated, wantIs: grpcmw.ErrInvalidRequest},
		{name: "bearer and basic", method: methodUnary, auth: []string{"Bearer " + good, "Basic dXNlcjpwYXNz"}, want: codes.Unauthenticated, wantIs: grpcmw.ErrInvalidRequest},
		{name: "bearer without token", method: methodUnary, auth: []string{"Bearer"}, want: codes.Unauthenticated, wantIs: grpcmw.ErrInvalidRequest},
		{name: "two tokens", method: methodUnary, auth: []string{"Bearer " + good + " " + good}, want: codes.Unauthenticated, wantIs: grpcmw.ErrInvalidRequest},
		{name: "not b64token", method: methodUnary, auth: []string{"Bearer a,b"}, want: codes.Unauthenticated, wantIs: grpcmw.ErrInvalidRequest},
		{name: "not a JWT", method: methodUnary, auth: []string{"Bearer abc"}, want: codes.Unauthenticated, wantIs: verify.ErrMalformed},
		{name: "expired", method: methodUnary, auth: []string{"Bearer " + sign(t, testkeys.RSA2048(0), testKID, func() map[string]any {
			c := claims("sms.read")
			c["exp"] = testNow.Add(-time.Minute).Unix()
			return c
		}())}, want: codes.Unauthenticated, wantIs: verify.ErrExpired},
		{name: "wrong key", method: methodUnary, auth: []string{"Bearer " + sign(t, testkeys.RSA2048(1), testKID, claims("sms.read"))}, want: codes.Unauthenticated, wantIs: verify.ErrInvalidSignature},
		{name: "ID token on an unlisted method", method: methodEmpty, auth: []string{"Bearer " + tokentest.IDToken(t)}, want: codes.Unauthenticated, wantIs: verify.ErrWrongTokenKind},
		{name: "unknown kid", method: methodUnary, auth: []string{"Bearer " + sign(t, testkeys.RSA2048(0), "other", claims("sms.read"))}, want: codes.Unauthenticated, wantIs: verify.ErrUnknownKey},
		{name: "wrong audience", method: methodUnary, auth: []string{"Bearer " + sign(t, testkeys.RSA2048(0), testKID, func() map[string]any {
			c := claims("sms.read")
			c["aud"] = []string{"https://elsewhere.test/"}
			return c
		}())}, want: codes.Unauthenticated, wantIs: verify.ErrInvalidAudience},
		{name: "keys unavailable", keys: downKeys{}, method: methodUnary, auth: []string{"Bearer " + good}, want: codes.Unavailable, wantIs: verify.ErrUnavailable},
		{name: "missing scope", method: methodUnary, auth: []string{"Bearer " + token(t, "sms.write")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "scope is not a prefix match", method: methodUnary, auth: []string{"Bearer " + token(t, "sms.readall")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "scope present", method: methodUnary, auth: []string{"Bearer " + good}, want: codes.OK, wantWho: "sub=client-1 scopes=sms.read"},
		{name: "scheme case-insensitive", method: methodUnary, auth: []string{"bEARER " + good}, want: codes.OK, wantWho: "sub=client-1 scopes=sms.read"},
		{name: "any-of met", methods: map[string]verify.ScopeRule{methodUnary: {AnyOf: []string{"a", "b"}}}, method: methodUnary, auth: []string{"Bearer " + token(t, "b")}, want: codes.OK, wantWho: "sub=client-1 scopes=b"},
		{name: "any-of unmet", methods: map[string]verify.ScopeRule{methodUnary: {AnyOf: []string{"a", "b"}}}, method: methodUnary, auth: []string{"Bearer " + token(t, "c")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "all-of partly met", methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"a", "b"}}}, method: methodUnary, auth: []string{"Bearer " + token(t, "a")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "unlisted token-only", method: methodEmpty, auth: []string{"Bearer " + token(t)}, want: codes.OK},
		{name: "unlisted token-only without token", method: methodEmpty, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "unlisted token-only bad token", method: methodEmpty, auth: []string{"Bearer abc"}, want: codes.Unauthenticated, wantIs: verify.ErrMalformed},
		{name: "deny unlisted", deny: true, method: methodEmpty, auth: []string{"Bearer " + good}, want: codes.PermissionDenied, wantIs: grpcmw.ErrUnlistedMethod},
		{name: "deny unlisted without token", deny: true, method: methodEmpty, want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "deny unlisted, listed method", deny: true, method: methodUnary, auth: []string{"Bearer " + good}, want: codes.OK, wantWho: "sub=client-1 scopes=sms.read"},
		{name: "deny unlisted, token-only entry", deny: true, methods: map[string]verify.ScopeRule{methodUnary: {}}, method: methodUnary, auth: []string{"Bearer " + token(t)}, want: codes.OK, wantWho: "sub=client-1 scopes="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			methods := tt.methods
			if methods == nil {
				methods = scoped
			}
			i, rec := newInterceptor(t, tt.keys, grpcmw.Config{Methods: methods, DenyUnlisted: tt.deny})
			cc, srv := startServer(t, grpc.UnaryInterceptor(i.Unary()))
			client := testpb.NewTestServiceClient(cc)
			ctx := withAuth(t.Context(), tt.auth...)
			var err error
			var resp *testpb.SimpleResponse
			if tt.method == methodUnary {
				resp, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
			} else {
				_, err = client.EmptyCall(ctx, &testpb.Empty{})
			}
			checkRefusal(t, err, tt.want, rec, tt.method, tt.wantIs)
			wantCalls := int64(0)
			if tt.want == codes.OK {
				wantCalls = 1
			}
			if got := srv.calls.Load(); got != wantCalls {
				t.Errorf("handler ran %d times, want %d", got, wantCalls)
			}
			if tt.wantWho != "" && resp.GetUsername() != tt.wantWho {
				t.Errorf("handler saw %q, want %q", resp.GetUsername(), tt.wantWho)
			}
		})
	}
}

// openStream opens method (StreamingOutputCall or FullDuplexCall), sends
// three requests where the method reads them, and returns what the server
// sent until the end of the stream.
func openStream(ctx context.Context, client testpb.TestServiceClient, method string) ([]string, error) {
	var recv func() (*testpb.StreamingOutputCallResponse, error)
	switch method {
	case methodOutput:
		req := &testpb.StreamingOutputCallRequest{ResponseParameters: make([]*testpb.ResponseParameters, 3)}
		for k := range req.ResponseParameters {
			req.ResponseParameters[k] = &testpb.ResponseParameters{}
		}
		s, err := client.StreamingOutputCall(ctx, req)
		if err != nil {
			return nil, err
		}
		recv = s.Recv
	case methodDuplex:
		s, err := client.FullDuplexCall(ctx)
		if err != nil {
			return nil, err
		}
		for range 3 {
			if err := s.Send(&testpb.StreamingOutputCallRequest{}); err != nil {
				break // the error is in Recv
			}
		}
		if err := s.CloseSend(); err != nil {
			return nil, err
		}
		recv = s.Recv
	default:
		panic("openStream: " + method)
	}
	var got []string
	for {
		r, err := recv()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, string(r.GetPayload().GetBody()))
	}
}

func TestStream(t *testing.T) {
	methods := map[string]verify.ScopeRule{
		methodOutput: {AllOf: []string{"events.read"}},
		methodDuplex: {AllOf: []string{"events.read"}},
	}
	tests := []struct {
		name   string
		keys   jwks.Source
		deny   bool
		auth   []string
		want   codes.Code
		wantIs error
	}{
		{name: "no metadata", want: codes.Unauthenticated, wantIs: grpcmw.ErrMissingToken},
		{name: "two values", auth: []string{"Bearer a", "Bearer b"}, want: codes.Unauthenticated, wantIs: grpcmw.ErrInvalidRequest},
		{name: "bad token", auth: []string{"Bearer " + sign(t, testkeys.RSA2048(1), testKID, claims("events.read"))}, want: codes.Unauthenticated, wantIs: verify.ErrInvalidSignature},
		{name: "missing scope", auth: []string{"Bearer " + token(t, "sms.read")}, want: codes.PermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "keys unavailable", keys: downKeys{}, auth: []string{"Bearer " + token(t, "events.read")}, want: codes.Unavailable, wantIs: verify.ErrUnavailable},
		{name: "ok", auth: []string{"Bearer " + token(t, "events.read")}, want: codes.OK},
		{name: "ok with deny unlisted", deny: true, auth: []string{"Bearer " + token(t, "events.read")}, want: codes.OK},
	}
	for _, method := range []string{methodOutput, methodDuplex} {
		for _, tt := range tests {
			t.Run(method[strings.LastIndex(method, "/")+1:]+"/"+tt.name, func(t *testing.T) {
				keys := tt.keys
				i, rec := newInterceptor(t, keys, grpcmw.Config{Methods: methods, DenyUnlisted: tt.deny})
				cc, srv := startServer(t, grpc.StreamInterceptor(i.Stream()))
				got, err := openStream(withAuth(t.Context(), tt.auth...), testpb.NewTestServiceClient(cc), method)
				checkRefusal(t, err, tt.want, rec, method, tt.wantIs)
				if tt.want != codes.OK {
					if srv.calls.Load() != 0 || len(got) != 0 {
						t.Fatalf("refused stream reached the handler: %d calls, got %q", srv.calls.Load(), got)
					}
					return
				}
				// Every message of the stream, not just the first, sees
				// the claims through stream.Context().
				want := "sub=client-1 scopes=events.read"
				if len(got) != 3 {
					t.Fatalf("got %d messages %q, want 3", len(got), got)
				}
				for k, g := range got {
					if g != want {
						t.Errorf("message %d: handler saw %q, want %q", k, g, want)
					}
				}
			})
		}
	}
}

func TestSkipHealthAndReflection(t *testing.T) {
	tests := []struct {
		method string
		want   bool
	}{
		{"/grpc.health.v1.Health/Check", true},
		{"/grpc.health.v1.Health/Watch", true},
		{"/grpc.health.v1.Health/List", true},
		{"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", true},
		{"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", true},
		{methodUnary, false},
		{"/grpc.health.v1.HealthX/Check", false},
		{"/grpc.health.v1/Health/Check", false},
		{"/evil.grpc.health.v1.Health/Check", false},
		{"grpc.health.v1.Health/Check", false}, // whole names only
		{"/grpc.health.v1.Health", false},
		{"/grpc.health.v1.Health/", false},
		{"/grpc.health.v1.Health/Check/", false},
		{"/grpc.health.v1.Health/Check/secret.Admin/DeleteAll", false},
		{"/grpc.health.v1.Health/Checkx", false},
		{"/grpc.health.v1.Health/SetServingStatus", false},
		{"/grpc.reflection.v1.ServerReflection/Other", false},
		{"/grpc.health.v1.Health/check", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			if got := grpcmw.SkipHealthAndReflection(t.Context(), tt.method); got != tt.want {
				t.Errorf("SkipHealthAndReflection(%q) = %v, want %v", tt.method, got, tt.want)
			}
		})
	}
}

func TestSkip(t *testing.T) {
	t.Run("health without token", func(t *testing.T) {
		// DenyUnlisted would refuse the health service: Skip runs first.
		i, rec := newInterceptor(t, nil, grpcmw.Config{DenyUnlisted: true, Skip: grpcmw.SkipHealthAndReflection})
		cc, _ := startServer(t, grpc.UnaryInterceptor(i.Unary()), grpc.StreamInterceptor(i.Stream()))
		resp, err := healthpb.NewHealthClient(cc).Check(t.Context(), &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health Check = %v, %v; want SERVING", resp, err)
		}
		// Other methods are still checked.
		_, err = testpb.NewTestServiceClient(cc).UnaryCall(t.Context(), &testpb.SimpleRequest{})
		checkRefusal(t, err, codes.Unauthenticated, rec, methodUnary, grpcmw.ErrMissingToken)
	})
	t.Run("skipped RPCs get no claims", func(t *testing.T) {
		var asked []string
		skip := func(_ context.Context, method string) bool {
			asked = append(asked, method) // RPCs below run one at a time
			return method == methodUnary || method == methodDuplex
		}
		i, rec := newInterceptor(t, nil, grpcmw.Config{
			Methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"never.granted"}}},
			Skip:    skip,
		})
		cc, _ := startServer(t, grpc.UnaryInterceptor(i.Unary()), grpc.StreamInterceptor(i.Stream()))
		client := testpb.NewTestServiceClient(cc)
		ctx := withAuth(t.Context(), "Bearer "+token(t))
		resp, err := client.UnaryCall(ctx, &testpb.SimpleRequest{})
		if err != nil || resp.GetUsername() != "anonymous" {
			t.Fatalf("skipped UnaryCall = %q, %v; want anonymous, nil", resp.GetUsername(), err)
		}
		got, err := openStream(ctx, client, methodDuplex)
		if err != nil || len(got) != 3 || got[0] != "anonymous" {
			t.Fatalf("skipped FullDuplexCall = %q, %v; want anonymous x3", got, err)
		}
		// Not skipped: claims present.
		got, err = openStream(ctx, client, methodOutput)
		if err != nil || len(got) != 3 || got[0] != "sub=client-1 scopes=" {
			t.Fatalf("FullDuplexCall = %q, %v", got, err)
		}
		if want := []string{methodUnary, methodDuplex, methodOutput}; strings.Join(asked, " ") != strings.Join(want, " ") {
			t.Errorf("Skip asked about %q, want %q", asked, want)
		}
		if r := rec.all(); len(r) != 0 {
			t.Errorf("OnReject called: %v", r)
		}
	})
}

func TestUnavailableVersusCallerGone(t *testing.T) {
	tok := token(t)
	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		keys jwks.Source
		ctx  context.Context
		want codes.Code
	}{
		{"keys down", downKeys{}, context.Background(), codes.Unavailable},
		{"deadline passed while waiting for keys", blockedKeys{}, past, codes.DeadlineExceeded},
		{"caller canceled while waiting for keys", blockedKeys{}, canceled, codes.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, rec := newInterceptor(t, tt.keys, grpcmw.Config{})
			ctx := metadata.NewIncomingContext(tt.ctx, metadata.Pairs("authorization", "Bearer "+tok))
			handler := func(context.Context, any) (any, error) {
				t.Fatal("handler called")
				return nil, nil
			}
			_, err := i.Unary()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: methodUnary}, handler)
			if got := status.Code(err); got != tt.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.want)
			}
			if r := rec.all(); len(r) != 1 || !errors.Is(r[0].err, verify.ErrUnavailable) {
				t.Errorf("OnReject = %v, want one verify.ErrUnavailable", r)
			}
		})
	}
}

func TestNew(t *testing.T) {
	v := newVerifier(t, staticKeys(t))
	tests := []struct {
		name    string
		cfg     grpcmw.Config
		wantErr string // "" for success
	}{
		{name: "minimal", cfg: grpcmw.Config{Checker: v}},
		{name: "no verifier", cfg: grpcmw.Config{}, wantErr: "Checker is required"},
		{name: "full methods", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"a"}}, "/x.Y/Z": {}}}},
		{name: "no leading slash", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"grpc.testing.TestService/UnaryCall": {}}}, wantErr: "not a full method name"},
		{name: "no method", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/grpc.testing.TestService/": {}}}, wantErr: "not a full method name"},
		{name: "service only", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/grpc.testing.TestService": {}}}, wantErr: "not a full method name"},
		{name: "empty service", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"//UnaryCall": {}}}, wantErr: "not a full method name"},
		{name: "extra slash", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/a/b/c": {}}}, wantErr: "not a full method name"},
		{name: "trailing slash", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/a.B/c/": {}}}, wantErr: "not a full method name"},
		{name: "percent escape", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/a.B%2Fc/d": {}}}, wantErr: "not a full method name"},
		{name: "empty service segment", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/a..B/c": {}}}, wantErr: "not a full method name"},
		{name: "dot in method", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/a.B/c.d": {}}}, wantErr: "not a full method name"},
		{name: "space", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{"/a.B/c d": {}}}, wantErr: "not a full method name"},
		{name: "empty scope", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{""}}}}, wantErr: "empty scope"},
		{name: "scope with doubled space", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{methodUnary: {AnyOf: []string{"a  b"}}}}, wantErr: "doubled space"},
		{name: "prefix without punctuation", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{methodUnary: {AnyPrefix: []string{"cx"}}}}, wantErr: "punctuation"},
		{name: "scope non-ASCII", cfg: grpcmw.Config{Checker: v, Methods: map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"sms.läs"}}}}, wantErr: "visible ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, err := grpcmw.New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || i == nil {
					t.Fatalf("New = %v, %v; want an Interceptor", i, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "grpcmw: ") {
				t.Fatalf("New error = %v, want one prefixed grpcmw: containing %q", err, tt.wantErr)
			}
		})
	}
}

// New copies Methods: changing the caller's map or slices afterwards does
// not change the rules.
func TestNewCopiesMethods(t *testing.T) {
	methods := map[string]verify.ScopeRule{methodUnary: {AllOf: []string{"admin"}}}
	i, rec := newInterceptor(t, nil, grpcmw.Config{Methods: methods})
	methods[methodUnary].AllOf[0] = "user"
	delete(methods, methodUnary)
	cc, _ := startServer(t, grpc.UnaryInterceptor(i.Unary()))
	_, err := testpb.NewTestServiceClient(cc).UnaryCall(withAuth(t.Context(), "Bearer "+token(t, "user")), &testpb.SimpleRequest{})
	checkRefusal(t, err, codes.PermissionDenied, rec, methodUnary, verify.ErrInsufficientScope)
}
