// Package demotest runs an example program's smoke mode in a test.
package demotest

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Run is an example program's entry point.
type Run func(ctx context.Context, addr string, smoke bool, out io.Writer) error

// Smoke runs run in smoke mode on a free loopback port and checks that its
// output holds every line of want (after spaces are collapsed).
func Smoke(t *testing.T, run Run, want ...string) {
	t.Helper()
	var out strings.Builder
	if err := run(t.Context(), "127.0.0.1:0", true, &out); err != nil {
		t.Fatalf("smoke run: %v\noutput:\n%s", err, out.String())
	}
	got := map[string]bool{}
	for line := range strings.Lines(out.String()) {
		got[strings.Join(strings.Fields(line), " ")] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}

// HTTP are the lines every HTTP example prints in smoke mode.
var HTTP = []string{
	`ready GET /readyz 200 {"status":"ok","checks":{"issuer":"ok"}}`,
	"no token GET /v1/me 401 Unauthorized",
	"not a JWT GET /v1/me 401 Unauthorized",
	"expired GET /v1/me 401 Unauthorized",
	"valid token GET /v1/me 200 hello demo-client",
	"wrong scope POST /v1/sms 403 Forbidden",
	"right scope POST /v1/sms 200 queued for demo-client",
}
