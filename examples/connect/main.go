// Command connect protects a Connect service (connectrpc.com/connect)
// with integrations/connectguard; the same handler answers the Connect,
// gRPC and gRPC-Web protocols. The service uses protobuf's well-known
// wrapper messages, so no code generation is needed.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	procMe   = "/sms.v1.SmsService/Me"
	procSend = "/sms.v1.SmsService/Send"
)

func main() { demo.Main(run) }

func run(ctx context.Context, addr string, smoke bool, out io.Writer) error {
	env, err := demo.Start(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	guard, err := connectguard.New(connectguard.Config{
		Checker: env.Verifier,
		Procedures: map[string]verify.ScopeRule{
			procMe:   {}, // any valid token
			procSend: {AllOf: []string{demo.ScopeSend}},
		},
		DenyUnlisted: true,
		OnReject:     rejectlog.Hook(slog.Default(), rejectlog.Options{Level: slog.LevelDebug}),
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", env.Ready)
	mux.Handle(procMe, connect.NewUnaryHandler(procMe, me, connect.WithInterceptors(guard)))
	mux.Handle(procSend, connect.NewUnaryHandler(procSend, send, connect.WithInterceptors(guard)))

	if !smoke {
		fmt.Fprintf(out, "call with: curl -k -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '\"hi\"' https://%s%s\n", addr, procSend)
		return env.ServeWith(ctx, addr, mux, nil, out)
	}
	return env.ServeWith(ctx, addr, mux, func(ctx context.Context, base string) error {
		return callAll(ctx, env, base, out)
	}, out)
}

func me(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
	claims, _ := verify.FromContext(ctx) // set by the interceptor
	return connect.NewResponse(wrapperspb.String("hello " + claims.Subject)), nil
}

func send(ctx context.Context, req *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
	claims, _ := verify.FromContext(ctx)
	return connect.NewResponse(wrapperspb.String(fmt.Sprintf("queued %q for %s", req.Msg.GetValue(), claims.Subject))), nil
}

// callAll calls both procedures over the Connect and gRPC protocols with
// no token, a token lacking the scope and a token with it.
func callAll(ctx context.Context, env *demo.Env, base string, out io.Writer) error {
	httpClient := env.HTTPClient()
	defer httpClient.CloseIdleConnections()
	calls := []struct{ name, procedure, token string }{
		{"no token", procMe, ""},
		{"valid token", procMe, env.Token(demo.ScopeRead)},
		{"wrong scope", procSend, env.Token(demo.ScopeRead)},
		{"right scope", procSend, env.Token(demo.ScopeSend)},
	}
	for _, proto := range []struct {
		name string
		opts []connect.ClientOption
	}{{"connect", nil}, {"grpc", []connect.ClientOption{connect.WithGRPC()}}} {
		for _, c := range calls {
			client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](httpClient, base+c.procedure, proto.opts...)
			req := connect.NewRequest(wrapperspb.String("hi"))
			if c.token != "" {
				req.Header().Set("Authorization", "Bearer "+c.token)
			}
			resp, err := client.CallUnary(ctx, req)
			result := "ok"
			if err != nil {
				result = connect.CodeOf(err).String()
			} else {
				result += " " + resp.Msg.GetValue()
			}
			fmt.Fprintf(out, "%-7s %-11s %-24s %s\n", proto.name, c.name, c.procedure, result)
		}
	}
	return nil
}
