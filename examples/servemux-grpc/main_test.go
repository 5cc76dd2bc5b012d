package main

import (
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/jwtguard/jwtguard/examples/internal/demotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSmoke(t *testing.T) {
	demotest.Smoke(t, run, slices.Concat(demotest.HTTP, []string{
		"grpc health SERVING OK",
		"grpc no token EmptyCall Unauthenticated",
		"grpc valid token EmptyCall OK",
		"grpc wrong scope UnaryCall PermissionDenied",
		"grpc right scope UnaryCall OK demo-client"})...)
}
