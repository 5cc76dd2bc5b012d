package interleave

import (
	"slices"
	"testing"
)

func TestMedianSpread(t *testing.T) {
	tests := []struct {
		name        string
		xs          []float64
		med, spread float64
	}{
		{"empty", nil, 0, 0},
		{"one", []float64{4}, 4, 0},
		{"unsorted", []float64{30, 10, 20, 50, 40, 60, 70, 80, 90, 100}, 60, (100 - 20) / 60.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			med, spread := MedianSpread(tt.xs)
			if med != tt.med || spread != tt.spread {
				t.Errorf("got %v, %v; want %v, %v", med, spread, tt.med, tt.spread)
			}
		})
	}
}

func TestTime(t *testing.T) {
	calls := 0
	if ns := Time(5, func() { calls++ }); calls != 5 || ns < 0 {
		t.Errorf("%d calls, %v ns", calls, ns)
	}
}

// TestQuartiles: the spread the published tables rely on.
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
			in := slices.Clone(tt.in)
			if got := Quartiles(in); got != tt.want {
				t.Fatalf("Quartiles(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Fatalf("Quartiles reordered its input: %v", in)
			}
		})
	}
}
