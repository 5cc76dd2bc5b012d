// Package promguard exports jwtguard's decisions, refusals and JWKS
// fetches as Prometheus metrics, for services without OpenTelemetry.
//
// [New] returns a [Metrics], a prometheus.Collector to register, whose
// methods are jwtguard's hooks:
//
//	m := promguard.New(promguard.Config{Issuers: []string{"https://id.wgtwo.com/"}})
//	prometheus.MustRegister(m)
//	verify.Config{OnDecision: m.OnDecision}
//	jwks.Config{OnEvent: m.JWKS("wgtwo")}
//	httpmw.Config{OnReject: m.OnReject}
//	grpcmw.Config{OnReject: m.OnReject}
//	connectguard.Config{OnReject: m.OnReject}
//
// Metrics:
//
//	jwtguard_verify_decisions_total{reason,issuer,cache}
//	jwtguard_verify_duration_seconds{reason}              histogram
//	jwtguard_rejections_total{transport,reason}
//	jwtguard_jwks_fetches_total{issuer,result,trigger}
//	jwtguard_jwks_fetch_duration_seconds{issuer,result}   histogram
//	jwtguard_jwks_keys{issuer}                            gauge
//	jwtguard_jwks_unknown_kid_total{issuer,result}
//	jwtguard_jwks_keys_skipped_total{issuer}
//
// reason is "ok" or a verify.Reason for decisions and a rejectlog.Label
// label for rejections; cache is "hit" when the verified-token cache
// answered; a fetch's result is "updated", "not_modified" or "failed".
// The names and labels match those of the otelguard package.
//
// # Security
//
// Label values are bounded: the token's unverified "iss" becomes a label
// only when it is one of Config.Issuers ("other" otherwise); its "kid",
// the token and error details never do. The hooks only update in-memory
// counters.
package promguard
