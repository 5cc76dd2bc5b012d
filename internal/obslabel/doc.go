// Package obslabel turns jwtguard's hook payloads into the bounded label
// values that the metrics integrations (OpenTelemetry, Prometheus) share,
// so both name the same things the same way.
//
// Every value comes from a fixed set or from the operator's configuration:
// a token's unverified "iss" or "kid" never becomes a label, since a client
// could otherwise mint unbounded label values.
//
// # Security
//
// The label sets are bounded: reasons and results are constants, issuers
// are limited to the configured names, and everything else is "other".
package obslabel
