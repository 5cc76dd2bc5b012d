package connectguard_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// The test service: proto-free, with well-known wrapper messages.
const (
	procWho      = "/test.v1.WhoService/Who"       // unary, scoped
	procOpen     = "/test.v1.WhoService/Open"      // unary, unlisted
	procWhoSteam = "/test.v1.WhoService/WhoStream" // server stream, scoped
)

// downKeys cannot vouch for any key, like a jwks.Cache that never loaded.
type downKeys struct{}

func (downKeys) Key(context.Context, string, string) (*jwks.Key, error) {
	return nil, fmt.Errorf("test: %w", jwks.ErrUnavailable)
}

// blockedKeys waits for the caller to give up.
type blockedKeys struct{}

func (blockedKeys) Key(ctx context.Context, _, _ string) (*jwks.Key, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("test: %w", ctx.Err())
}

func newVerifier(t testing.TB, src jwks.Source) *verify.Verifier {
	t.Helper()
	if src == nil {
		src = tokentest.StaticKeys(t)
	}
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: tokentest.Issuer, Keys: src}},
		Audiences: []string{tokentest.Audience},
		Now:       tokentest.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// who describes the claims in ctx.
func who(ctx context.Context) string {
	c, ok := verify.FromContext(ctx)
	if !ok {
		return "anonymous"
	}
	return "sub=" + c.Subject + " scopes=" + strings.Join(c.Scopes, ",")
}

// rejections records OnReject calls.
type rejections struct {
	mu   sync.Mutex
	list []string // "procedure: error"
	errs []error
}

func (r *rejections) record(_ context.Context, rj verify.Rejection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, rj.Transport+" "+rj.Method)
	r.errs = append(r.errs, rj.Err)
}

func (r *rejections) get() ([]string, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.list...), append([]error(nil), r.errs...)
}

// server is the test service behind the interceptor, served over HTTP/2
// with TLS. calls counts handler invocations.
type server struct {
	url    string
	client *http.Client
	calls  atomic.Int64
}

func startServer(t testing.TB, i *connectguard.Interceptor) *server {
	t.Helper()
	s := &server{}
	opts := connect.WithInterceptors(i)
	unary := func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
		s.calls.Add(1)
		return connect.NewResponse(wrapperspb.String(who(ctx))), nil
	}
	mux := http.NewServeMux()
	mux.Handle(procWho, connect.NewUnaryHandler(procWho, unary, opts))
	mux.Handle(procOpen, connect.NewUnaryHandler(procOpen, unary, opts))
	mux.Handle(procWhoSteam, connect.NewServerStreamHandler(procWhoSteam,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue], stream *connect.ServerStream[wrapperspb.StringValue]) error {
			s.calls.Add(1)
			for range 3 {
				if err := stream.Send(wrapperspb.String(who(ctx))); err != nil {
					return err
				}
			}
			return nil
		}, opts))
	ts := httptest.NewUnstartedServer(mux)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	s.url = ts.URL
	s.client = ts.Client()
	return s
}

// protocols are the client protocols every case runs under.
var protocols = []struct {
	name string
	opts []connect.ClientOption
}{
	{"connect", nil},
	{"grpc", []connect.ClientOption{connect.WithGRPC()}},
	{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
}

// callUnary calls procedure with the given Authorization values.
func callUnary(ctx context.Context, s *server, procedure string, opts []connect.ClientOption, auth []string) (string, error) {
	c := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](s.client, s.url+procedure, opts...)
	req := connect.NewRequest(wrapperspb.String(""))
	for _, a := range auth {
		req.Header().Add("Authorization", a)
	}
	resp, err := c.CallUnary(ctx, req)
	if err != nil {
		return "", err
	}
	return resp.Msg.GetValue(), nil
}

// callStream opens the server stream and returns what it sent.
func callStream(ctx context.Context, s *server, opts []connect.ClientOption, auth []string) ([]string, error) {
	c := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](s.client, s.url+procWhoSteam, opts...)
	req := connect.NewRequest(wrapperspb.String(""))
	for _, a := range auth {
		req.Header().Add("Authorization", a)
	}
	stream, err := c.CallServerStream(ctx, req)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	var got []string
	for stream.Receive() {
		got = append(got, stream.Msg().GetValue())
	}
	return got, stream.Err()
}

// checkRefusal checks the code and message the client got and the cause
// OnReject saw.
func checkRefusal(t *testing.T, err error, want connect.Code, rec *rejections, procedure string, wantIs error) {
	t.Helper()
	list, errs := rec.get()
	if want == 0 {
		if err != nil {
			t.Fatalf("call failed: %v", err)
		}
		if len(list) != 0 {
			t.Errorf("OnReject called on success: %v", errs)
		}
		return
	}
	if got := connect.CodeOf(err); got != want {
		t.Fatalf("code %v (%v), want %v", got, err, want)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a *connect.Error: %v", err)
	}
	if msg := ce.Message(); msg != map[connect.Code]string{
		connect.CodeUnauthenticated:  "missing or invalid token",
		connect.CodePermissionDenied: "insufficient scope",
		connect.CodeUnavailable:      "authentication temporarily unavailable",
	}[want] && want != connect.CodeDeadlineExceeded && want != connect.CodeCanceled {
		t.Errorf("message %q is not the fixed one for %v", msg, want)
	}
	if len(list) != 1 || list[0] != "connect "+procedure {
		t.Fatalf("OnReject calls %q, want one for %s", list, procedure)
	}
	if wantIs != nil && !errors.Is(errs[0], wantIs) {
		t.Errorf("OnReject got %v, want errors.Is %v", errs[0], wantIs)
	}
}

// pastDeadline returns a context whose deadline has passed.
func pastDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	t.Cleanup(cancel)
	return ctx
}
