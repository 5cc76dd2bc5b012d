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
	it, err := parseInterleaved(strings.NewReader(sampleInterleaved))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := parseScale(strings.NewReader(sampleScale))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	write(&out, r, it, sample, "6", "500ms")
	got := out.String()
	for _, want := range []string{
		"| floor: crypto/rsa.VerifyPKCS1v15 on the precomputed hash | 20000 ±1% | 1.00× | — | 9 | 10000 | 2.00× |",
		"| **jwtguard verify, cold** (token cache off: full verification) | 21000 ±2% | 1.05× | — | 11 | 10500 ±2% | 2.00× |",
		"| cold allocs ≤ floor's + 2 | RSA-2048 | 11 (floor alone: 9) | met |",
		"| cold ≤ 0.75 × crypto/rsa (interleaved) | RSA-2048 | 0.66 (0.64–0.70)× | met |",
		"| cold ≤ 0.45 × crypto/rsa (interleaved) | RSA-4096 | not measured | n/a |",
		"| warm hit ≤ 150 ns (real clock, 1 live token) | RSA-2048 | 140 (120–160) ns | not resolved |",
		"| httpmw ≤ 250 ns over bare (warm, interleaved) | RSA-2048 | +30 (-20–+80) ns | not resolved |",
		"| grpcmw interceptor ≤ 250 ns over a direct call (warm, interleaved) | RSA-2048 | +300 (+280–+320) ns | missed |",
		"| **jwtguard httpmw**, token cache hit | 330 (280–380) | +30 (-20–+80) ns | cache hit |",
		"| 2.0 MB | 14.6 MB | 14.6 MB | 170 µs | 0.906 | 0.895 |",
		"| **jwtguard httpmw** (token cache hit) | 563 µs | 28807 µs | 49275 µs | 7414 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Same input, same bytes: README.md can include the table.
	var again bytes.Buffer
	write(&again, r, it, sample, "6", "500ms")
	if again.String() != got {
		t.Error("report is not deterministic")
	}
}

// Interleaved tables as the harness writes them (JSON lines).
const sampleInterleaved = `{"table":"verify/rsa2048","baseline":"floor","rounds":30,"rows":[` +
	`{"name":"floor","batch":60,"ns":[30000,31000,32000],"ratio":[1,1,1],"diff":[0,0,0]},` +
	`{"name":"jwtguard-cold","note":"cold","batch":90,"ns":[20000,21000,22000],"ratio":[0.64,0.66,0.70],"diff":[-11000,-10000,-9000]},` +
	`{"name":"jwtguard-warm","note":"hit","batch":9000,"ns":[120,140,160],"ratio":[0.004,0.0045,0.005],"diff":[-31000,-30000,-29000]}]}
{"table":"http/rsa2048","baseline":"bare","rounds":30,"rows":[` +
	`{"name":"bare","batch":6000,"ns":[280,300,320],"ratio":[1,1,1],"diff":[0,0,0]},` +
	`{"name":"jwtguard-warm","note":"cache hit","batch":6000,"ns":[280,330,380],"ratio":[0.9,1.1,1.3],"diff":[-20,30,80]}]}
{"table":"grpc-interceptor/rsa2048","baseline":"bare","rounds":30,"rows":[` +
	`{"name":"bare","batch":60000,"ns":[20,21,22],"ratio":[1,1,1],"diff":[0,0,0]},` +
	`{"name":"jwtguard-warm","note":"cache hit","batch":6000,"ns":[300,320,340],"ratio":[14,15,16],"diff":[280,300,320]}]}
`

func TestVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		q        [3]float64
		target   float64
		overhead bool
		want     string
	}{
		{"whole range under", [3]float64{1, 2, 3}, 4, false, verdictMet},
		{"whole range over", [3]float64{5, 6, 7}, 4, false, verdictMissed},
		{"straddles", [3]float64{3, 4, 5}, 4, false, verdictNotResolved},
		{"negative overhead is not met", [3]float64{-50, -10, -5}, 250, true, verdictNotResolved},
		{"overhead range reaching zero", [3]float64{0, 40, 90}, 250, true, verdictNotResolved},
		{"resolved overhead under target", [3]float64{100, 120, 140}, 250, true, verdictMet},
		{"resolved overhead over target", [3]float64{300, 320, 340}, 250, true, verdictMissed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atMost(tt.q, tt.target)
			if tt.overhead {
				got = overheadAtMost(tt.q, tt.target)
			}
			if got != tt.want {
				t.Fatalf("verdict = %q, want %q", got, tt.want)
			}
		})
	}
}

const sampleScale = `{"name":"distinct-tokens","metrics":{"tokens":20000,"heap-MB-10pct":2.0,"heap-MB-50pct":14.59,"heap-MB-100pct":14.61,` +
	`"fill-us/token":169.9,"zipf-hit-ratio":0.9058,"zipf-lru-hit-ratio":0.8946}}
{"name":"http-load","metrics":{"concurrency":16,"jwtguard-p50-us":563,"jwtguard-p99-us":28807,"jwtguard-p999-us":49275,"jwtguard-req/s":7414}}
`
