package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runCLI runs the program in-process and returns its exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

func TestTopLevel(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout ("" = must be empty)
		wantErr  string // substring of stderr ("" = must be empty)
	}{
		{"no args", nil, exitUsage, "", "Usage:\n  jwtguard verify"},
		{"help", []string{"help"}, exitUsage, "", "jwtguard demo"},
		{"help unknown command", []string{"help", "nope"}, exitUsage, "", "Usage:"},
		{"--help", []string{"--help"}, exitOK, "jwtguard issuer", ""},
		{"-h", []string{"-h"}, exitOK, "jwtguard verify", ""},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", "jwtguard: unknown command \"frobnicate\"\nRun 'jwtguard help' for usage.\n"},
		{"misspelt command", []string{"verfy"}, exitUsage, "", `jwtguard: unknown command "verfy"; did you mean verify?` + "\n"},
		{"misspelt issuer", []string{"isuser"}, exitUsage, "", `unknown command "isuser"; did you mean issuer?`},
		{"flag before command", []string{"--issuer", "x"}, exitUsage, "", "jwtguard: unknown flag --issuer: flags follow the command"},
		{"version", []string{"version"}, exitOK, "jwtguard ", ""},
		{"--version", []string{"--version"}, exitOK, "jwtguard ", ""},
		{"verify --version", []string{"verify", "--version"}, exitOK, "jwtguard ", ""},
		{"issuer --version", []string{"issuer", "--version"}, exitOK, "jwtguard ", ""},
		{"demo --version", []string{"demo", "--version"}, exitOK, "jwtguard ", ""},
		{"help verify", []string{"help", "verify"}, exitOK, "Exit codes:", ""},
		{"verify --help", []string{"verify", "--help"}, exitOK, "rejected: <reason>: <detail>", ""},
		{"verify -h", []string{"verify", "-h"}, exitOK, "--skip-audience", ""},
		{"issuer --help", []string{"issuer", "--help"}, exitOK, "--client-secret", ""},
		{"demo --help", []string{"demo", "--help"}, exitOK, "scenario", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, errs)
			}
			check := func(what, got, want string) {
				if want == "" && got != "" {
					t.Errorf("%s = %q, want empty", what, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", what, got, want)
				}
			}
			check("stdout", out, tt.wantOut)
			check("stderr", errs, tt.wantErr)
		})
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantPos []string
		wantIss string
		wantAud []string
		wantErr bool
	}{
		{"flags first", []string{"--issuer", "X", "tok"}, []string{"tok"}, "X", nil, false},
		{"flags after token", []string{"tok", "--issuer", "X"}, []string{"tok"}, "X", nil, false},
		{"single dash and equals", []string{"-issuer=X", "tok", "-audience", "a", "--audience=b"}, []string{"tok"}, "X", []string{"a", "b"}, false},
		{"stdin dash is positional", []string{"-", "--issuer", "X"}, []string{"-"}, "X", nil, false},
		{"double dash ends flags", []string{"--issuer", "X", "--", "--audience"}, []string{"--audience"}, "X", nil, false},
		{"two positionals", []string{"a", "--issuer", "X", "b"}, []string{"a", "b"}, "X", nil, false},
		{"unknown flag", []string{"--nope", "tok"}, nil, "", nil, true},
		{"missing value", []string{"tok", "--issuer"}, nil, "", nil, true},
		{"empty list value", []string{"--audience", "", "tok"}, nil, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet("t")
			iss := fs.String("issuer", "", "")
			var aud listFlag
			fs.Var(&aud, "audience", "")
			pos, err := parseArgs(fs, tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if strings.Join(pos, "|") != strings.Join(tt.wantPos, "|") || *iss != tt.wantIss ||
				strings.Join(aud.vals, "|") != strings.Join(tt.wantAud, "|") {
				t.Errorf("pos %q issuer %q aud %q; want %q %q %q", pos, *iss, aud.vals, tt.wantPos, tt.wantIss, tt.wantAud)
			}
		})
	}
}

func TestListFlagSplits(t *testing.T) {
	l := listFlag{split: true}
	for _, v := range []string{"a b", "c,d", "a"} {
		if err := l.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(l.vals, " "); got != "a b c d" {
		t.Errorf("vals = %q, want %q (split, deduplicated, in order)", got, "a b c d")
	}
	if err := l.Set(" , "); err == nil {
		t.Error("Set(\" , \") succeeded, want an error for an empty value")
	}
}
