package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
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

// newFlagSet returns a FlagSet that reports nothing itself: run prints
// errors and help in one place.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses flags and positional arguments in any order (flag
// stops at the first non-flag argument; this keeps going). Everything after
// a "--" argument is positional. "-" alone is positional (stdin). It
// returns flag.ErrHelp for -h, -help and --help.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s", err)
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
