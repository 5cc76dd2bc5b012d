package issuertest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDPoPBoundTokens(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatHydra} {
		t.Run(format, func(t *testing.T) {
			s := newTestServer(t, Config{AccessTokenFormat: format})
			s.AddClient(Client{ID: "app", Secret: "secret", Scopes: []string{"a", "b"}})
			cl := NewDPoPClient(clock)
			tok, err := cl.Token(s.Client(), s, "app", "secret", "a")
			if err != nil {
				t.Fatal(err)
			}
			if format == TokenFormatJWT {
				_, claims := decodeSegments(t, tok)
				if cnf, _ := claims["cnf"].(map[string]any); cnf["jkt"] != cl.JKT() {
					t.Fatalf("cnf = %v; want jkt %q", claims["cnf"], cl.JKT())
				}
			}
			// Introspection says the token is DPoP-bound (RFC 9449 §6.2).
			_, _, body := postForm(t, s, s.IntrospectURL(), url.Values{"token": {tok}}, noAuth)
			if !strings.Contains(body, `"token_type":"DPoP"`) || !strings.Contains(body, `"cnf":{"jkt":"`+cl.JKT()+`"}`) {
				t.Fatalf("introspection: %s", body)
			}
			// A token requested without a proof is a Bearer token.
			plain := s.IssueAccessToken("app")
			if _, _, body := postForm(t, s, s.IntrospectURL(), url.Values{"token": {plain}}, noAuth); strings.Contains(body, "cnf") ||
				!strings.Contains(body, `"token_type":"Bearer"`) {
				t.Fatalf("unbound token introspection: %s", body)
			}
		})
	}
}

func TestDPoPTokenRequestRefused(t *testing.T) {
	s := newTestServer(t, Config{})
	s.AddClient(Client{ID: "app", Secret: "secret", Scopes: []string{"a"}})
	cl := NewDPoPClient(clock)
	tests := []struct {
		name   string
		proofs func() []string
	}{
		{"proof for another URL", func() []string { return []string{cl.Proof("POST", s.URL()+"/other", "")} }},
		{"proof for GET", func() []string { return []string{cl.Proof("GET", s.TokenURL(), "")} }},
		{"stale proof", func() []string {
			return []string{cl.ProofWith("POST", s.TokenURL(), "", ProofOptions{Claims: map[string]any{"iat": fixedNow.Add(-time.Hour).Unix()}})}
		}},
		{"two proofs", func() []string {
			return []string{cl.Proof("POST", s.TokenURL(), ""), cl.Proof("POST", s.TokenURL(), "")}
		}},
		{"not a proof", func() []string { return []string{"x.y.z"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader("grant_type=client_credentials"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("app", "secret")
			req.Header["Dpop"] = tt.proofs()
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := jsonDecode(resp, &body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_dpop_proof" {
				t.Fatalf("answer %d %v; want 400 invalid_dpop_proof", resp.StatusCode, body)
			}
		})
	}
}
