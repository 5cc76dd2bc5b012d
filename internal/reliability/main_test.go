// Package reliability holds the project's fault-injection tests and its
// load test during key rotation. It has no non-test code: the tests drive the
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
