package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
)

// TestVerifyHints checks the messages for common mistakes: the exact
// stderr lines before the verdict, and the verdict's first words.
func TestVerifyHints(t *testing.T) {
	s := newIssuer(t, issuertest.Config{})
	tok := s.AccessToken(testClient, "a")
	response, err := json.Marshal(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 3599, "scope": "a"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		stdin    string
		args     []string // after baseArgs
		wantCode int
		wantErr  []string // stderr lines, each a prefix of the line at its index
	}{
		{"token response JSON", string(response) + "\n", []string{"-"}, exitOK,
			[]string{`jwtguard verify: checking the "access_token" of a pasted token response`, "valid: "}},
		{"Authorization header line", "", []string{"Authorization: Bearer " + tok}, exitOK,
			[]string{"jwtguard verify: checking the token of an Authorization header line", "valid: "}},
		{"header line on stdin, any case", "authorization:bearer " + tok + "\r\n", []string{"-"}, exitOK,
			[]string{"jwtguard verify: checking the token of an Authorization header line", "valid: "}},
		{"JSON without a token", `{"error":"invalid_client"}`, []string{"-"}, exitUsage,
			[]string{`jwtguard verify: standard input is JSON without an "access_token" member; pass the token itself`}},
		{"JSON with only an ID token", `{"id_token":"x.y.z"}`, []string{"-"}, exitUsage,
			[]string{`jwtguard verify: standard input is JSON with an "id_token" but no "access_token"; pass the ID token itself (and --nonce) to check it`}},
		{"JSON that does not parse", `{"access_token": "a", "access_token": "b"}`, []string{"-"}, exitUsage,
			[]string{"jwtguard verify: standard input looks like JSON but does not parse: "}},
		{"Authorization header without Bearer", "", []string{"Authorization: Basic Zm9vOmJhcg=="}, exitUsage,
			[]string{"jwtguard verify: TOKEN holds an Authorization header without a Bearer token"}},
		{"ID token refused with a hint", "", []string{s.IDToken(testClient, "", "")}, exitRejected,
			[]string{"rejected: wrong_token_kind: "}},
		{"--id-token without --audience", "", []string{"--id-token", s.IDToken(testClient, "", "")}, exitUsage,
			[]string{"jwtguard verify: --id-token and --nonce need --audience CLIENT_ID: an ID token names the client it was issued to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, tt.stdin, append(baseArgs(s), tt.args...)...)
			lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			if code != tt.wantCode || len(lines) < len(tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and the lines %q", code, errs, tt.wantCode, tt.wantErr)
			}
			for i, want := range tt.wantErr {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d = %q, want it to start %q", i+1, lines[i], want)
				}
			}
		})
	}
}

// A token from another issuer is refused before anything is fetched: with
// the issuer's endpoints dropping every connection, a fetch would end in
// exit 3 instead.
func TestVerifyIssuerMismatchBeforeFetch(t *testing.T) {
	s := newIssuer(t, issuertest.Config{})
	s.SetFault(issuertest.Fault{CloseConn: true})
	tests := []struct {
		name, iss, want string
	}{
		{"other issuer", "https://id.example/",
			`rejected: invalid_issuer: the token's iss "https://id.example/" is not --issuer "` + s.Issuer() +
				`"; checked before fetching keys, so the signature was not verified` + "\n"},
		{"trailing slash", s.URL(),
			`rejected: invalid_issuer: the token's iss "` + s.URL() + `" is not --issuer "` + s.Issuer() +
				`" (they differ only in the trailing slash; issuers compare exactly); checked before fetching keys, so the signature was not verified` + "\n"},
		{"control characters", "https://x/\n\x1b[31m",
			`rejected: invalid_issuer: the token's iss "https://x/\n\x1b[31m" is not --issuer "` + s.Issuer() +
				`"; checked before fetching keys, so the signature was not verified` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mintWith(s, issuertest.MintOptions{}, func(c map[string]any) { c["iss"] = tt.iss })
			code, out, errs := runCLI(t, "", append(baseArgs(s), tok)...)
			if code != exitRejected || out != "" || errs != tt.want {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, out, errs, exitRejected, tt.want)
			}
		})
	}
	if n := s.JWKSRequests(); n != 0 {
		t.Errorf("%d JWKS requests, want 0", n)
	}
}

func TestCollapsePrefixes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"jwks: initial fetch: jwks: fetch https://x/: 503", "jwks: initial fetch: fetch https://x/: 503"},
		{"a: b: c", "a: b: c"},
		{"jwks: x: jwks: y: jwks: z", "jwks: x: y: z"},
		{"last: last", "last: last"},
	}
	for _, tt := range tests {
		if got := collapsePrefixes(tt.in); got != tt.want {
			t.Errorf("collapsePrefixes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFmtDuration(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"1h0m3.635965538s", "1h0m4s"},
		{"59m59.6s", "1h"},
		{"59m0s", "59m"},
		{"3m0s", "3m"},
		{"2h3m0s", "2h3m"},
		{"400ms", "0s"},
		{"-90s", "-1m30s"},
		{"0s", "0s"},
	}
	for _, tt := range tests {
		d, err := time.ParseDuration(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmtDuration(d); got != tt.want {
			t.Errorf("fmtDuration(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
