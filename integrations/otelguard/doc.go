// Package otelguard reports jwtguard's decisions, refusals and JWKS
// fetches as OpenTelemetry metrics and traces.
//
// It is fed from the hooks jwtguard already has; [New] returns a
// [Telemetry] whose methods are those hooks:
//
//	verify.Config{OnDecision: tel.OnDecision}            // every verification
//	jwks.Config{OnEvent: tel.JWKS("https://id.wgtwo.com/")} // fetches, unknown kids
//	httpmw.Config{OnReject: tel.OnReject}                 // refusals, by transport
//	grpcmw.Config{OnReject: tel.OnReject}
//	connectguard.Config{OnReject: tel.OnReject}
//	httpmw.Config{Checker: tel.Checker(verifier)}          // a span per verification
//
// Metrics (attribute names in brackets):
//
//	jwtguard.verify.decisions     counter    [jwtguard.reason, jwtguard.issuer, jwtguard.cache]
//	jwtguard.verify.duration      histogram s [jwtguard.reason]
//	jwtguard.rejections           counter    [jwtguard.transport, jwtguard.reason]
//	jwtguard.jwks.fetches         counter    [jwtguard.issuer, jwtguard.result, jwtguard.trigger]
//	jwtguard.jwks.fetch.duration  histogram s [jwtguard.issuer, jwtguard.result]
//	jwtguard.jwks.keys            gauge      [jwtguard.issuer]
//	jwtguard.jwks.unknown_kid     counter    [jwtguard.issuer, jwtguard.result]
//	jwtguard.jwks.keys_skipped    counter    [jwtguard.issuer]
//
// jwtguard.reason is "ok" or a verify.Reason for decisions, and a
// rejectlog.Label for rejections; jwtguard.cache is "hit" when the
// verified-token cache answered; jwtguard.result of a fetch is "updated",
// "not_modified" or "failed".
//
// Traces: [Telemetry.Checker] wraps a verify.Checker so that each
// verification is a "jwtguard.verify" span, a child of the request's span
// (from otelhttp, otelgrpc or otelconnect); the reject hooks add a
// "jwtguard.rejected" event to the request's span; each JWKS fetch is a
// "jwtguard.jwks.fetch" span of its own (fetches run in the cache's
// goroutine, outside any request), timed from the event.
//
// # Security
//
// Label values are bounded: the token's unverified "iss" is recorded only
// when it is one of Config.Issuers ("other" otherwise), and its "kid", the
// token itself and error details are never recorded. Span attributes follow
// the same rule. The hooks run synchronously on the request path and only
// record in memory.
package otelguard
