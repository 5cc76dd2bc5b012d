package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestIssuerOpaque: with --opaque the issuer hands out opaque tokens of
// that format and answers for them at the printed introspection URL.
func TestIssuerOpaque(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   *regexp.Regexp
		tls    bool
	}{
		{"hydra", regexp.MustCompile(`^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`), false},
		{"hydra-v2", regexp.MustCompile(`^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`), false},
		{"hex32", regexp.MustCompile(`^[0-9a-f]{32}$`), true},
	} {
		t.Run(tt.format, func(t *testing.T) {
			args := []string{"--client-id", "svc", "--client-secret", "s e'cret", "--scope", "a", "--opaque", tt.format}
			ca := filepath.Join(t.TempDir(), "ca.pem")
			if tt.tls {
				args = append(args, "--ca-out", ca)
			}
			info, _ := startIssuerCmd(t, args...)
			tr := http.DefaultTransport.(*http.Transport).Clone()
			if tt.tls {
				pemBytes, err := os.ReadFile(ca)
				if err != nil {
					t.Fatal(err)
				}
				roots := x509.NewCertPool()
				roots.AppendCertsFromPEM(pemBytes)
				tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
			}
			hc := &http.Client{Transport: tr}
			for _, k := range []string{"introspect", "userinfo", "revoke"} {
				if !strings.HasPrefix(info[k], info["URL"]+"/") {
					t.Errorf("%s = %q, want a URL on %s", k, info[k], info["URL"])
				}
			}
			defer hc.CloseIdleConnections()
			cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "s e'cret", TokenURL: info["token"]}
			tok, err := cc.Token(context.WithValue(t.Context(), oauth2.HTTPClient, hc))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want.MatchString(tok.AccessToken) {
				t.Errorf("access token %q does not match %s", tok.AccessToken, tt.want)
			}
			resp, err := hc.PostForm(info["introspect"], url.Values{"token": {tok.AccessToken}})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				Active   bool   `json:"active"`
				ClientID string `json:"client_id"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || !got.Active || got.ClientID != "svc" {
				t.Errorf("introspection: %+v, %v", got, err)
			}
			runCheckIt(t, info["_all"], tok.AccessToken, "s e'cret")
		})
	}
	if code, _, errs := runCLI(t, "", "issuer", "--opaque", "jwt"); code != exitUsage || !strings.Contains(errs, "--opaque") {
		t.Errorf("--opaque jwt: exit %d, stderr %q; want a usage error", code, errs)
	}
}

// runCheckIt runs the commands the issuer printed under "Check it" with
// the token, as a shell would: the export line sets the environment, and
// each verify line must accept the token.
func runCheckIt(t *testing.T, printed, token, secret string) {
	t.Helper()
	var ran int
	for _, line := range strings.Split(printed, "\n") {
		if env, ok := strings.CutPrefix(line, "  export "); ok {
			name, value, _ := strings.Cut(env, "=")
			t.Setenv(name, shellUnquote(t, value))
			continue
		}
		cmd, ok := strings.CutPrefix(line, "  jwtguard ")
		if !ok {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, "#")
		args := strings.Fields(strings.ReplaceAll(cmd, `"$TOKEN"`, token))
		if code, _, errs := runCLI(t, "", args...); code != exitOK {
			t.Errorf("printed command %q: exit %d, stderr %q; want 0", line, code, errs)
		}
		ran++
	}
	if ran != 2 || os.Getenv(secretEnv) != secret {
		t.Errorf("ran %d printed verify commands with %s set to %q, want 2 and the secret:\n%s", ran, secretEnv, os.Getenv(secretEnv), printed)
	}
}

// shellUnquote undoes shellQuote.
func shellUnquote(t *testing.T, s string) string {
	t.Helper()
	if !strings.HasPrefix(s, "'") {
		return s
	}
	if !strings.HasSuffix(s, "'") || len(s) < 2 {
		t.Fatalf("bad quoting %q", s)
	}
	return strings.ReplaceAll(s[1:len(s)-1], `'\''`, "'")
}
