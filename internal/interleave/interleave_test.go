package interleave

import "testing"

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
