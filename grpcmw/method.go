package grpcmw

import "context"

// SkipHealthAndReflection is a [Config.Skip] predicate that lets the
// standard health service (grpc.health.v1.Health: Check, Watch and List)
// and server reflection (grpc.reflection.v1 and v1alpha
// ServerReflection/ServerReflectionInfo) through without a token, so that
// load balancers and grpcurl work unauthenticated. It matches these whole
// full method names exactly and nothing else: not other methods of those
// services, not names without the leading slash, not longer names that
// start with them. Reflection discloses the server's whole API schema:
// leave it out of Skip when that matters.
func SkipHealthAndReflection(_ context.Context, fullMethod string) bool {
	switch fullMethod {
	case "/grpc.health.v1.Health/Check",
		"/grpc.health.v1.Health/Watch",
		"/grpc.health.v1.Health/List",
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
		"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo":
		return true
	}
	return false
}

// validMethodName reports whether name is exactly "/service/method": a
// slash, one or more identifiers joined by single dots, a slash, and one
// identifier, where an identifier is [A-Za-z0-9_]+.
//
// Hand-written because no library states this rule: grpc-go routes on the
// last slash and hands any other name to an unknown-service handler as it
// came, so a name such as "/grpc.health.v1.Health/Check/x.Admin/Delete" or
// one with percent escapes would otherwise reach Skip and the method
// table in a form they were not written for.
func validMethodName(name string) bool {
	if len(name) < 4 || name[0] != '/' {
		return false
	}
	slashes := 0
	prev := byte('/') // the byte before the current one
	for i := 1; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case c == '.' && slashes == 0 && prev != '/' && prev != '.':
		case c == '/' && slashes == 0 && prev != '/' && prev != '.':
			slashes++
		default:
			return false
		}
		prev = c
	}
	return slashes == 1 && prev != '/'
}
