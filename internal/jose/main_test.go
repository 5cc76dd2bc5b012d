package jose

import (
	"testing"

	"go.uber.org/goleak"
)

// The package owns no goroutines; goleak checks the tests' own.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
