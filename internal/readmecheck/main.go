// Command readmecheck is the quick start shown in README.md. It is compiled
// by go vet and the tests, and readme_test.go fails when the README's code
// block and the region between the README markers below drift apart.
package main

import (
	"context"
	"log"
	"net"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// README:begin
func main() {
	ctx := context.Background()
	// Discovers jwks_uri; refreshes in the background; a new kid is fetched at once.
	keys, err := jwks.New(ctx, jwks.Config{Issuer: "https://id.wgtwo.com/"})
	check(err)
	defer keys.Close()
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: "https://id.wgtwo.com/", Keys: keys}}, // exact, slash included
		Audiences: []string{"https://api.example.com/"},
	})
	check(err)

	// net/http: per-route scopes on ServeMux patterns.
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	check(err)
	mux := http.NewServeMux()
	mux.Handle("POST /v1/sms", mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})(sendSMS))
	go func() { log.Fatal(http.ListenAndServe(":8080", mux)) }()

	// gRPC: the same verifier, scopes per full method name.
	ic, err := grpcmw.New(grpcmw.Config{Checker: v, Skip: grpcmw.SkipHealthAndReflection,
		Methods: map[string]verify.ScopeRule{
			"/wgtwo.sms.v1.SmsService/SendTextToSubscriber": {AllOf: []string{"sms.text:send_to_subscriber"}},
		}})
	check(err)
	creds, err := credentials.NewServerTLSFromFile("cert.pem", "key.pem")
	check(err)
	srv := grpc.NewServer(grpc.Creds(creds),
		grpc.ChainUnaryInterceptor(ic.Unary()), grpc.ChainStreamInterceptor(ic.Stream()))
	lis, err := net.Listen("tcp", ":8443")
	check(err)
	log.Fatal(srv.Serve(lis))
}

var sendSMS = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	claims, _ := verify.FromContext(r.Context()) // set by the middleware
	w.Write([]byte("queued for client " + claims.ClientID))
})

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// README:end
