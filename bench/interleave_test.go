package bench

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// The interleaved harness. Plain benchmarks run one library for a while,
// then the next, so a slow minute on a shared machine lands on whichever
// library happened to be running. Here every contender of a table runs a
// small batch of calls in each round, in a fresh random order per round,
// and each round's ratio to the table's baseline is computed from batches
// timed seconds apart at most. Load on the machine then moves every
// contender alike, and the spread of the per-round ratios says how far the
// median can be trusted.
var (
	interleaveOut    = flag.String("interleave.out", "", "append the interleaved tables as JSON lines to this file")
	interleaveRounds = flag.Int("interleave.rounds", 30, "rounds per interleaved table")
	interleaveBatch  = flag.Duration("interleave.batch", 2*time.Millisecond, "target duration of one contender's batch")
)

// contender is one row of an interleaved table.
type contender struct {
	name string
	// note qualifies the row for the reader, e.g. that it is a cache hit
	// and not a full verification.
	note string
	op   func() error
}

// row is one contender's result: medians and quartiles over the rounds of
// its ns/op, its ratio to the baseline and its difference from the
// baseline (ns/op), each computed per round.
type row struct {
	Name  string     `json:"name"`
	Note  string     `json:"note,omitempty"`
	Batch int        `json:"batch"`
	NS    [3]float64 `json:"ns"`    // p25, median, p75
	Ratio [3]float64 `json:"ratio"` // to the baseline, per round
	Diff  [3]float64 `json:"diff"`  // minus the baseline, ns/op, per round
}

// table is what one interleaved benchmark writes.
type table struct {
	Table    string `json:"table"`
	Baseline string `json:"baseline"`
	Rounds   int    `json:"rounds"`
	Rows     []row  `json:"rows"`
}

var interleaveMu sync.Mutex

// interleave measures cs (cs[0] is the baseline) and reports each row's
// median ratio as a metric; with -interleave.out it appends the table.
func interleave(b *testing.B, name string, cs []contender) {
	b.Helper()
	for _, c := range cs { // warm up: first fetch, lazy init, caches
		if err := c.op(); err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
	}
	batch := make([]int, len(cs))
	for i, c := range cs {
		batch[i] = calibrate(b, c.op, *interleaveBatch)
	}
	rounds := max(*interleaveRounds, 3)
	ns := make([][]float64, len(cs))
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	for range rounds {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			start := time.Now()
			for range batch[i] {
				if err := cs[i].op(); err != nil {
					b.Fatalf("%s: %v", cs[i].name, err)
				}
			}
			ns[i] = append(ns[i], float64(time.Since(start).Nanoseconds())/float64(batch[i]))
		}
	}
	t := table{Table: name, Baseline: cs[0].name, Rounds: rounds}
	for i, c := range cs {
		ratio := make([]float64, rounds)
		diff := make([]float64, rounds)
		for r := range rounds {
			ratio[r] = ns[i][r] / ns[0][r]
			diff[r] = ns[i][r] - ns[0][r]
		}
		t.Rows = append(t.Rows, row{Name: c.name, Note: c.note, Batch: batch[i],
			NS: quartiles(ns[i]), Ratio: quartiles(ratio), Diff: quartiles(diff)})
		b.ReportMetric(quartiles(ratio)[1], c.name+"-x")
	}
	if *interleaveOut != "" {
		writeTable(b, t)
	}
}

// calibrate returns how many calls of op take about d (at least 1).
func calibrate(b *testing.B, op func() error, d time.Duration) int {
	n := 1
	for {
		start := time.Now()
		for range n {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		if el >= d/4 || n >= 1<<20 {
			return max(1, int(float64(n)*float64(d)/float64(max(el, 1))))
		}
		n *= 4
	}
}

// quartiles returns the 25th, 50th and 75th percentiles of xs.
func quartiles(xs []float64) [3]float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 {
		pos := p * float64(len(s)-1)
		lo := int(pos)
		if lo+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
	}
	return [3]float64{q(0.25), q(0.5), q(0.75)}
}

func writeTable(b *testing.B, t table) {
	interleaveMu.Lock()
	defer interleaveMu.Unlock()
	f, err := os.OpenFile(*interleaveOut, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := json.NewEncoder(f).Encode(t); err != nil {
		b.Fatal(err)
	}
}

// TestQuartiles: the spread the reports rely on.
func TestQuartiles(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want [3]float64
	}{
		{"one", []float64{5}, [3]float64{5, 5, 5}},
		{"odd", []float64{3, 1, 2}, [3]float64{1.5, 2, 2.5}},
		{"five", []float64{5, 4, 3, 2, 1}, [3]float64{2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quartiles(tt.in); got != tt.want {
				t.Fatalf("quartiles(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
