package introspect_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The Checker's remote calls run on goroutines it owns; goleak checks that
// Close waits for them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
