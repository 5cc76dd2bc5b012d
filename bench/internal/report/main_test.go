package main

import (
	"bytes"
	"strings"
	"testing"
)

// A benchstat -format csv excerpt: two units, a CI column, a geomean row and
// a cell benchstat left empty.
const sampleCSV = `,raw.txt,
,sec/op,CI
Verify/key=rsa2048/lib=floor/mode=seq-2,2.0e-05,1%
Verify/key=rsa2048/lib=floor/mode=par-2,1.0e-05,∞
Verify/key=rsa2048/lib=jwtguard-cold/mode=seq-2,2.1e-05,2%
Verify/key=rsa2048/lib=jwtguard-cold/mode=par-2,1.05e-05,2%
Storm/lib=jwtguard-2,4.1e-06,3%
geomean,1.5e-05,

,raw.txt,
,allocs/op,CI
Verify/key=rsa2048/lib=floor/mode=seq-2,9,0%
Verify/key=rsa2048/lib=jwtguard-cold/mode=seq-2,11,0%
Storm/lib=jwtguard-2,,
geomean,10,
`

func TestParse(t *testing.T) {
	r, err := parse(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit, bench string
		want              float64
		ok                bool
	}{
		{"ns with GOMAXPROCS suffix stripped", "sec/op", "Verify/key=rsa2048/lib=floor/mode=seq", 2e-5, true},
		{"second unit", "allocs/op", "Verify/key=rsa2048/lib=jwtguard-cold/mode=seq", 11, true},
		{"geomean is not a benchmark", "sec/op", "geomean", 0, false},
		{"empty cell is absent", "allocs/op", "Storm/lib=jwtguard", 0, false},
		{"unknown benchmark", "sec/op", "Verify/key=rsa4096/lib=floor/mode=seq", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := r.get(tt.unit, tt.bench)
			if ok != tt.ok || s.center != tt.want {
				t.Errorf("get(%q, %q) = %v, %v; want %v, %v", tt.unit, tt.bench, s.center, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestWriteRatiosAndTargets(t *testing.T) {
	r, err := parse(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	write(&out, r, "6", "500ms")
	got := out.String()
	for _, want := range []string{
		"| floor: crypto/rsa.VerifyPKCS1v15 on the precomputed hash | 20000 ±1% | 1.00× | — | 9 | 10000 | 2.00× |",
		"| **jwtguard verify, cold** (token cache off) | 21000 ±2% | 1.05× | — | 11 | 10500 ±2% | 2.00× |",
		"| cold ≤ 1.10 × floor | RSA-2048 | 1.05× | yes |",
		"| cold ≤ 20 allocs/op | RSA-2048 | 11 (floor alone: 9) | yes |",
		"| warm ≤ 300 ns/op | RSA-2048 | not measured | n/a |",
		"| storm ≤ 5 µs per rejection | RSA-2048 | 4100 ns | yes |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Same input, same bytes: README.md can include the table.
	var again bytes.Buffer
	write(&again, r, "6", "500ms")
	if again.String() != got {
		t.Error("report is not deterministic")
	}
}
