package issuertest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtguard/jwtguard/internal/testcert"
)

// certClient is s's HTTP client presenting cert, closed at the end of t.
func certClient(t testing.TB, s *Server, cert tls.Certificate) *http.Client {
	t.Helper()
	tr := s.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestCertificateBoundTokens(t *testing.T) {
	cert, err := testcert.Client("svc")
	if err != nil {
		t.Fatal(err)
	}
	want := CertThumbprint(cert.Leaf)
	tests := []struct {
		name     string
		cfg      Config
		withCert bool
		bound    bool
	}{
		{name: "jwt, certificate", cfg: Config{RequestClientCert: true}, withCert: true, bound: true},
		{name: "jwt, no certificate", cfg: Config{RequestClientCert: true}},
		{name: "jwt, server does not ask", cfg: Config{TLS: true}, withCert: true},
		{name: "hydra opaque, certificate", cfg: Config{RequestClientCert: true, AccessTokenFormat: TokenFormatHydra}, withCert: true, bound: true},
		{name: "hydra opaque, no certificate", cfg: Config{RequestClientCert: true, AccessTokenFormat: TokenFormatHydra}},
		{name: "hex32 opaque, certificate", cfg: Config{RequestClientCert: true, AccessTokenFormat: TokenFormatHex32}, withCert: true, bound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			s.AddClient(Client{ID: "svc", Secret: "s3cret", Scopes: []string{"a"}})
			hc := s.Client()
			if tt.withCert {
				hc = certClient(t, s, cert)
			}
			cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "s3cret", TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
			tok, err := cc.Token(context.WithValue(t.Context(), oauth2.HTTPClient, hc))
			if err != nil {
				t.Fatal(err)
			}
			wantCnf := map[string]any(nil)
			if tt.bound {
				wantCnf = map[string]any{"x5t#S256": want}
			}
			if tt.cfg.AccessTokenFormat == "" {
				_, claims := decodeSegments(t, tok.AccessToken)
				if got, _ := claims["cnf"].(map[string]any); !equalJSON(got, wantCnf) {
					t.Errorf("JWT cnf = %v, want %v", claims["cnf"], wantCnf)
				}
			}
			// Introspection answers the binding for JWTs and opaque tokens.
			status, _, body := postForm(t, s, s.IntrospectURL(), url.Values{"token": {tok.AccessToken}}, noAuth)
			var got struct {
				Active bool           `json:"active"`
				Cnf    map[string]any `json:"cnf"`
			}
			if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil || !got.Active {
				t.Fatalf("introspection: %d %s (%v)", status, body, err)
			}
			if !equalJSON(got.Cnf, wantCnf) {
				t.Errorf("introspection cnf = %v, want %v", got.Cnf, wantCnf)
			}
		})
	}
}

func equalJSON(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
