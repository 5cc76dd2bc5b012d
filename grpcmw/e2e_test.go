package grpcmw_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/credentials/oauth"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	e2eAudience = "https://api.wgtwo.test/"
	scopeSMS    = "sms.text:send_to_subscriber"
	scopeEvents = "events.sms.subscribe"

	wgtwoID, wgtwoSecret = "wgtwo-app", "s3cret/+:="
	n2pID, n2pSecret     = "n2p-app", "n2p-secret"
)

// e2e is the whole stack on loopback: a TLS test issuer, a jwks.Cache of
// its keys, a verifier, and the interceptors in front of grpc's interop
// TestService on a TLS listener.
type e2e struct {
	*e2etest.Stack
	iss    *issuertest.Server
	keys   *jwks.Cache
	addr   string
	tlsCfg *tls.Config     // trusts the API server's certificate
	ctx    context.Context // carries oauth2.HTTPClient = the issuer's TLS client
	rec    *rejections
}

// selfSigned returns a loopback TLS certificate and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	cert, pool, err := testcert.Loopback("grpcmw e2e")
	if err != nil {
		t.Fatal(err)
	}
	return cert, pool
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	e := &e2e{rec: &rejections{}}
	e.Stack = e2etest.New(t, e2etest.Options{
		Issuer: issuertest.Config{TLS: true, Audience: []string{e2eAudience}},
		// Several rotations happen within a second here; the default
		// cooldown between unknown-kid refreshes would (by design) refuse
		// the second new kid for a while.
		Cache: jwks.Config{UnknownKIDCooldown: time.Nanosecond},
	})
	e.iss, e.keys = e.Issuer, e.Keys
	// wgtwo authenticates clients with HTTP Basic, Net2Phone with the
	// credentials in the form body.
	e.iss.AddClient(issuertest.Client{ID: wgtwoID, Secret: wgtwoSecret, Scopes: []string{scopeSMS, scopeEvents},
		AuthMethod: issuertest.AuthMethodBasic})
	e.iss.AddClient(issuertest.Client{ID: n2pID, Secret: n2pSecret, Scopes: []string{scopeSMS},
		AuthMethod: issuertest.AuthMethodPost})
	v := e.Verifier
	i, err := grpcmw.New(grpcmw.Config{
		Checker: v,
		Methods: map[string]verify.ScopeRule{
			methodUnary:  {AllOf: []string{scopeSMS}},
			methodOutput: {AllOf: []string{scopeEvents}},
			methodDuplex: {AnyOf: []string{scopeSMS, scopeEvents}},
		},
		DenyUnlisted: true,
		OnReject:     e.rec.record,
	})
	if err != nil {
		t.Fatal(err)
	}

	cert, pool := selfSigned(t)
	e.tlsCfg = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}
	srv := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})),
		grpc.ChainUnaryInterceptor(i.Unary()),
		grpc.ChainStreamInterceptor(i.Stream()),
	)
	e.addr = serveTCP(t, srv)
	e.ctx = context.WithValue(t.Context(), oauth2.HTTPClient, e.iss.Client())
	return e
}

// creds is what a wgtwo client does: x/oauth2 client credentials behind
// grpc's per-RPC oauth.TokenSource.
func (e *e2e) creds(id, secret string, style oauth2.AuthStyle) credentials.PerRPCCredentials {
	cc := &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: e.iss.TokenURL(), AuthStyle: style}
	return oauth.TokenSource{TokenSource: cc.TokenSource(e.ctx)}
}

func (e *e2e) wgtwo() credentials.PerRPCCredentials {
	return e.creds(wgtwoID, wgtwoSecret, oauth2.AuthStyleInHeader)
}

func (e *e2e) n2p() credentials.PerRPCCredentials {
	return e.creds(n2pID, n2pSecret, oauth2.AuthStyleInParams)
}

// dial connects over TLS, with per-RPC credentials when pc is not nil.
func (e *e2e) dial(t *testing.T, pc credentials.PerRPCCredentials) testpb.TestServiceClient {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(e.tlsCfg))}
	if pc != nil {
		opts = append(opts, grpc.WithPerRPCCredentials(pc))
	}
	cc, err := grpc.NewClient(e.addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return testpb.NewTestServiceClient(cc)
}

// call runs method once and returns its status code and what the handler
// saw (the first stream message for streams).
func call(ctx context.Context, client testpb.TestServiceClient, method string, opts ...grpc.CallOption) (codes.Code, string) {
	if method == methodUnary {
		resp, err := client.UnaryCall(ctx, &testpb.SimpleRequest{}, opts...)
		return status.Code(err), resp.GetUsername()
	}
	var got []string
	var err error
	if len(opts) == 0 {
		got, err = openStream(ctx, client, method)
	} else {
		got, err = openStream(ctx, callOpts{client, opts}, method)
	}
	if len(got) == 0 {
		return status.Code(err), ""
	}
	return status.Code(err), got[0]
}

// callOpts adds call options to the streaming calls openStream makes.
type callOpts struct {
	testpb.TestServiceClient
	opts []grpc.CallOption
}

func (c callOpts) StreamingOutputCall(ctx context.Context, in *testpb.StreamingOutputCallRequest, opts ...grpc.CallOption) (grpc.ServerStreamingClient[testpb.StreamingOutputCallResponse], error) {
	return c.TestServiceClient.StreamingOutputCall(ctx, in, append(c.opts, opts...)...)
}

func (c callOpts) FullDuplexCall(ctx context.Context, opts ...grpc.CallOption) (grpc.BidiStreamingClient[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse], error) {
	return c.TestServiceClient.FullDuplexCall(ctx, append(c.opts, opts...)...)
}

func (e *e2e) decisions() []verify.Decision { return e.Decisions() }

// tokenKID returns the kid in a JWT's header.
func tokenKID(t *testing.T, tok string) string {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct {
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(b, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.KID
}

// TestE2EClients calls unary and streaming methods through real grpc
// clients whose tokens come from the issuer via x/oauth2, with both client
// authentication styles.
func TestE2EClients(t *testing.T) {
	e := newE2E(t)
	wgtwo, n2p := e.dial(t, e.wgtwo()), e.dial(t, e.n2p())
	tests := []struct {
		name    string
		client  testpb.TestServiceClient
		method  string
		want    codes.Code
		wantWho string
	}{
		{"basic auth client, unary", wgtwo, methodUnary, codes.OK, "sub=wgtwo-app scopes=" + scopeSMS + "," + scopeEvents},
		{"basic auth client, server stream", wgtwo, methodOutput, codes.OK, "sub=wgtwo-app scopes=" + scopeSMS + "," + scopeEvents},
		{"basic auth client, bidi stream", wgtwo, methodDuplex, codes.OK, "sub=wgtwo-app scopes=" + scopeSMS + "," + scopeEvents},
		{"form body client, unary", n2p, methodUnary, codes.OK, "sub=n2p-app scopes=" + scopeSMS},
		{"form body client, bidi stream (any-of)", n2p, methodDuplex, codes.OK, "sub=n2p-app scopes=" + scopeSMS},
		{"form body client lacks events scope", n2p, methodOutput, codes.PermissionDenied, ""},
		{"no credentials", e.dial(t, nil), methodUnary, codes.Unauthenticated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, who := call(t.Context(), tt.client, tt.method)
			if code != tt.want || who != tt.wantWho {
				t.Fatalf("%s = %v %q, want %v %q", tt.method, code, who, tt.want, tt.wantWho)
			}
		})
	}
	// The reason grpcmw's tests need TLS: grpc-go will not send OAuth
	// per-RPC credentials over an insecure channel.
	_, err := grpc.NewClient(e.addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(e.wgtwo()))
	if err == nil || !strings.Contains(err.Error(), "transport level security") {
		t.Errorf("insecure channel with OAuth credentials: err = %v, want grpc's refusal", err)
	}
}

// TestE2ERotation keeps clients calling unary and streaming methods while
// the issuer rotates its key three times. No call may fail, and each new
// kid must be accepted on the first call that carries it.
func TestE2ERotation(t *testing.T) {
	e := newE2E(t)
	var calls, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(halt) // also when a Fatal below ends the test early
	worker := func(client testpb.TestServiceClient, method string) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			code, who := call(t.Context(), client, method)
			calls.Add(1)
			if code != codes.OK || who == "" {
				failed.Add(1)
				t.Errorf("%s: %v %q", method, code, who) // Errorf is goroutine-safe
			}
		}
	}
	// Long-lived clients keep the token they got before the rotations
	// (signed by a key that stays published).
	wgtwo, n2p := e.dial(t, e.wgtwo()), e.dial(t, e.n2p())
	wg.Add(3)
	go worker(wgtwo, methodUnary)
	go worker(wgtwo, methodDuplex)
	go worker(n2p, methodUnary)

	fresh := e.dial(t, nil)
	for round := range 3 {
		before := calls.Load()
		newKID := e.iss.Rotate()
		// A fresh token is signed by the new key, which the cache has
		// never seen. Its first call (a stream, on odd rounds) must
		// succeed.
		tok, err := (&clientcredentials.Config{ClientID: wgtwoID, ClientSecret: wgtwoSecret,
			TokenURL: e.iss.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}).Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := tokenKID(t, tok.AccessToken); got != newKID {
			t.Fatalf("round %d: issuer signed with %q, want the new kid %q", round, got, newKID)
		}
		perRPC := grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: oauth2.StaticTokenSource(tok)})
		method := []string{methodUnary, methodOutput}[round%2]
		if code, who := call(t.Context(), fresh, method, perRPC); code != codes.OK || !strings.HasPrefix(who, "sub=wgtwo-app") {
			t.Fatalf("round %d: first %s with new kid %s = %v %q", round, method, newKID, code, who)
		}
		var first *verify.Decision
		for _, d := range e.decisions() {
			if d.KID == newKID {
				first = &d
				break
			}
		}
		if first == nil || first.Reason != "" || first.Cached {
			t.Fatalf("round %d: first decision for new kid = %+v, want an accepted, uncached verification", round, first)
		}
		// Let the workers make progress under the new key set before the
		// next rotation (bounded by their own calls, not a sleep).
		for calls.Load() < before+30 && failed.Load() == 0 && !t.Failed() {
			if code, _ := call(t.Context(), fresh, methodUnary, perRPC); code != codes.OK {
				t.Fatalf("round %d: fresh token refused: %v", round, code)
			}
		}
	}
	halt()
	if failed.Load() != 0 || len(e.rec.all()) != 0 {
		t.Fatalf("%d of %d calls failed; rejections: %v", failed.Load(), calls.Load(), e.rec.all())
	}
	if calls.Load() < 90 {
		t.Fatalf("only %d worker calls ran", calls.Load())
	}
	t.Logf("%d worker calls (unary and bidi streams) across 3 rotations, 0 failed; issuer served %d JWKS requests",
		calls.Load(), e.iss.JWKSRequests())
}

// TestE2EOutageAndRetirement: a JWKS outage is ridden out from the cache; a
// retired key stops verifying once the cache has refreshed, even for a
// token the verifier had already accepted and cached.
func TestE2EOutageAndRetirement(t *testing.T) {
	e := newE2E(t)
	old := e.dial(t, e.wgtwo())
	oldKID := e.iss.SigningKID()
	if code, _ := call(t.Context(), old, methodUnary); code != codes.OK {
		t.Fatalf("before outage: %v", code)
	}

	t.Run("outage served from cache", func(t *testing.T) {
		e.iss.SetFault(issuertest.Fault{Status: http.StatusInternalServerError})
		defer e.iss.SetFault(issuertest.Fault{})
		if err := e.keys.Refresh(t.Context()); err == nil {
			t.Fatal("Refresh during outage succeeded; the fault did not apply")
		}
		// Tokens never seen before (no verified-token cache hit) with a
		// known kid: verified with the cached keys, unary and stream.
		n2p := e.dial(t, e.n2p())
		for _, m := range []string{methodUnary, methodDuplex} {
			if code, who := call(t.Context(), n2p, m); code != codes.OK {
				t.Fatalf("%s during outage: %v %q, want OK from cached keys", m, code, who)
			}
		}
	})

	t.Run("retired key refused", func(t *testing.T) {
		e.iss.Rotate()
		e.iss.Retire(oldKID)
		if err := e.keys.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		// old still holds its token signed by oldKID, which was accepted
		// (and cached by the verifier) above.
		for _, m := range []string{methodUnary, methodOutput} {
			if code, _ := call(t.Context(), old, m); code != codes.Unauthenticated {
				t.Fatalf("%s with the retired key's token: %v, want Unauthenticated", m, code)
			}
		}
		r := e.rec.all()
		if len(r) != 2 || !errors.Is(r[0].err, verify.ErrUnknownKey) || !errors.Is(r[1].err, verify.ErrUnknownKey) {
			t.Fatalf("rejections = %v, want two verify.ErrUnknownKey", r)
		}
		// A new token from the same client works again.
		if code, _ := call(t.Context(), e.dial(t, e.wgtwo()), methodUnary); code != codes.OK {
			t.Fatalf("new token after retirement: %v", code)
		}
	})
}
