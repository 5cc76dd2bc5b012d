package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/jwtguard/jwtguard/examples/internal/demotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSmoke(t *testing.T) { demotest.Smoke(t, run, demotest.HTTP...) }
