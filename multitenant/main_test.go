package multitenant

import (
	"testing"

	"go.uber.org/goleak"
)

// Every cache the Resolver sets up runs a goroutine; goleak proves Close
// and eviction stop them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
