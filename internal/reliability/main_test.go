// Package reliability holds the project's fault-injection and load tests
// (issue 7 items 2 and 3). It has no non-test code: the tests drive the
// public API of jwks, verify, httpmw and grpcmw together, as a service
// would, and assert what clients see while the issuer misbehaves.
package reliability

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
