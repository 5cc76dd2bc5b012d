// Command report turns benchstat's CSV for the bench module into
// RESULTS.md: a table per key size with each library's ns/op, B/op,
// allocs/op and ratio to the floor measured in the same run, the storm and
// memory results, the targets, and the machine and versions.
//
// Usage (run.sh does this):
//
//	go run ./internal/report -csv stat.csv -raw raw.txt -count 6 -benchtime 500ms > RESULTS.md
//
// The output depends only on the input numbers and the environment, with
// fixed row order and number formats, so README.md can include it.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// goTestCPU is the CPU as go test names it (it can differ from
// /proc/cpuinfo on virtual machines).
var goTestCPU string

// loadAvg is what run.sh read from /proc/loadavg before and after the run:
// on a shared machine, other work skews every number, peers and ours alike.
var loadAvg string

// notesPath is a hand-written markdown file (notes.md) appended verbatim:
// the analysis of missed targets survives regeneration.
var notesPath string

// treeRev names the jwtguard tree measured, e.g. "abc123 (clean)".
var treeRev string

// stat is one benchstat cell: the median and its 95 % confidence interval.
type stat struct {
	center float64
	ci     string // e.g. "2%", "∞" with too few samples
}

// results maps unit → benchmark name (without the -GOMAXPROCS suffix) → stat.
type results map[string]map[string]stat

func main() {
	csvPath := flag.String("csv", "", "benchstat -format csv output")
	ilPath := flag.String("interleaved", "", "JSON lines written by the interleaved benchmarks (-interleave.out)")
	scalePath := flag.String("scale", "", "JSON lines written by the scale benchmarks (-scale.out)")
	count := flag.String("count", "", "go test -count used (for the header)")
	benchtime := flag.String("benchtime", "", "go test -benchtime used (for the header)")
	raw := flag.String("raw", "", "raw go test output (for its cpu: line)")
	flag.StringVar(&loadAvg, "load", "", "load averages during the run, as run.sh saw them")
	flag.StringVar(&notesPath, "notes", "", "hand-written notes appended to the report, if the file exists")
	flag.StringVar(&treeRev, "rev", "", "the jwtguard commit measured (default: git rev-parse HEAD)")
	flag.Parse()
	if *raw != "" {
		b, err := os.ReadFile(*raw)
		if err != nil {
			fail(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "cpu: "); ok {
				goTestCPU = strings.TrimSpace(v)
				break
			}
		}
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	res, err := parse(f)
	if err != nil {
		fail(err)
	}
	it := interleaved{}
	if *ilPath != "" {
		fi, err := os.Open(*ilPath)
		if err != nil {
			fail(err)
		}
		it, err = parseInterleaved(fi)
		fi.Close()
		if err != nil {
			fail(err)
		}
	}
	sc := scaleSet{}
	if *scalePath != "" {
		fs, err := os.Open(*scalePath)
		if err != nil {
			fail(err)
		}
		sc, err = parseScale(fs)
		fs.Close()
		if err != nil {
			fail(err)
		}
	}
	var out bytes.Buffer
	write(&out, res, it, sc, *count, *benchtime)
	if _, err := os.Stdout.Write(out.Bytes()); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// parse reads benchstat's CSV: sections headed by ",<file>," and
// ",<unit>,CI", then "name,value,CI" rows and a "geomean" row.
func parse(r io.Reader) (results, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	res := results{}
	unit := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return res, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) < 2 {
			continue
		}
		switch {
		case rec[0] == "" && len(rec) >= 3 && rec[2] == "CI":
			unit = rec[1]
			if res[unit] == nil {
				res[unit] = map[string]stat{}
			}
		case rec[0] == "" || rec[0] == "geomean" || unit == "":
		default:
			v, err := strconv.ParseFloat(rec[1], 64)
			if err != nil {
				continue // benchstat leaves a cell empty when it has no value
			}
			name := rec[0]
			if i := strings.LastIndexByte(name, '-'); i > 0 {
				if _, err := strconv.Atoi(name[i+1:]); err == nil {
					name = name[:i]
				}
			}
			ci := ""
			if len(rec) > 2 {
				ci = rec[2]
			}
			res[unit][name] = stat{v, ci}
		}
	}
}

func (r results) get(unit, name string) (stat, bool) {
	s, ok := r[unit][name]
	return s, ok
}

// ns returns the median ns/op of name.
func (r results) ns(name string) (float64, bool) {
	s, ok := r.get("sec/op", name)
	return s.center * 1e9, ok
}

var keys = []struct{ name, title string }{
	{"rsa2048", "RSA-2048"},
	{"rsa4096", "RSA-4096"},
}

// Rows in table order: benchmark lib label → display name.
var (
	verifyRows = [][2]string{
		{"floor", "floor: crypto/rsa.VerifyPKCS1v15 on the precomputed hash"},
		{"golang-jwt", "golang-jwt/jwt v5, static key"},
		{"keyfunc", "MicahParks/keyfunc v3 + golang-jwt"},
		{"jwx-v2", "lestrrat-go/jwx v2, jwk.Cache"},
		{"jwx-v3", "lestrrat-go/jwx v3, jwk.Cache"},
		{"go-oidc", "coreos/go-oidc v3, RemoteKeySet"},
		{"auth0", "auth0/go-jwt-middleware v2 validator"},
		{"jwtguard-cold", "**jwtguard verify, cold** (token cache off: full verification)"},
		{"jwtguard-warm", "**jwtguard verify, warm** (token cache hit: no signature check, unlike every other row)"},
	}
	httpRows = [][2]string{
		{"bare", "bare handler"},
		{"auth0", "auth0/go-jwt-middleware v2 CheckJWT"},
		{"jwtguard", "**jwtguard httpmw**, token cache hit (auth0 verifies the signature every call)"},
	}
	grpcRows = [][2]string{
		{"bare", "bare server"},
		{"jwtguard", "**jwtguard grpcmw** unary, token cache hit"},
	}
	stormRows = [][2]string{
		{"keyfunc", "MicahParks/keyfunc v3 + golang-jwt"},
		{"jwx-v2", "lestrrat-go/jwx v2, jwk.Cache"},
		{"jwx-v3", "lestrrat-go/jwx v3, jwk.Cache"},
		{"go-oidc", "coreos/go-oidc v3, RemoteKeySet"},
		{"auth0", "auth0/go-jwt-middleware v2 validator"},
		{"jwtguard", "**jwtguard** verify + jwks.Cache"},
	}
)

func write(w *bytes.Buffer, r results, it interleaved, sc scaleSet, count, benchtime string) {
	fmt.Fprintf(w, "# jwtguard benchmark results\n\n")
	fmt.Fprintf(w, "Generated by `bench/run.sh` (COUNT=%s, BENCHTIME=%s; the storm runs with -benchtime=10000x). "+
		"Each cell is benchstat's median over the runs, ± its 95 %% confidence interval. "+
		"Every library verifies the same Hydra-shaped RS256 access token (iss, sub, aud, exp, iat, nbf, jti, client_id, "+
		"3 scp scopes, ext) with iss, aud and exp checks, its keys served by a JWKS on loopback. "+
		"Ratios are to the floor measured in the same run. `par` is b.RunParallel on all cores; "+
		"speed-up = seq ns/op ÷ par ns/op.\n\n", count, benchtime)

	writeMachine(w)
	writeInterleaved(w, it)
	fmt.Fprintf(w, "## Absolute figures, allocations and parallel speed-up (benchstat over rounds)\n\n")

	for _, k := range keys {
		fmt.Fprintf(w, "## %s\n\n", k.title)
		floor, haveFloor := r.ns("Verify/key=" + k.name + "/lib=floor/mode=seq")
		fmt.Fprintf(w, "### Verify one token\n\n")
		fmt.Fprintf(w, "| library | ns/op | × floor | B/op | allocs/op | par ns/op | speed-up |\n")
		fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|\n")
		for _, row := range verifyRows {
			base := "Verify/key=" + k.name + "/lib=" + row[0]
			ratio := "—"
			if v, ok := r.ns(base + "/mode=seq"); ok && haveFloor && floor > 0 {
				ratio = fmt.Sprintf("%.2f×", v/floor)
			}
			writeRow(w, r, row[1], base, ratio)
		}
		for _, t := range []struct {
			title, group string
			rows         [][2]string
		}{
			{"HTTP: full request through the middleware (httptest.NewRecorder)", "HTTP", httpRows},
			{"gRPC: unary call over bufconn", "GRPC", grpcRows},
		} {
			fmt.Fprintf(w, "\n### %s\n\n", t.title)
			fmt.Fprintf(w, "| stack | ns/op | over bare | B/op | allocs/op | par ns/op | speed-up |\n")
			fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|\n")
			bare, haveBare := r.ns(t.group + "/key=" + k.name + "/lib=bare/mode=seq")
			for _, row := range t.rows {
				base := t.group + "/key=" + k.name + "/lib=" + row[0]
				over := "—"
				if v, ok := r.ns(base + "/mode=seq"); ok && haveBare && row[0] != "bare" {
					over = fmt.Sprintf("%+.0f ns", v-bare)
				}
				writeRow(w, r, row[1], base, over)
			}
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "## Random-kid storm (RSA-2048 token, 10 000 never-published kids, one JWKS server per library)\n\n")
	fmt.Fprintf(w, "jwks-requests counts the fetches the storm caused (the initial load excluded). "+
		"Every library's call runs under the same per-call context.WithTimeout (100 ms), so each pays the same "+
		"per-call work; timeouts counts calls that hit it.\n\n")
	fmt.Fprintf(w, "| library | ns/rejection | jwks-requests | slowest rejection (µs) | timeouts | B/op | allocs/op |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range stormRows {
		n := "Storm/lib=" + row[0]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", row[1],
			cell(r, "sec/op", n, 1e9), cell(r, "jwks-requests", n, 1), cell(r, "max-us", n, 1),
			cell(r, "timeouts", n, 1), cell(r, "B/op", n, 1), cell(r, "allocs/op", n, 1))
	}

	fmt.Fprintf(w, "\n## Memory per cached token\n\n")
	fmt.Fprintf(w, "| tokens cached | bytes/token (heap growth ÷ tokens) |\n|--:|--:|\n")
	for _, n := range []string{"1000"} {
		fmt.Fprintf(w, "| %s | %s |\n", n, cell(r, "bytes/token", "TokenCacheMemory/tokens="+n, 1))
	}

	writeTargets(w, r, it)
	fmt.Fprintln(w)
	writeScale(w, sc, it, r)

	if notesPath != "" {
		if b, err := os.ReadFile(notesPath); err == nil {
			fmt.Fprintf(w, "\n")
			w.Write(bytes.TrimSpace(b))
			fmt.Fprintf(w, "\n")
		}
	}
}

// writeRow writes one library row: seq ns/op, the extra column, B/op and
// allocs/op (seq), par ns/op and the speed-up.
func writeRow(w *bytes.Buffer, r results, label, base, extra string) {
	seq, par := base+"/mode=seq", base+"/mode=par"
	speed := "—"
	if s, ok1 := r.ns(seq); ok1 {
		if p, ok2 := r.ns(par); ok2 && p > 0 {
			speed = fmt.Sprintf("%.2f×", s/p)
		}
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", label,
		cell(r, "sec/op", seq, 1e9), extra, cell(r, "B/op", seq, 1), cell(r, "allocs/op", seq, 1),
		cell(r, "sec/op", par, 1e9), speed)
}

// cell formats a median (scaled) with its CI, or "—" when not measured.
func cell(r results, unit, name string, scale float64) string {
	s, ok := r.get(unit, name)
	if !ok {
		return "—"
	}
	v := s.center * scale
	txt := strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	if v < 10 && v != math.Trunc(v) {
		txt = strconv.FormatFloat(v, 'f', 1, 64)
	}
	if s.ci != "" && s.ci != "∞" && s.ci != "0%" {
		txt += " ±" + s.ci
	}
	return txt
}

func writeTargets(w *bytes.Buffer, r results, it interleaved) {
	fmt.Fprintf(w, "\n## Targets\n\n")
	fmt.Fprintf(w, "A target is met only when the whole 25th–75th percentile range satisfies it; "+
		"a range that straddles the target, or an overhead whose range reaches zero, is \"not resolved\".\n\n")
	fmt.Fprintf(w, "| target | key | measured | verdict |\n|---|---|--:|:-:|\n")
	row := func(target, key, measured, verdict string) {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", target, key, measured, verdict)
	}
	check := func(target, key, measured string, ok, have bool) {
		verdict := "n/a"
		if have {
			verdict = verdictMissed
			if ok {
				verdict = verdictMet
			}
		} else {
			measured = "not measured"
		}
		row(target, key, measured, verdict)
	}
	writeInterleavedTargets(it, row)
	for _, k := range keys {
		v := "Verify/key=" + k.name + "/lib="
		ca, hc := r.get("allocs/op", v+"jwtguard-cold/mode=seq")
		fa, _ := r.get("allocs/op", v+"floor/mode=seq")
		check("cold allocs ≤ floor's + 2", k.title, fmt.Sprintf("%.0f (floor alone: %.0f)", ca.center, fa.center), ca.center <= fa.center+2, hc)
		wa, hw := r.get("allocs/op", v+"jwtguard-warm/mode=seq")
		check("warm 0 allocs/op", k.title, fmt.Sprintf("%.0f", wa.center), wa.center == 0, hw)
	}
	req, hr := r.get("jwks-requests", "Storm/lib=jwtguard")
	check("storm ≤ 1 JWKS request per cooldown window (15 s; the storm lasts well under one)", "RSA-2048",
		fmt.Sprintf("%.0f", req.center), req.center <= 1, hr)
	to, ht := r.get("timeouts", "Storm/lib=jwtguard")
	check("storm: no blocking (no call hit the 100 ms bound)", "RSA-2048", fmt.Sprintf("%.0f timeouts", to.center), to.center == 0, ht)
}

func writeMachine(w *bytes.Buffer) {
	fmt.Fprintf(w, "## Machine and versions\n\n| | |\n|---|---|\n")
	fmt.Fprintf(w, "| CPU (/proc/cpuinfo) | %s |\n", cpuModel())
	if goTestCPU != "" {
		fmt.Fprintf(w, "| CPU (go test) | %s |\n", goTestCPU)
	}
	fmt.Fprintf(w, "| cores (nproc) | %d |\n", runtime.NumCPU())
	fmt.Fprintf(w, "| GOOS/GOARCH | %s/%s |\n", runtime.GOOS, runtime.GOARCH)
	if loadAvg != "" {
		fmt.Fprintf(w, "| load average (1/5/15 min) | %s |\n", loadAvg)
	}
	fmt.Fprintf(w, "| Go | %s |\n", goVersion())
	for _, m := range modules() {
		fmt.Fprintf(w, "| %s | %s |\n", m[0], m[1])
	}
	fmt.Fprintln(w)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// goVersion is the toolchain that ran the benchmarks (run.sh runs this
// program with the same go command).
func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// modules lists the measured libraries' versions from `go list -m`, and
// jwtguard as the commit of this tree.
func modules() [][2]string {
	paths := []string{
		"github.com/golang-jwt/jwt/v5",
		"github.com/MicahParks/keyfunc/v3",
		"github.com/MicahParks/jwkset",
		"github.com/lestrrat-go/jwx/v2",
		"github.com/lestrrat-go/jwx/v3",
		"github.com/coreos/go-oidc/v3",
		"github.com/auth0/go-jwt-middleware/v2",
		"google.golang.org/grpc",
		"golang.org/x/perf",
	}
	out, err := exec.Command("go", append([]string{"list", "-m", "-json"}, paths...)...).Output()
	var res [][2]string
	rev := treeRev
	if rev == "" {
		rev = "unknown"
		if b, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
			rev = strings.TrimSpace(string(b))
		}
	}
	res = append(res, [2]string{"github.com/jwtguard/jwtguard", "this tree at " + rev})
	if err != nil {
		return append(res, [2]string{"go list -m", "failed: " + err.Error()})
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct{ Path, Version string }
		if err := dec.Decode(&m); err != nil {
			break
		}
		res = append(res, [2]string{m.Path, m.Version})
	}
	return res
}
