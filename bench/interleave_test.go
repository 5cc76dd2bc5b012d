package bench

import (
	"encoding/json"
	"flag"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/interleave"
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

var interleaveMu sync.Mutex

// interleaveTable measures cs (cs[0] is the baseline) with
// interleave.Rounds and, with -interleave.out, appends the table.
func interleaveTable(b *testing.B, name string, cs []interleave.Contender) {
	b.Helper()
	t := interleave.Rounds(b, name, cs, *interleaveRounds, *interleaveBatch)
	if *interleaveOut != "" {
		writeTable(b, t)
	}
}

func writeTable(b *testing.B, t interleave.Table) {
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
