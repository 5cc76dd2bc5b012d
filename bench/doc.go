// Package bench holds jwtguard's side-by-side benchmarks against its peers.
// It is its own module so that the peers never enter users' builds; it
// has no exported API. See run.sh and RESULTS.md.
package bench
