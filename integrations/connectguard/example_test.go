package connectguard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

func Example() {
	ctx := context.Background()
	iss := issuertest.NewServer(issuertest.Config{TLS: true}) // stands in for id.wgtwo.com
	defer iss.Close()
	iss.AddClient(issuertest.Client{ID: "svc", Secret: "s3cret", Scopes: []string{"sms.text:send_to_subscriber"}})

	keys, err := jwks.New(ctx, jwks.Config{Issuer: iss.Issuer(), HTTPClient: iss.Client()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer keys.Close()
	v, err := verify.New(verify.Config{
		Issuers:                   []verify.Issuer{{Name: iss.Issuer(), Keys: keys}},
		InsecureSkipAudienceCheck: true, // Hydra's "aud": [] access tokens
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	guard, err := connectguard.New(connectguard.Config{
		Checker: v,
		Procedures: map[string]verify.ScopeRule{
			"/sms.v1.SmsService/Send": {AllOf: []string{"sms.text:send_to_subscriber"}},
		},
		DenyUnlisted: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	mux.Handle("/sms.v1.SmsService/Send", connect.NewUnaryHandler("/sms.v1.SmsService/Send",
		func(ctx context.Context, req *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			claims, _ := verify.FromContext(ctx) // set by the interceptor
			return connect.NewResponse(wrapperspb.String("queued for " + claims.Subject)), nil
		}, connect.WithInterceptors(guard)))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](
		srv.Client(), srv.URL+"/sms.v1.SmsService/Send", connect.WithGRPC())
	_, err = client.CallUnary(ctx, connect.NewRequest(wrapperspb.String("hi")))
	fmt.Println(connect.CodeOf(err))

	req := connect.NewRequest(wrapperspb.String("hi"))
	req.Header().Set("Authorization", "Bearer "+iss.AccessToken("svc", "sms.text:send_to_subscriber"))
	resp, err := client.CallUnary(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Msg.GetValue())
	// Output:
	// unauthenticated
	// queued for svc
}
