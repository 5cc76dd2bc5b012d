package interleave

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Row is one contender's result in a [Table]: medians and quartiles over
// the rounds of its ns/op, its ratio to the baseline and its difference
// from the baseline (ns/op), each computed per round.
type Row struct {
	Name  string     `json:"name"`
	Note  string     `json:"note,omitempty"`
	Batch int        `json:"batch"`
	NS    [3]float64 `json:"ns"`    // p25, median, p75
	Ratio [3]float64 `json:"ratio"` // to the baseline, per round
	Diff  [3]float64 `json:"diff"`  // minus the baseline, ns/op, per round
}

// Table is what [Rounds] measured.
type Table struct {
	Table    string `json:"table"`
	Baseline string `json:"baseline"`
	Rounds   int    `json:"rounds"`
	Rows     []Row  `json:"rows"`
}

// Rounds measures cs (cs[0] is the baseline) for tables meant to be
// published. After one warm-up call each, every contender's batch is
// calibrated to take about batch; then, in each of rounds rounds (at
// least 3), every contender runs its batch once, in a fresh random order
// per round. Each round's ratio to the baseline is computed from batches
// timed moments apart, so load on the machine moves every contender alike,
// and the spread of the per-round ratios says how far the median can be
// trusted. Rounds reports each row's median ratio as the metric name-x
// and returns the table, named name.
func Rounds(b *testing.B, name string, cs []Contender, rounds int, batch time.Duration) Table {
	b.Helper()
	for _, c := range cs { // warm up: first fetch, lazy init, caches
		if err := c.Run(); err != nil {
			b.Fatalf("%s: %v", c.Name, err)
		}
	}
	sizes := make([]int, len(cs))
	for i, c := range cs {
		sizes[i] = calibrate(b, c.Run, batch)
	}
	rounds = max(rounds, 3)
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
			for range sizes[i] {
				if err := cs[i].Run(); err != nil {
					b.Fatalf("%s: %v", cs[i].Name, err)
				}
			}
			ns[i] = append(ns[i], float64(time.Since(start).Nanoseconds())/float64(sizes[i]))
		}
	}
	t := Table{Table: name, Baseline: cs[0].Name, Rounds: rounds}
	for i, c := range cs {
		ratio := make([]float64, rounds)
		diff := make([]float64, rounds)
		for r := range rounds {
			ratio[r] = ns[i][r] / ns[0][r]
			diff[r] = ns[i][r] - ns[0][r]
		}
		t.Rows = append(t.Rows, Row{Name: c.Name, Note: c.Note, Batch: sizes[i],
			NS: Quartiles(ns[i]), Ratio: Quartiles(ratio), Diff: Quartiles(diff)})
		b.ReportMetric(Quartiles(ratio)[1], c.Name+"-x")
	}
	return t
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

// Quartiles returns the 25th, 50th and 75th percentiles of xs,
// interpolated linearly; xs is left unchanged and must not be empty.
func Quartiles(xs []float64) [3]float64 {
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
