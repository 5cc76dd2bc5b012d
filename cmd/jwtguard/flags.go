package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// listFlag is a repeatable string flag. Each value may also hold several
// space- or comma-separated items when split is set (scopes, algorithms).
type listFlag struct {
	vals  []string
	split bool
}

func (l *listFlag) String() string { return strings.Join(l.vals, " ") }

func (l *listFlag) Set(v string) error {
	items := []string{v}
	if l.split {
		items = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	}
	if len(items) == 0 || (len(items) == 1 && strings.TrimSpace(items[0]) == "") {
		return errors.New("empty value")
	}
	for _, it := range items {
		if !contains(l.vals, it) {
			l.vals = append(l.vals, it)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// usageError is a command-line or configuration mistake: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errVersion is returned by parseArgs for --version.
var errVersion = errors.New("version requested")

// newFlagSet returns a FlagSet that reports nothing itself: run prints
// errors and help in one place. Every command accepts --version.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.Bool("version", false, "")
	return fs
}

// parseArgs parses flags and positional arguments in any order (flag
// stops at the first non-flag argument; this keeps going). Everything after
// a "--" argument is positional. "-" alone is positional (stdin). It
// returns flag.ErrHelp for -h, -help and --help, and errVersion for
// --version.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError(fs, err)
		}
		if v := fs.Lookup("version"); v != nil && v.Value.String() == "true" {
			return nil, errVersion
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseCommand parses the arguments of command cmd. When done is true the
// command has nothing left to do and returns code: help or the version was
// printed, or the arguments were wrong.
func parseCommand(fs *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) (pos []string, code int, done bool) {
	pos, err := parseArgs(fs, args)
	switch {
	case err == nil:
		return pos, exitOK, false
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help)
		return nil, exitOK, true
	case errors.Is(err, errVersion):
		fmt.Fprintln(stdout, buildVersion())
		return nil, exitOK, true
	}
	return nil, usageFail(stderr, fs.Name(), err), true
}

// flagMessage matches the flag package's invalid-value messages.
var flagMessage = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]+): (.*)$`)

// flagError rewrites an error of the flag package so that flags read as
// users type them (--name) and an unknown flag comes with a suggestion.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := suggest(strings.TrimPrefix(name, "-"), names); s != "" {
			return usagef("unknown flag --%s; did you mean --%s?", strings.TrimPrefix(name, "-"), s)
		}
		return usagef("unknown flag --%s", strings.TrimPrefix(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return usagef("--%s needs a value", name)
	}
	if m := flagMessage.FindStringSubmatch(msg); m != nil {
		value, name, why := m[1], m[2], m[3]
		if f := fs.Lookup(name); f != nil {
			if g, ok := f.Value.(flag.Getter); ok {
				if _, isDur := g.Get().(time.Duration); isDur {
					why = "want a duration such as 30s, 5m or 1h"
				}
			}
		}
		return usagef("--%s %s: %s", name, value, why)
	}
	return usagef("%s", msg)
}

// suggest returns the candidate closest to s when it is close enough to be
// a likely typo (at most two edits, or a prefix of at least three
// characters), and "" otherwise.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := editDistance(s, c)
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			d = min(d, 1)
		}
		if d < bestDist && d < max(len(s), 1) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes
// (names here are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
