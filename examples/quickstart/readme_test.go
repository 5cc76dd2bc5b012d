package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeIsThisProgram keeps README.md's quick start and main.go
// identical: the README shows the whole file.
func TestReadmeIsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	const marker, open, end = "<!-- quickstart -->\n", "```go\n", "\n```\n"
	_, rest, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatalf("README.md has no %q line", strings.TrimSpace(marker))
	}
	rest, ok = strings.CutPrefix(rest, open)
	if !ok {
		t.Fatalf("README.md: the line after %q is not %q", strings.TrimSpace(marker), strings.TrimSpace(open))
	}
	block, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatal("README.md: the quick start's code block is not closed")
	}
	if block+"\n" != string(src) {
		t.Errorf("README.md's quick start differs from examples/quickstart/main.go; paste the whole file into the block.\nREADME:\n%s\nmain.go:\n%s", block, src)
	}
}
