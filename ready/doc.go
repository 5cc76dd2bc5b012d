// Package ready tells load balancers and orchestrators whether a service
// can vouch for tokens right now.
//
// A [Checker] reports whether one dependency is ready; [Keys] adapts a
// [jwks.Cache] (ready while its Status says Available: loaded, not closed,
// and inside the stale window). A [Probe] runs a fixed set of named checkers
// and serves the result as an http.Handler: 200 with
// {"status":"ok",...} when every checker is ready, 503 with
// {"status":"unavailable","checks":{"name":"unavailable",...}} otherwise.
// [Health] drives a gRPC health server (google.golang.org/grpc/health) from
// the same Probe, re-checking on an interval from one goroutine that
// [Health.Close] stops and waits for.
//
// Mount the Probe on a readiness path (for example "GET /readyz") and not
// behind the token middleware: a probe carries no token.
//
// # Security
//
// The response names each configured checker and says only "ok" or
// "unavailable": the errors behind a failing check (issuer URLs, fetch
// errors) are never sent; [Probe.Check] returns them to the operator. The
// names are the operator's, never request input. Each probe request runs
// every checker once, bounded by Config.Timeout; the checkers must be
// cheap (Keys reads a snapshot and makes no network call), so a flood of
// probe requests cannot drive fetches to the issuer.
package ready
