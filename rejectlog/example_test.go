package rejectlog_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/rejectlog"
)

func ExampleRPC() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey { // keep the output stable
				return slog.Attr{}
			}
			return a
		}}))
	cfg := grpcmw.Config{OnReject: rejectlog.RPC(logger, "grpc", rejectlog.Options{})}

	// What grpcmw does for a call without credentials:
	cfg.OnReject(context.Background(), "/sms.v1.SmsService/Send", grpcmw.ErrMissingToken)
	// Output:
	// level=INFO msg="jwtguard: call refused" transport=grpc method=/sms.v1.SmsService/Send reason=missing_token error="bearer: no bearer credentials"
}
