package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/jwtguard/jwtguard/examples/internal/demotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSmoke(t *testing.T) {
	var want []string
	for _, proto := range []string{"connect", "grpc"} {
		want = append(want,
			proto+" no token /sms.v1.SmsService/Me unauthenticated",
			proto+" valid token /sms.v1.SmsService/Me ok hello demo-client",
			proto+" wrong scope /sms.v1.SmsService/Send permission_denied",
			proto+` right scope /sms.v1.SmsService/Send ok queued "hi" for demo-client`)
	}
	demotest.Smoke(t, run, want...)
}
