// Package bearer extracts an OAuth 2.0 bearer token from Authorization
// values (RFC 6750 §2.1). httpmw passes every Authorization header value of
// a request; grpcmw passes every value of the "authorization" metadata key.
// Both transports thus refuse the same inputs for the same reasons.
//
// The grammar is RFC 6750 §2.1:
//
//	credentials = "Bearer" 1*SP b64token
//	b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//
// with the scheme compared case-insensitively (RFC 9110 §11.1) and optional
// whitespace (SP / HTAB) around the whole value ignored, as RFC 9110 §5.5
// says field values carry none. Nothing else is normalised: gRPC metadata
// values are used as they arrive (HTTP/2 forbids surrounding whitespace in
// field values anyway), and no percent- or base64-decoding is done.
//
// # Security
//
// Exactly one credential from exactly one Authorization value is accepted
// (threat model T15): two values, two tokens, or a scheme without a token
// are refused as invalid requests, never guessed between. Parse does not cap
// the token's length: it runs in O(len(value)) time
// without allocating, and the verifier refuses oversized tokens
// (verify.Config.MaxTokenBytes, 16 KiB by default) before doing any work.
// The transports' own limits (net/http's MaxHeaderBytes, grpc's
// MaxHeaderListSize) bound the input.
package bearer
