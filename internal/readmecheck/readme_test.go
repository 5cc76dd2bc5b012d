package main

import (
	"os"
	"strings"
	"testing"
)

// between returns the text between the first line containing begin and the
// next line containing end.
func between(t *testing.T, text, begin, end string) string {
	t.Helper()
	_, rest, ok := strings.Cut(text, begin)
	if !ok {
		t.Fatalf("marker %q not found", begin)
	}
	_, rest, _ = strings.Cut(rest, "\n")
	body, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatalf("marker %q not found after %q", end, begin)
	}
	return strings.TrimSpace(body)
}

func TestReadmeQuickStartMatchesCompiledCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	block := between(t, string(readme), "<!-- quickstart -->", "```\n")
	block = strings.TrimPrefix(block, "```go")
	code := between(t, string(src), "// README:begin", "// README:end")
	if strings.TrimSpace(block) != code {
		t.Errorf("README.md quick start differs from internal/readmecheck/main.go; copy the region between the README markers into the README block.\nREADME:\n%s\n\nmain.go:\n%s", block, code)
	}
}
