package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
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
	}{
		{"hydra", regexp.MustCompile(`^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)},
		{"hydra-v2", regexp.MustCompile(`^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$`)},
		{"hex32", regexp.MustCompile(`^[0-9a-f]{32}$`)},
	} {
		t.Run(tt.format, func(t *testing.T) {
			info, _ := startIssuerCmd(t, "--client-id", "svc", "--client-secret", "s", "--scope", "a", "--opaque", tt.format)
			for _, k := range []string{"introspect", "userinfo", "revoke"} {
				if !strings.HasPrefix(info[k], info["URL"]+"/") {
					t.Errorf("%s = %q, want a URL on %s", k, info[k], info["URL"])
				}
			}
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			defer hc.CloseIdleConnections()
			cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "s", TokenURL: info["token"]}
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
		})
	}
	if code, _, errs := runCLI(t, "", "issuer", "--opaque", "jwt"); code != exitUsage || !strings.Contains(errs, "--opaque") {
		t.Errorf("--opaque jwt: exit %d, stderr %q; want a usage error", code, errs)
	}
}
