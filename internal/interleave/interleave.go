// Package interleave compares versions of the same work inside one
// benchmark. On a shared machine whose load changes from second to second,
// benchmarks run one after the other compare different conditions;
// alternating the versions and comparing medians does not. [Calls]
// alternates call by call (for operations of microseconds and more),
// [Overhead] alternates small batches of a bare and a wrapped operation
// (for nanosecond-scale middleware costs), and [Rounds] alternates
// calibrated batches in random order per round and returns a [Table] for
// publication.
package interleave

import (
	"slices"
	"testing"
	"time"
)

// Overhead runs bare and with alternately, each batch times per b.Loop
// iteration, and reports over the pairs of batches the median time with
// adds per call (overhead-ns), the median ratio with/bare (ratio) and the
// ratio's spread, (p90−p10)/median (ratio-spread).
func Overhead(b *testing.B, batch int, bare, with func()) {
	var added, ratio []float64
	for b.Loop() {
		tb, tw := Time(batch, bare), Time(batch, with)
		added, ratio = append(added, tw-tb), append(ratio, tw/tb)
	}
	med, _ := MedianSpread(added)
	b.ReportMetric(med, "overhead-ns")
	med, spread := MedianSpread(ratio)
	b.ReportMetric(med, "ratio")
	b.ReportMetric(spread, "ratio-spread")
}

// Time runs f n times and returns the mean nanoseconds per call.
func Time(n int, f func()) float64 {
	t0 := time.Now()
	for range n {
		f()
	}
	return float64(time.Since(t0)) / float64(n)
}

// MedianSpread sorts xs and returns its median and (p90−p10)/median.
func MedianSpread(xs []float64) (med, spread float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	slices.Sort(xs)
	med = xs[len(xs)/2]
	return med, (xs[len(xs)*9/10] - xs[len(xs)/10]) / med
}
