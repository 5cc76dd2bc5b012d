package interleave

import (
	"slices"
	"testing"
	"time"
)

// Contender is one implementation under comparison. Run must succeed.
// Note, when set, qualifies the contender for a reader of a [Table] (for
// example, that it is a cache hit and not a full verification).
type Contender struct {
	Name string
	Note string
	Run  func() error
}

// batch is the number of calls per contender whose medians give one ratio
// of the spread.
const batch = 64

// Calls runs every contender once per b.Loop iteration, in order,
// and reports for each its median time (name-ns) and, for all but the
// first (the reference), the ratio of its median to the reference's
// (name/ref) with the 10th and 90th percentiles of that ratio over batches
// of 64 consecutive calls (name/ref-p10, name/ref-p90) as its spread.
func Calls(b *testing.B, cs ...Contender) {
	b.Helper()
	times := make([][]time.Duration, len(cs))
	for b.Loop() {
		for i, c := range cs {
			t0 := time.Now()
			if err := c.Run(); err != nil {
				b.Fatalf("%s: %v", c.Name, err)
			}
			times[i] = append(times[i], time.Since(t0))
		}
	}
	ref := times[0]
	for i, c := range cs {
		b.ReportMetric(float64(median(times[i]).Nanoseconds()), c.Name+"-ns")
		if i == 0 {
			continue
		}
		name := c.Name + "/" + cs[0].Name
		b.ReportMetric(float64(median(times[i]))/float64(median(ref)), name)
		var ratios []float64
		for j := 0; j+batch <= len(ref); j += batch {
			ratios = append(ratios, float64(median(times[i][j:j+batch]))/float64(median(ref[j:j+batch])))
		}
		if len(ratios) >= 10 {
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/10], name+"-p10")
			b.ReportMetric(ratios[len(ratios)*9/10], name+"-p90")
		}
	}
}

// median returns the middle of d, which it leaves unchanged.
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
