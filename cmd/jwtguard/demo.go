package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/oauth"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const demoHelp = `Usage: jwtguard demo

Starts, all on loopback and in this process:
  - the offline test issuer (TLS; Hydra-shaped, like id.wgtwo.com),
  - an HTTPS server whose routes are protected by httpmw,
  - a gRPC server (TLS, grpc.testing.TestService) protected by grpcmw,
sharing one jwks.Cache and one verify.Verifier, then drives them with real
clients (golang.org/x/oauth2/clientcredentials for HTTP; grpc with
credentials/oauth per-RPC credentials over TLS) through this script:

  allowed call      token with the route's scope        -> HTTP 200 / gRPC OK
  missing token     no Authorization                    -> 401 Bearer challenge / Unauthenticated
  wrong scope       token lacks the route's scope        -> 403 insufficient_scope / PermissionDenied
  expired token     exp an hour ago                      -> 401 invalid_token / Unauthenticated
  key rotation      calls before and after the issuer rotates its key, with
                    old- and new-kid tokens              -> no failed call; new kid accepted first try
  issuer outage     JWKS answers 503, refresh fails; a token issued during
                    the outage                           -> calls succeed, verified with the cached keys

It prints a table (scenario | transport | expected | got | ok | server saw)
and exits 0 when every row matches, 1 otherwise. It takes a second or two.
`

// Demo settings. The key cache uses short intervals so that a demo (and a
// test) sees refreshes at all; production defaults are minutes (see
// jwks.Config).
const (
	demoAudience    = "https://api.demo.example/"
	demoClientID    = "demo-client"
	demoReadScope   = "demo.read"
	demoWriteScope  = "demo.write"
	demoRotateCalls = 20 // calls per transport in the rotation scenario
	demoTimeout     = 30 * time.Second
)

var demoCacheConfig = jwks.Config{
	RefreshInterval:    5 * time.Second, // timer refresh (default 15 min)
	MinRefreshInterval: time.Second,     // (default 1 min)
	UnknownKIDCooldown: time.Second,     // unknown-kid refreshes at most once a second (default 15 s)
	// StaleWindow stays at its default (6 h): the outage is served from cache.
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, demoHelp)
		return exitOK
	}
	if err == nil && len(pos) > 0 {
		err = usagef("unexpected argument %q", pos[0])
	}
	if err != nil {
		return usageFail(stderr, "demo", err)
	}

	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	start := time.Now()
	d, err := startDemo(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "jwtguard demo: %v\n", err)
		return exitRejected
	}
	defer d.close()

	fmt.Fprintf(stdout, "issuer %s   HTTP %s   gRPC %s\n\n", d.iss.Issuer(), d.httpURL, d.grpcAddr)
	d.script(ctx)
	failed := printTable(stdout, d.rows)
	if failed > 0 {
		fmt.Fprintf(stdout, "\nFAIL: %d of %d checks did not match (%.1fs)\n", failed, len(d.rows), time.Since(start).Seconds())
		return exitRejected
	}
	fmt.Fprintf(stdout, "\nPASS: all %d checks matched (%.1fs)\n", len(d.rows), time.Since(start).Seconds())
	return exitOK
}

type row struct {
	scenario, transport, expected, got, note string
}

// demo holds everything the demo started; close stops all of it.
type demo struct {
	iss      *issuertest.Server
	cache    *jwks.Cache
	clientTr *http.Transport // trusts the issuer and the demo servers
	httpSrv  *http.Server
	httpURL  string
	grpcSrv  *grpc.Server
	grpcAddr string
	conn     *grpc.ClientConn
	tsc      testgrpc.TestServiceClient
	cc       clientcredentials.Config
	wg       sync.WaitGroup // serving goroutines

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
	secret := randomHex(16)
	d.iss.AddClient(issuertest.Client{ID: demoClientID, Secret: secret, Scopes: []string{demoReadScope}})

	cert, _, err := testcert.Loopback("jwtguard demo")
	if err != nil {
		return nil, err
	}
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
	// Each server gets its own tls.Config: net/http edits the one it is given.
	serverTLS := func() *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	// HTTP: GET /v1/read needs demo.read, POST /v1/write needs demo.write.
	mw, err := httpmw.New(httpmw.Config{Checker: v, OnReject: func(_ *http.Request, f *httpmw.Failure) { d.saw(describe(f.Err)) }})
	if err != nil {
		return nil, err
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := verify.FromContext(r.Context())
		d.saw("accepted, kid " + shortKID(c.KeyID))
		fmt.Fprintf(w, "hello %s\n", c.ClientID)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /v1/read", mw.Require(verify.Scopes{AllOf: []string{demoReadScope}})(hello))
	mux.Handle("POST /v1/write", mw.Require(verify.Scopes{AllOf: []string{demoWriteScope}})(hello))
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.httpURL = "https://" + hl.Addr().String()
	d.httpSrv = &http.Server{Handler: mux, TLSConfig: serverTLS(), ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	d.wg.Go(func() { _ = d.httpSrv.ServeTLS(hl, "", "") })

	// gRPC: UnaryCall and StreamingOutputCall need demo.read, EmptyCall
	// needs demo.write; other methods need a valid token.
	ic, err := grpcmw.New(grpcmw.Config{
		Checker: v,
		Methods: map[string]verify.Scopes{
			testgrpc.TestService_UnaryCall_FullMethodName:           {AllOf: []string{demoReadScope}},
			testgrpc.TestService_StreamingOutputCall_FullMethodName: {AllOf: []string{demoReadScope}},
			testgrpc.TestService_EmptyCall_FullMethodName:           {AllOf: []string{demoWriteScope}},
		},
		OnReject: func(_ context.Context, _ string, err error) { d.saw(describe(err)) },
	})
	if err != nil {
		return nil, err
	}
	d.grpcSrv = grpc.NewServer(grpc.Creds(credentials.NewTLS(serverTLS())),
		grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	testgrpc.RegisterTestServiceServer(d.grpcSrv, &testService{d: d})
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

// script runs every scenario and records one row per check.
func (d *demo) script(ctx context.Context) {
	// The clients: x/oauth2 fetches and attaches tokens for HTTP; gRPC
	// sends them as per-RPC credentials over TLS.
	octx := context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second})
	httpClient := d.cc.Client(octx)
	grpcCreds := grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: d.cc.TokenSource(octx)})
	bare := &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second}

	// allowed call
	d.check("allowed call", "HTTP", "200", d.httpCall(ctx, httpClient, http.MethodGet, "/v1/read"))
	d.check("allowed call", "gRPC unary", "OK", d.unary(ctx, grpcCreds))
	d.check("allowed call", "gRPC stream", "OK", d.stream(ctx, grpcCreds))

	// missing token
	d.check("missing token", "HTTP", "401 Bearer", d.httpCall(ctx, bare, http.MethodGet, "/v1/read"))
	d.check("missing token", "gRPC unary", "Unauthenticated", d.unary(ctx))

	// wrong scope: the client may only get demo.read
	d.check("wrong scope", "HTTP", "403 insufficient_scope", d.httpCall(ctx, httpClient, http.MethodPost, "/v1/write"))
	d.check("wrong scope", "gRPC unary", "PermissionDenied", d.empty(ctx, grpcCreds))

	// expired token (minted by the issuer with exp an hour ago)
	expired := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: d.iss.ExpiredAccessToken(demoClientID), TokenType: "Bearer"})
	d.check("expired token", "HTTP", "401 invalid_token", d.httpCall(ctx, oauth2.NewClient(octx, expired), http.MethodGet, "/v1/read"))
	d.check("expired token", "gRPC unary", "Unauthenticated", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: expired})))

	d.rotation(ctx, octx)
	d.outage(ctx, octx)
}

// rotation makes calls on both transports while the issuer rotates its
// signing key half-way. After the rotation, calls alternate between a token
// signed by the old key (still published) and fresh tokens signed by the
// new one, whose kid the cache has never seen.
func (d *demo) rotation(ctx, octx context.Context) {
	oldTok, err := d.cc.Token(octx)
	if err != nil {
		d.check("key rotation", "both", "token", "token endpoint: "+err.Error())
		return
	}
	oldKID, newKID := d.iss.SigningKID(), ""
	fetches := d.iss.JWKSRequests()
	type tally struct{ ok, firstNew int } // firstNew: 0 not yet, 1 ok, -1 failed
	var th, tg tally
	record := func(t *tally, got, want string, isNew bool) {
		if got == want {
			t.ok++
		}
		if isNew && t.firstNew == 0 {
			t.firstNew = -1
			if got == want {
				t.firstNew = 1
			}
		}
	}
	for i := range demoRotateCalls {
		tok, isNew := oldTok, false
		if i == demoRotateCalls/2 {
			newKID = d.iss.Rotate()
		}
		if i >= demoRotateCalls/2 && i%2 == 0 {
			t, err := d.cc.Token(octx)
			if err != nil {
				break
			}
			tok, isNew = t, tokenKID(t.AccessToken) == newKID
		}
		src := oauth2.StaticTokenSource(tok)
		record(&th, d.httpCall(ctx, oauth2.NewClient(octx, src), http.MethodGet, "/v1/read"), "200", isNew)
		record(&tg, d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: src})), "OK", isNew)
	}
	summary := func(t tally) string {
		s := fmt.Sprintf("%d/%d ok", t.ok, demoRotateCalls)
		switch t.firstNew {
		case 1:
			return s + ", new kid first try"
		case -1:
			return s + ", new kid FAILED first try"
		}
		return s + ", new kid never sent"
	}
	want := fmt.Sprintf("%d/%d ok, new kid first try", demoRotateCalls, demoRotateCalls)
	note := fmt.Sprintf("kid %s -> %s, %d JWKS fetch(es)", shortKID(oldKID), shortKID(newKID), d.iss.JWKSRequests()-fetches)
	d.rows = append(d.rows,
		row{"key rotation", "HTTP", want, summary(th), note},
		row{"key rotation", "gRPC unary", want, summary(tg), note})
}

// outage makes the issuer's JWKS endpoint fail and checks that a refresh
// fails, then calls both servers with a token issued during the outage. The
// verifier has never seen that token, so its token cache cannot answer: the
// cached keys must verify it.
func (d *demo) outage(ctx, octx context.Context) {
	d.iss.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable})
	defer d.iss.SetFault(issuertest.Fault{})
	refresh := "succeeded"
	if err := d.cache.Refresh(ctx); errors.Is(err, jwks.ErrFetch) {
		refresh = "failed"
	} else if err != nil {
		refresh = oneLine(err.Error())
	}
	d.rows = append(d.rows, row{"issuer outage", "JWKS refresh", "failed", refresh, "JWKS answers 503"})

	tok, err := d.cc.Token(octx) // the token endpoint is still up
	if err != nil {
		got := "token endpoint: " + oneLine(err.Error())
		d.rows = append(d.rows, row{"issuer outage", "HTTP", "200", got, ""}, row{"issuer outage", "gRPC unary", "OK", got, ""})
		return
	}
	src := oauth2.StaticTokenSource(tok)
	d.check("issuer outage", "HTTP", "200", d.httpCall(ctx, oauth2.NewClient(octx, src), http.MethodGet, "/v1/read"))
	d.check("issuer outage", "gRPC unary", "OK", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: src})))
}

// check records a row whose note is what the server saw on the last call.
func (d *demo) check(scenario, transport, expected, got string) {
	d.mu.Lock()
	note := d.seen
	d.mu.Unlock()
	d.rows = append(d.rows, row{scenario, transport, expected, got, note})
}

func (d *demo) saw(s string) {
	d.mu.Lock()
	d.seen = s
	d.mu.Unlock()
}

// httpCall returns the outcome "<status>[ <RFC 6750 error>]".
func (d *demo) httpCall(ctx context.Context, c *http.Client, method, path string) string {
	d.saw("-")
	req, err := http.NewRequestWithContext(ctx, method, d.httpURL+path, nil)
	if err != nil {
		return "error: " + err.Error()
	}
	resp, err := c.Do(req)
	if err != nil {
		return "error: " + oneLine(err.Error())
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	return httpOutcome(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
}

// httpOutcome is "<status>", plus the RFC 6750 error code of the Bearer
// challenge, or "Bearer" for a challenge without one (missing token).
func httpOutcome(status int, challenge string) string {
	out := fmt.Sprint(status)
	switch code := challengeError(challenge); {
	case code != "":
		out += " " + code
	case strings.HasPrefix(challenge, "Bearer"):
		out += " Bearer"
	}
	return out
}

// challengeError extracts error="…" from a Bearer challenge.
func challengeError(h string) string {
	_, rest, ok := strings.Cut(h, `error="`)
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, `"`)
	return code
}

func (d *demo) unary(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	_, err := d.tsc.UnaryCall(ctx, &testgrpc.SimpleRequest{FillUsername: true}, opts...)
	return status.Code(err).String()
}

func (d *demo) empty(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	_, err := d.tsc.EmptyCall(ctx, &testgrpc.Empty{}, opts...)
	return status.Code(err).String()
}

func (d *demo) stream(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	st, err := d.tsc.StreamingOutputCall(ctx, &testgrpc.StreamingOutputCallRequest{
		ResponseParameters: []*testgrpc.ResponseParameters{{Size: 8}, {Size: 8}}}, opts...)
	if err != nil {
		return status.Code(err).String()
	}
	for {
		if _, err := st.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return codes.OK.String()
			}
			return status.Code(err).String()
		}
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
		s.d.saw("accepted, kid " + shortKID(c.KeyID))
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
func describe(err error) string {
	switch {
	case errors.Is(err, httpmw.ErrMissingToken): // same value as grpcmw.ErrMissingToken
		return "missing token"
	case errors.Is(err, httpmw.ErrInvalidRequest):
		return "invalid request"
	}
	if r := verify.ReasonOf(err); r != "" {
		return string(r)
	}
	return oneLine(err.Error())
}

// tokenKID returns the unverified kid of a compact JWS, for the report.
func tokenKID(tok string) string {
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var hdr struct {
		KID string `json:"kid"`
	}
	_ = json.Unmarshal(b, &hdr)
	return hdr.KID
}

func shortKID(kid string) string {
	if len(kid) > 15 {
		return kid[:15] + "…"
	}
	return kid
}

// printTable writes the rows and returns how many did not match.
func printTable(w io.Writer, rows []row) (failed int) {
	header := []string{"scenario", "transport", "expected", "got", "ok", "server saw"}
	cells := [][]string{header}
	for _, r := range rows {
		ok := "ok"
		if r.got != r.expected {
			ok, failed = "FAIL", failed+1
		}
		cells = append(cells, []string{r.scenario, r.transport, r.expected, r.got, ok, r.note})
	}
	width := make([]int, len(header))
	for _, c := range cells {
		for i, s := range c {
			width[i] = max(width[i], len([]rune(s)))
		}
	}
	line := func(c []string) {
		var b strings.Builder
		for i, s := range c {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(s)
			if i < len(c)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(s))))
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	fmt.Fprintln(w, strings.Join(sep, "-+-"))
	for _, c := range cells[1:] {
		line(c)
	}
	return failed
}
