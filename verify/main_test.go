package verify

import (
	"testing"

	"go.uber.org/goleak"
)

// The verifier owns no goroutines; goleak checks the tests' own and any
// a key source might start.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
