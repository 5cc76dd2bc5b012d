package rejectlog_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

func ExampleHook() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey { // keep the output stable
				return slog.Attr{}
			}
			return a
		}}))
	hook := rejectlog.Hook(logger, rejectlog.Options{})
	_ = httpmw.Config{OnReject: hook} // one hook for every transport
	cfg := grpcmw.Config{OnReject: hook}

	// What grpcmw reports for a call without credentials:
	cfg.OnReject(context.Background(), verify.Rejection{Transport: "grpc", Method: "/sms.v1.SmsService/Send",
		Outcome: verify.OutcomeMissingToken, Err: grpcmw.ErrMissingToken})
	// Output:
	// level=INFO msg="jwtguard: refused" transport=grpc method=/sms.v1.SmsService/Send outcome=missing_token reason=missing_token error="bearer: no bearer credentials"
}
