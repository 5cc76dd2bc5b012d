package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/issuertest"
)

func TestDemo(t *testing.T) {
	code, out, errs := runCLI(t, "", "demo")
	t.Logf("demo output:\n%s", out)
	if code != exitOK {
		t.Fatalf("demo exit %d, want 0; stderr %q", code, errs)
	}
	if !strings.Contains(out, "PASS: all 14 checks matched") {
		t.Errorf("no PASS summary for 14 checks")
	}
	for _, scenario := range []string{"allowed call", "missing token", "wrong scope", "expired token", "key rotation", "issuer outage"} {
		for _, transport := range []string{"HTTP", "gRPC unary"} {
			if !hasRow(out, scenario, transport, "ok") {
				t.Errorf("table has no matching row %q | %q | … | ok", scenario, transport)
			}
		}
	}
	if !hasRow(out, "allowed call", "gRPC stream", "ok") {
		t.Errorf("table has no gRPC stream row")
	}
	if !hasRow(out, "issuer outage", "JWKS refresh", "ok") {
		t.Errorf("table has no row showing the refresh failed during the outage")
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("table reports a FAIL row")
	}
}

// hasRow reports whether the table has a row with these first two cells
// and this ok cell.
func hasRow(table, scenario, transport, ok string) bool {
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) == 6 && strings.TrimSpace(cells[0]) == scenario &&
			strings.TrimSpace(cells[1]) == transport && strings.TrimSpace(cells[4]) == ok {
			return true
		}
	}
	return false
}

func TestDemoUsage(t *testing.T) {
	code, out, errs := runCLI(t, "", "demo", "extra")
	if code != exitUsage || out != "" || !strings.Contains(errs, `unexpected argument "extra"`) {
		t.Errorf("exit %d stdout %q stderr %q; want 2 and the unexpected argument", code, out, errs)
	}
}

func TestPrintTable(t *testing.T) {
	var buf bytes.Buffer
	failed := printTable(&buf, []row{
		{"allowed call", "HTTP", "200", "200", "accepted"},
		{"wrong scope", "HTTP", "403 insufficient_scope", "200", "accepted"},
		{"expired token", "gRPC unary", "Unauthenticated", "OK", ""},
	})
	if failed != 2 {
		t.Errorf("failed = %d, want 2", failed)
	}
	out := buf.String()
	if !hasRow(out, "allowed call", "HTTP", "ok") || !hasRow(out, "wrong scope", "HTTP", "FAIL") ||
		!hasRow(out, "expired token", "gRPC unary", "FAIL") {
		t.Errorf("table does not mark rows correctly:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "scenario ") || !strings.HasPrefix(lines[1], "---") {
		t.Errorf("want header, separator and 3 rows:\n%s", out)
	}
	// Columns line up: every " | " of a row sits where the header's does.
	want := strings.Index(lines[0], " | transport")
	for _, l := range lines[2:] {
		if strings.Index(l, " | ") != want {
			t.Errorf("misaligned row %q", l)
		}
	}
}

func TestHTTPOutcome(t *testing.T) {
	tests := []struct {
		status    int
		challenge string
		want      string
	}{
		{200, "", "200"},
		{401, `Bearer realm="api"`, "401 Bearer"},
		{401, `Bearer realm="api", error="invalid_token"`, "401 invalid_token"},
		{403, `Bearer realm="api", error="insufficient_scope", scope="demo.write"`, "403 insufficient_scope"},
		{503, "", "503"},
	}
	for _, tt := range tests {
		if got := httpOutcome(tt.status, tt.challenge); got != tt.want {
			t.Errorf("httpOutcome(%d, %q) = %q, want %q", tt.status, tt.challenge, got, tt.want)
		}
	}
}

func TestTokenKID(t *testing.T) {
	s := newIssuer(t, issuertest.Config{})
	if got, want := tokenKID(s.AccessToken(testClient)), s.SigningKID(); got != want {
		t.Errorf("tokenKID = %q, want %q", got, want)
	}
	if got := tokenKID("%%%.x.y"); got != "" {
		t.Errorf("tokenKID(garbage) = %q, want empty", got)
	}
}
