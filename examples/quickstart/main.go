// Command quickstart protects an HTTP route and a gRPC service with the
// access tokens of one OAuth 2.0 issuer. Both serve TLS with -cert and -key,
// or with a certificate for localhost made at start-up. For opaque tokens
// (Hydra's default), use introspect.Route(v, remote) as the Checker.
package main

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

var (
	issuer   = flag.String("issuer", cmp.Or(os.Getenv("OAUTH_ISSUER"), "https://id.wgtwo.com/"), "token issuer")
	audience = flag.String("audience", "https://api.example.com/", "this API, as tokens name it in aud")
	caFile   = flag.String("ca-file", "", "PEM CA certificates of a private issuer")
	certFile = flag.String("cert", "", "PEM certificate to serve (default: self-signed)")
	keyFile  = flag.String("key", "", "PEM private key of -cert")
	httpAddr = flag.String("http", "localhost:8080", "HTTPS address")
	grpcAddr = flag.String("grpc", "localhost:8443", "gRPC address")
)

var send = verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}}

func main() {
	flag.Parse()
	jc := jwks.Config{Issuer: *issuer} // RootCAs nil: the system's
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		check(err)
		if jc.RootCAs = x509.NewCertPool(); !jc.RootCAs.AppendCertsFromPEM(pem) {
			log.Fatalf("%s: no certificate", *caFile)
		}
	}
	// Discovers jwks_uri and refreshes in the background (keys.Close stops it).
	keys, err := jwks.New(context.Background(), jc)
	check(err)
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: *issuer, Keys: keys}}, // exact, slash included
		Audiences: []string{*audience},
	})
	check(err)
	tc := &tls.Config{Certificates: []tls.Certificate{selfSigned()}}
	if *certFile != "" {
		tc.Certificates[0], err = tls.LoadX509KeyPair(*certFile, *keyFile)
		check(err)
	}

	// net/http: per-route scopes on ServeMux patterns.
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	check(err)
	mux := http.NewServeMux()
	mux.Handle("GET /v1/me", mw.Handler(whoami)) // any valid token
	mux.Handle("POST /v1/sms", mw.Require(send)(whoami))
	hl, err := net.Listen("tcp", *httpAddr)
	check(err)
	hs := &http.Server{Handler: mux, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second}
	go func() { log.Fatal(hs.ServeTLS(hl, "", "")) }()

	// gRPC: the same verifier, scopes per full method name.
	ic, err := grpcmw.New(grpcmw.Config{Checker: v, Skip: grpcmw.SkipHealthAndReflection,
		Methods: map[string]verify.ScopeRule{testpb.TestService_UnaryCall_FullMethodName: send}})
	check(err)
	gs := grpc.NewServer(grpc.Creds(credentials.NewTLS(tc)),
		grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	testpb.RegisterTestServiceServer(gs, service{})
	gl, err := net.Listen("tcp", *grpcAddr)
	check(err)
	log.Printf("HTTPS on %s, gRPC on %s, tokens from %s", hl.Addr(), gl.Addr(), *issuer)
	log.Fatal(gs.Serve(gl))
}

var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	claims, _ := verify.FromContext(r.Context()) // set by the middleware
	fmt.Fprintln(w, r.Method, r.URL.Path, "for client", claims.ClientID)
})

// service stands in for yours: grpc-go's interop TestService.
type service struct {
	testpb.UnimplementedTestServiceServer
}

func (service) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	claims, _ := verify.FromContext(ctx) // set by the interceptor
	return &testpb.SimpleResponse{Username: claims.ClientID}, nil
}

// selfSigned makes a certificate for localhost, valid for a day.
func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotAfter: time.Now().Add(24 * time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	check(err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
