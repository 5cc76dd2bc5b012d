package connectguard_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/internal/bindtest"
	"github.com/jwtguard/jwtguard/verify"
)

// startBindServer serves procWho behind an interceptor with cfg over TLS
// configured for kind, wrapped with TLSHandler when wrap is set.
func startBindServer(t *testing.T, f *bindtest.Fixture, kind bindtest.Server, cfg connectguard.Config, wrap bool) string {
	t.Helper()
	i, err := connectguard.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = connect.NewUnaryHandler(procWho,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			return connect.NewResponse(wrapperspb.String(who(ctx))), nil
		}, connect.WithInterceptors(i))
	if wrap {
		h = connectguard.TLSHandler(h)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = true
	ts.TLS = f.ServerTLS(kind)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts.URL
}

// callWho calls procWho at url with token, presenting cert (nil: none).
func callWho(t *testing.T, f *bindtest.Fixture, url, token string, cert *tls.Certificate, opts []connect.ClientOption) (string, error) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: f.ClientTLS(cert), ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	c := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](&http.Client{Transport: tr}, url+procWho, opts...)
	req := connect.NewRequest(wrapperspb.String(""))
	req.Header().Set("Authorization", "Bearer "+token)
	resp, err := c.CallUnary(t.Context(), req)
	if err != nil {
		return "", err
	}
	return resp.Msg.GetValue(), nil
}

// TestCertBoundTokens sends certificate-bound, unbound and malformed-cnf
// tokens over real TLS, with and without client certificates, under each
// protocol, to servers that ask for certificates, that do not, and that
// require every token to be bound.
func TestCertBoundTokens(t *testing.T) {
	f := bindtest.New(t)
	rec := &rejections{}
	urls := map[bindtest.Server]string{}
	for _, kind := range bindtest.Servers {
		urls[kind] = startBindServer(t, f, kind, connectguard.Config{Checker: f.Checker,
			RequireCertBinding: kind == bindtest.Required, OnReject: rec.record}, true)
	}
	for _, tc := range f.Cases {
		for _, p := range protocols {
			t.Run(tc.Name+"/"+p.name, func(t *testing.T) {
				_, before := rec.get()
				got, err := callWho(t, f, urls[tc.Server], tc.Token, tc.Cert, p.opts)
				_, errs := rec.get()
				errs = errs[len(before):]
				if tc.Want == "" {
					if err != nil || !strings.HasPrefix(got, "sub="+tc.Subject()+" ") || len(errs) != 0 {
						t.Fatalf("%q, %v (refusals %v), want sub=%s", got, err, errs, tc.Subject())
					}
					return
				}
				if connect.CodeOf(err) != connect.CodeUnauthenticated {
					t.Fatalf("%v, want Unauthenticated", err)
				}
				if len(errs) != 1 || verify.ReasonOf(errs[0]) != tc.Want {
					t.Fatalf("OnReject saw %v, want reason %q", errs, tc.Want)
				}
			})
		}
	}
}

// TestCertBindingWithoutTLSHandler: a handler not wrapped with TLSHandler
// cannot see certificates, so bound tokens are refused with a cause that
// says so, and unbound tokens pass.
func TestCertBindingWithoutTLSHandler(t *testing.T) {
	f := bindtest.New(t)
	rec := &rejections{}
	url := startBindServer(t, f, bindtest.MTLS, connectguard.Config{Checker: f.Stack.Verifier, OnReject: rec.record}, false)
	if got, err := callWho(t, f, url, f.Unbound, &f.Cert, nil); err != nil || !strings.HasPrefix(got, "sub=svc ") {
		t.Fatalf("unbound token: %q, %v, want sub=svc", got, err)
	}
	_, err := callWho(t, f, url, f.Bound, &f.Cert, nil)
	_, errs := rec.get()
	if connect.CodeOf(err) != connect.CodeUnauthenticated || len(errs) != 1 ||
		!errors.Is(errs[0], verify.ErrInvalidCertBinding) || !strings.Contains(errs[0].Error(), "TLSHandler") {
		t.Fatalf("bound token: %v, causes %v: want Unauthenticated, invalid_cert_binding naming TLSHandler", err, errs)
	}
}
