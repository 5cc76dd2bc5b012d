package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIssuerMint starts the issuer with every --mint kind and checks each
// token with the verify command against that issuer.
func TestIssuerMint(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	info, _ := startIssuerCmd(t, "--client-id", "svc", "--scope", "a b", "--audience", "api", "--ttl", "10m",
		"--scope-claim", "both", "--ca-out", ca, "--mint", "all")
	verifyArgs := func(aud string, tok string) []string {
		return []string{"verify", "--issuer", info["issuer"], "--ca-file", ca, "--audience", aud, tok}
	}
	tests := []struct {
		kind     string
		aud      string
		wantCode int
		wantErr  string // regexp for stderr
	}{
		{"valid", "api", exitOK, `^valid: client "svc", sub "svc", scopes "a b", expires in (10m|9m5\ds) \(`},
		{"expired", "api", exitRejected, `^rejected: expired: exp \S+ is 1h(0m\ds)? in the past\n$`},
		{"not-yet-valid", "api", exitRejected, `^rejected: not_yet_valid: nbf \S+ is (1h|59m5\ds) in the future\n$`},
		{"id-token", "svc", exitRejected, `^rejected: wrong_token_kind: .* marks an ID token; an API should accept access tokens, not ID tokens \(pass --id-token to check it as an ID token\)\n$`},
		{"wrong-key", "api", exitRejected, `^rejected: invalid_signature`},
		{"unknown-kid", "api", exitRejected, `^rejected: unknown_key: .*public:unknown-`},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			tok := info[tt.kind]
			if strings.Count(tok, ".") != 2 {
				t.Fatalf("no token for %s in the output:\n%s", tt.kind, info["_all"])
			}
			code, _, errs := runCLI(t, "", verifyArgs(tt.aud, tok)...)
			if code != tt.wantCode || !regexp.MustCompile(tt.wantErr).MatchString(errs) {
				t.Errorf("verify: exit %d, stderr %q; want %d and %s", code, errs, tt.wantCode, tt.wantErr)
			}
		})
	}
	// --scope-claim both: the valid token carries scope and scp.
	code, out, _ := runCLI(t, "", verifyArgs("api", info["valid"])...)
	if code != exitOK || !strings.Contains(out, `"scope": "a b"`) || !strings.Contains(out, `"scp": [`) {
		t.Errorf("claims lack scope and scp:\n%s", out)
	}
}
