package connectguard_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// A token bound to a client certificate (RFC 8705 §3) is accepted only
// over a connection that presented that certificate. TLSHandler hands the
// certificate to the interceptor.
func ExampleTLSHandler() {
	ctx := context.Background()
	iss := issuertest.NewServer(issuertest.Config{TLS: true})
	defer iss.Close()
	keys, err := jwks.New(ctx, jwks.Config{Issuer: iss.Issuer(), HTTPClient: iss.Client()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer keys.Close()
	v, err := verify.New(verify.Config{Issuers: []verify.Issuer{{Name: iss.Issuer(), Keys: keys}}, InsecureSkipAudienceCheck: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	guard, err := connectguard.New(connectguard.Config{Checker: v})
	if err != nil {
		fmt.Println(err)
		return
	}
	const proc = "/sms.v1.SmsService/Send"
	h := connect.NewUnaryHandler(proc,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			claims, _ := verify.FromContext(ctx)
			return connect.NewResponse(wrapperspb.String("queued for " + claims.Subject)), nil
		}, connect.WithInterceptors(guard))
	srv := httptest.NewUnstartedServer(connectguard.TLSHandler(h))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert} // ask clients for a certificate
	srv.StartTLS()
	defer srv.Close()

	// The client's certificate, and a token the issuer bound to it.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	leaf, _ := x509.ParseCertificate(der)
	claims := iss.AccessTokenClaims("svc")
	claims["cnf"] = map[string]any{"x5t#S256": issuertest.CertThumbprint(leaf)}
	token := iss.Mint(claims, issuertest.MintOptions{})

	call := func(hc *http.Client) {
		client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](hc, srv.URL+proc)
		req := connect.NewRequest(wrapperspb.String("hi"))
		req.Header().Set("Authorization", "Bearer "+token)
		resp, err := client.CallUnary(ctx, req)
		if err != nil {
			fmt.Println(connect.CodeOf(err))
			return
		}
		fmt.Println(resp.Msg.GetValue())
	}
	call(srv.Client()) // no client certificate
	tr := srv.Client().Transport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	tr.TLSClientConfig.Certificates = []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}
	call(&http.Client{Transport: tr})
	// Output:
	// unauthenticated
	// queued for svc
}
