package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// demo holds everything the demo started; close stops all of it.
type demo struct {
	iss        *issuertest.Server
	cache      *jwks.Cache
	clientTr   *http.Transport   // trusts the issuer and the demo servers
	serverCert *x509.Certificate // of the HTTP and gRPC servers
	httpSrv    *http.Server
	httpURL    string
	grpcSrv    *grpc.Server
	grpcAddr   string
	conn       *grpc.ClientConn
	tsc        testgrpc.TestServiceClient
	cc         clientcredentials.Config // JWT access tokens
	ccOpaque   clientcredentials.Config // opaque (Hydra) access tokens
	appSecret  string                   // of demoAppID, the authorization-code client
	intro      *introspect.Checker      // introspection, for opaque tokens
	uinfo      *introspect.Checker      // userinfo, for the user-token route and method
	wg         sync.WaitGroup           // serving goroutines

	mu   sync.Mutex
	seen string // what the server saw on the last call (reason or kid)

	rows []row
}

func startDemo(ctx context.Context) (_ *demo, err error) {
	d := &demo{}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	d.iss = issuertest.NewServer(issuertest.Config{TLS: true, Audience: []string{demoAudience}})
	secret, opaqueSecret := randomHex(16), randomHex(16)
	d.appSecret = randomHex(16)
	d.iss.AddClient(issuertest.Client{ID: demoClientID, Secret: secret, Scopes: []string{demoReadScope}})
	d.iss.AddClient(issuertest.Client{ID: demoOpaqueID, Secret: opaqueSecret, Scopes: []string{demoReadScope},
		AccessTokenFormat: issuertest.TokenFormatHydra})
	d.iss.AddClient(issuertest.Client{ID: demoAppID, Secret: d.appSecret, Scopes: []string{"phone"},
		RedirectURIs: []string{demoRedirect}, AccessTokenFormat: issuertest.TokenFormatHydra})

	cert, _, err := testcert.Loopback("jwtguard demo")
	if err != nil {
		return nil, err
	}
	d.serverCert = cert.Leaf
	roots := x509.NewCertPool()
	roots.AddCert(d.iss.Certificate())
	roots.AddCert(cert.Leaf)
	d.clientTr = http.DefaultTransport.(*http.Transport).Clone()
	d.clientTr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}

	cacheCfg := demoCacheConfig
	cacheCfg.Issuer = d.iss.Issuer()
	cacheCfg.HTTPClient = &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second}
	d.cache, err = jwks.New(ctx, cacheCfg)
	if err != nil {
		return nil, err
	}
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: d.iss.Issuer(), Keys: d.cache}},
		Audiences: []string{demoAudience},
	})
	if err != nil {
		return nil, err
	}
	issuerRoots := x509.NewCertPool()
	issuerRoots.AddCert(d.iss.Certificate())
	if d.intro, d.uinfo, err = d.remoteCheckers(issuerRoots); err != nil {
		return nil, err
	}
	// One Checker per route family: JWTs go to the verifier, every other
	// token to the introspection (or, for user tokens, userinfo) endpoint.
	checker, userChecker := introspect.Route(v, d.intro), introspect.Route(v, d.uinfo)
	// Each server gets its own tls.Config: net/http edits the one it is given.
	serverTLS := func() *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	// HTTP: GET /v1/read needs demo.read, POST /v1/write needs demo.write.
	// GET /v1/me takes a user's token, checked at userinfo.
	// One OnReject hook serves every transport.
	// The HTTP routes also take DPoP-bound tokens (RFC 9449) with a proof
	// per request; a bound token is refused as a Bearer token.
	onReject := func(_ context.Context, r verify.Rejection) { d.saw(describe(r)) }
	dv, err := dpop.NewVerifier(dpop.Config{})
	if err != nil {
		return nil, err
	}
	mw, err := httpmw.New(httpmw.Config{Checker: checker, OnReject: onReject, DPoP: dv})
	if err != nil {
		return nil, err
	}
	mwUser, err := httpmw.New(httpmw.Config{Checker: userChecker, OnReject: onReject})
	if err != nil {
		return nil, err
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := verify.FromContext(r.Context())
		d.saw(acceptedNote(c))
		fmt.Fprintf(w, "hello %s\n", c.ClientID)
	})
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := verify.FromContext(r.Context())
		d.saw("accepted, userinfo sub " + shortKID(c.Subject))
		fmt.Fprintf(w, "hello %s\n", c.Subject)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /v1/read", mw.Require(verify.ScopeRule{AllOf: []string{demoReadScope}})(hello))
	mux.Handle("POST /v1/write", mw.Require(verify.ScopeRule{AllOf: []string{demoWriteScope}})(hello))
	mux.Handle("GET /v1/me", mwUser.Handler(me))
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.httpURL = "https://" + hl.Addr().String()
	d.httpSrv = &http.Server{Handler: mux, TLSConfig: serverTLS(), ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	d.wg.Go(func() { _ = d.httpSrv.ServeTLS(hl, "", "") })

	// gRPC: UnaryCall and StreamingOutputCall need demo.read, EmptyCall
	// needs demo.write; other methods need a valid token. CacheableUnaryCall
	// stands for a method of a user API: a second interceptor checks its
	// tokens at userinfo, and the first one skips it.
	ic, err := grpcmw.New(grpcmw.Config{
		Checker: checker,
		Skip: func(ctx context.Context, m string) bool {
			return grpcmw.SkipHealthAndReflection(ctx, m) || m == userMethod // for grpcurl, see demo --serve
		},
		Methods: map[string]verify.ScopeRule{
			testgrpc.TestService_UnaryCall_FullMethodName:           {AllOf: []string{demoReadScope}},
			testgrpc.TestService_StreamingOutputCall_FullMethodName: {AllOf: []string{demoReadScope}},
			testgrpc.TestService_EmptyCall_FullMethodName:           {AllOf: []string{demoWriteScope}},
		},
		OnReject: onReject,
	})
	if err != nil {
		return nil, err
	}
	icUser, err := grpcmw.New(grpcmw.Config{
		Checker:  userChecker,
		Skip:     func(_ context.Context, m string) bool { return m != userMethod },
		OnReject: onReject,
	})
	if err != nil {
		return nil, err
	}
	d.grpcSrv = grpc.NewServer(grpc.Creds(credentials.NewTLS(serverTLS())),
		grpc.ChainUnaryInterceptor(ic.Unary(), icUser.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	testgrpc.RegisterTestServiceServer(d.grpcSrv, &testService{d: d})
	reflection.Register(d.grpcSrv)
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.grpcAddr = gl.Addr().String()
	d.wg.Go(func() { _ = d.grpcSrv.Serve(gl) })

	d.conn, err = grpc.NewClient("passthrough:///"+d.grpcAddr,
		grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12})))
	if err != nil {
		return nil, err
	}
	d.tsc = testgrpc.NewTestServiceClient(d.conn)

	d.cc = clientcredentials.Config{ClientID: demoClientID, ClientSecret: secret, TokenURL: d.iss.TokenURL(),
		AuthStyle: oauth2.AuthStyleInHeader}
	d.ccOpaque = clientcredentials.Config{ClientID: demoOpaqueID, ClientSecret: opaqueSecret, TokenURL: d.iss.TokenURL(),
		AuthStyle: oauth2.AuthStyleInHeader}
	return d, nil
}

func (d *demo) close() {
	if d.conn != nil {
		d.conn.Close()
	}
	if d.grpcSrv != nil {
		d.grpcSrv.Stop()
	}
	if d.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = d.httpSrv.Shutdown(ctx)
		cancel()
		_ = d.httpSrv.Close()
	}
	d.wg.Wait()
	for _, c := range []*introspect.Checker{d.intro, d.uinfo} {
		if c != nil {
			c.Close()
		}
	}
	if d.clientTr != nil {
		d.clientTr.CloseIdleConnections()
	}
	if d.cache != nil {
		d.cache.Close()
	}
	if d.iss != nil {
		d.iss.Close()
	}
}

// testService implements the interop TestService methods the demo calls.
type testService struct {
	testgrpc.UnimplementedTestServiceServer
	d *demo
}

func (s *testService) accepted(ctx context.Context) *verify.Claims {
	c, _ := verify.FromContext(ctx)
	if c != nil {
		s.d.saw(acceptedNote(c))
	}
	return c
}

func (s *testService) EmptyCall(ctx context.Context, _ *testgrpc.Empty) (*testgrpc.Empty, error) {
	s.accepted(ctx)
	return &testgrpc.Empty{}, nil
}

func (s *testService) UnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	c := s.accepted(ctx)
	if c == nil {
		return nil, status.Error(codes.Internal, "no claims")
	}
	return &testgrpc.SimpleResponse{Username: c.ClientID}, nil
}

// CacheableUnaryCall is the user method, its token checked at userinfo.
func (s *testService) CacheableUnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	c, _ := verify.FromContext(ctx)
	if c == nil {
		return nil, status.Error(codes.Internal, "no claims")
	}
	s.d.saw("accepted, userinfo sub " + shortKID(c.Subject))
	return &testgrpc.SimpleResponse{Username: c.Subject}, nil
}

func (s *testService) StreamingOutputCall(req *testgrpc.StreamingOutputCallRequest, st testgrpc.TestService_StreamingOutputCallServer) error {
	if s.accepted(st.Context()) == nil {
		return status.Error(codes.Internal, "no claims in the stream context")
	}
	for _, p := range req.GetResponseParameters() {
		size := min(max(p.GetSize(), 0), 1024)
		if err := st.Send(&testgrpc.StreamingOutputCallResponse{Payload: &testgrpc.Payload{Body: make([]byte, size)}}); err != nil {
			return err
		}
	}
	return nil
}

// describe names what the server-side hook saw.
func describe(r verify.Rejection) string {
	switch {
	case r.Outcome == verify.OutcomeMissingToken:
		return "missing token"
	case r.Outcome == verify.OutcomeInvalidRequest:
		return "invalid request"
	case r.Reason != "":
		return string(r.Reason)
	}
	return oneLine(r.Err.Error())
}

func shortKID(kid string) string {
	if len(kid) > 15 {
		return kid[:15] + "…"
	}
	return kid
}
