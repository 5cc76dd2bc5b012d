package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// itable is one table written by the bench module's interleaved harness
// (-interleave.out): per contender, the 25th/50th/75th percentiles over
// the rounds of its ns/op, its ratio to the baseline and its difference
// from the baseline, each computed within a round.
type itable struct {
	Table    string `json:"table"`
	Baseline string `json:"baseline"`
	Rounds   int    `json:"rounds"`
	Rows     []irow `json:"rows"`
}

type irow struct {
	Name  string     `json:"name"`
	Note  string     `json:"note"`
	Batch int        `json:"batch"`
	NS    [3]float64 `json:"ns"`
	Ratio [3]float64 `json:"ratio"`
	Diff  [3]float64 `json:"diff"`
}

// interleaved maps a table name ("verify/rsa2048") to its table.
type interleaved map[string]itable

func parseInterleaved(r io.Reader) (interleaved, error) {
	out := interleaved{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var t itable
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			return nil, fmt.Errorf("interleaved results: %w", err)
		}
		out[t.Table] = t // a later run of the same table replaces it
	}
	return out, sc.Err()
}

func (it interleaved) row(table, name string) (irow, bool) {
	for _, r := range it[table].Rows {
		if r.Name == name {
			return r, true
		}
	}
	return irow{}, false
}

// spread renders a median with its interquartile range.
func spread(q [3]float64, format string) string {
	return fmt.Sprintf(format+" ("+format+"–"+format+")", q[1], q[0], q[2])
}

// Verdicts of a target check. A target is "met" only when the whole
// interquartile range is on the right side of it, "missed" when the whole
// range is on the wrong side, and "not resolved" otherwise: a difference
// inside the noise proves nothing either way.
const (
	verdictMet         = "met"
	verdictMissed      = "missed"
	verdictNotResolved = "not resolved"
)

// atMost judges "value ≤ target" from a value's quartiles.
func atMost(q [3]float64, target float64) string {
	switch {
	case q[2] <= target:
		return verdictMet
	case q[0] > target:
		return verdictMissed
	default:
		return verdictNotResolved
	}
}

// overheadAtMost judges "overhead ≤ target ns" from the quartiles of the
// per-round difference to the baseline. An overhead whose range reaches
// zero or below was not resolved from the noise, so it cannot be "met".
func overheadAtMost(q [3]float64, target float64) string {
	if q[0] <= 0 {
		return verdictNotResolved
	}
	return atMost(q, target)
}

func writeInterleaved(w *bytes.Buffer, it interleaved) {
	if len(it) == 0 {
		fmt.Fprintf(w, "## Interleaved comparison\n\nNot measured in this run.\n\n")
		return
	}
	fmt.Fprintf(w, "## Interleaved comparison (the headline figures)\n\n")
	fmt.Fprintf(w, "Every contender of a table runs a small batch of calls (about 2 ms) in each round, in a new random "+
		"order per round, so load on the shared machine moves all of them alike. Each cell is the median over "+
		"the rounds, with the 25th–75th percentile range in brackets; ratios and differences are computed "+
		"within each round, against the table's baseline.\n\n")
	for _, k := range keys {
		writeITable(w, it, "verify/"+k.name, "Verify one token, "+k.title, "× floor", verifyRows, false)
		writeITable(w, it, "http/"+k.name, "HTTP: one request through the middleware, "+k.title, "over bare", httpIRows, true)
	}
	writeITable(w, it, "grpc-interceptor/rsa2048", "gRPC: the unary interceptor in isolation (same in-process call path as the bare handler)",
		"over bare", grpcIRows, true)
}

func writeITable(w *bytes.Buffer, it interleaved, name, title, col string, rows [][2]string, diff bool) {
	t, ok := it[name]
	if !ok {
		return
	}
	fmt.Fprintf(w, "### %s\n\n%d rounds; baseline: %s.\n\n", title, t.Rounds, t.Baseline)
	fmt.Fprintf(w, "| library | ns/op | %s | note |\n|---|--:|--:|---|\n", col)
	for _, label := range rows {
		r, ok := it.row(name, label[0])
		if !ok {
			continue
		}
		rel := spread(r.Ratio, "%.2f") + "×"
		if diff {
			rel = spread(r.Diff, "%+.0f") + " ns"
		}
		if r.Name == t.Baseline {
			rel = "baseline"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", label[1], spread(r.NS, "%.0f"), rel, r.Note)
	}
	fmt.Fprintln(w)
}

// Interleaved HTTP and gRPC rows: label → display name.
var (
	httpIRows = [][2]string{
		{"bare", "bare handler"},
		{"auth0", "auth0/go-jwt-middleware v2 CheckJWT"},
		{"jwtguard-cold", "**jwtguard httpmw**, token cache off"},
		{"jwtguard-warm", "**jwtguard httpmw**, token cache hit"},
	}
	grpcIRows = [][2]string{
		{"bare", "handler called directly"},
		{"jwtguard-warm", "**jwtguard grpcmw** Unary, token cache hit"},
	}
)

// writeInterleavedTargets adds the targets decided from interleaved
// tables to the targets table (check writes one row).
func writeInterleavedTargets(it interleaved, check func(target, key, measured, verdict string)) {
	for _, t := range []struct {
		key, title string
		max        float64
	}{{"rsa2048", "RSA-2048", 0.75}, {"rsa4096", "RSA-4096", 0.45}} {
		if r, ok := it.row("verify/"+t.key, "jwtguard-cold"); ok {
			check(fmt.Sprintf("cold ≤ %.2f × crypto/rsa (interleaved)", t.max), t.title, spread(r.Ratio, "%.2f")+"×", atMost(r.Ratio, t.max))
		} else {
			check(fmt.Sprintf("cold ≤ %.2f × crypto/rsa (interleaved)", t.max), t.title, "not measured", "n/a")
		}
		if r, ok := it.row("verify/"+t.key, "jwtguard-warm"); ok {
			check("warm hit ≤ 150 ns (real clock, 1 live token)", t.title, spread(r.NS, "%.0f")+" ns", atMost(r.NS, 150))
		}
		if r, ok := it.row("http/"+t.key, "jwtguard-warm"); ok {
			check("httpmw ≤ 250 ns over bare (warm, interleaved)", t.title, spread(r.Diff, "%+.0f")+" ns", overheadAtMost(r.Diff, 250))
		}
	}
	if r, ok := it.row("grpc-interceptor/rsa2048", "jwtguard-warm"); ok {
		check("grpcmw interceptor ≤ 250 ns over a direct call (warm, interleaved)", "RSA-2048", spread(r.Diff, "%+.0f")+" ns", overheadAtMost(r.Diff, 250))
	}
}
