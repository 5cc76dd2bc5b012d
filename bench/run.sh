#!/usr/bin/env bash
# Runs jwtguard's side-by-side benchmarks and writes bench/RESULTS.md.
#
#   bench/run.sh                 # COUNT=6 runs of everything (~10 min on 2 cores)
#   COUNT=1 bench/run.sh         # a quick look
#   BENCHTIME=1s RAW=/tmp/raw.txt bench/run.sh
#
# Env: COUNT (rounds of every benchmark, default 6), BENCHTIME (-benchtime for the
# verify/HTTP/gRPC benchmarks, default 500ms), RAW (also keep the raw go test
# output at this path; it is not committed). The storm always runs with
# -benchtime=10000x (each of the 10 000 random kids once) and the memory
# benchmark with -benchtime=1x. benchstat is the pinned tool in go.mod.
# notes.md (hand-written: what the profiles show for missed targets) is
# appended to RESULTS.md so the analysis survives regeneration.
# SCALE_TOKENS (default 1000000) distinct tokens go through one Verifier in
# the scale run, SCALE_ZIPF (default 100000) Zipf-skewed repeats follow, and
# LOAD_DURATION (default 5s) is each HTTP server's share of the load test.
# ROUNDS (default 200) is the number of rounds of the interleaved tables,
# which give the headline ratios (see interleave_test.go).
# RESULTS.md records the measured commit. run.sh refuses to run on a tree
# with uncommitted changes, so every RESULTS.md names code that exists;
# REV overrides the name when running from an exported tree.
set -euo pipefail
cd "$(dirname "$0")"

COUNT="${COUNT:-6}"
BENCHTIME="${BENCHTIME:-500ms}"

ROUNDS="${ROUNDS:-200}"
SCALE_TOKENS="${SCALE_TOKENS:-1000000}"
SCALE_ZIPF="${SCALE_ZIPF:-100000}"
LOAD_DURATION="${LOAD_DURATION:-5s}"

if [ -z "${REV:-}" ]; then
  if [ -n "$(git status --porcelain -- .. 2>/dev/null)" ]; then
    echo "run.sh: the tree has uncommitted changes; commit first so RESULTS.md names what it measured" >&2
    exit 1
  fi
  REV=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw="$tmp/raw.txt"

# The test binary is built once. Each of the COUNT rounds runs every
# benchmark of the pattern once, so a slow minute on this shared machine is
# spread over all libraries instead of landing on whichever one happened to
# be running its -count repetitions then (ratios to the floor stay fair).
go test -c -o "$tmp/bench.test" .
bench() { # pattern benchtime
  for _ in $(seq "$COUNT"); do
    "$tmp/bench.test" -test.run='^$' -test.bench="$1" -test.benchtime="$2" -test.count=1 -test.timeout=60m | tee -a "$raw"
  done
}

# Sanity first: the bench module's own tests (e.g. our storm bound).
go test -count=1 .

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
"$tmp/bench.test" -test.run='^$' -test.bench='^BenchmarkInterleaved' -test.benchtime=1x -test.timeout=60m \
  -interleave.rounds="$ROUNDS" -interleave.out="$tmp/interleaved.jsonl" | tee -a "$tmp/interleaved.txt"
bench '^Benchmark(Verify|HTTP|GRPC)$' "$BENCHTIME"
bench '^BenchmarkStorm$' 10000x
bench '^BenchmarkTokenCacheMemory$' 1x
bench '^BenchmarkParseJWKS1000$' "$BENCHTIME"
"$tmp/bench.test" -test.run='^$' -test.bench='^Benchmark(ScaleDistinctTokens|ScaleIssuers|LoadHTTP)$' -test.benchtime=1x \
  -test.timeout=60m -interleave.rounds="$ROUNDS" -interleave.out="$tmp/interleaved.jsonl" \
  -scale.tokens="$SCALE_TOKENS" -scale.zipf="$SCALE_ZIPF" -scale.out="$tmp/scale.jsonl" \
  -load.duration="$LOAD_DURATION" | tee -a "$tmp/scale.txt"

load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

if [ -n "${RAW:-}" ]; then cp "$raw" "$RAW"; fi

go tool benchstat -format csv "$raw" >"$tmp/stat.csv" 2>"$tmp/benchstat.log"
go run ./internal/report -csv "$tmp/stat.csv" -interleaved "$tmp/interleaved.jsonl" -scale "$tmp/scale.jsonl" -raw "$raw" -count "$COUNT" -benchtime "$BENCHTIME" \
  -load "before: $load_before; after: $load_after" -rev "$REV" -notes notes.md >"$tmp/RESULTS.md"
mv "$tmp/RESULTS.md" RESULTS.md
echo "wrote $(pwd)/RESULTS.md"
