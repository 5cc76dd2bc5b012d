package httpmw_test

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
)

// TestDPoPIntrospection binds an opaque token: its cnf.jkt comes from the
// introspection answer, read through Claims.Decode like a JWT's.
func TestDPoPIntrospection(t *testing.T) {
	clk := &dpopClock{}
	clk.ns.Store(testNow.UnixNano())
	iss := issuertest.NewServer(issuertest.Config{TLS: true, Now: clk.Now, AccessTokenFormat: issuertest.TokenFormatHydra})
	t.Cleanup(iss.Close)
	iss.AddClient(issuertest.Client{ID: "app", Secret: "secret", Scopes: []string{"read"}})
	roots := x509.NewCertPool()
	roots.AddCert(iss.Certificate())
	ic := introspect.HydraIntrospection(iss.IntrospectURL(), iss.Issuer())
	ic.RootCAs, ic.Now = roots, clk.Now
	checker, err := introspect.New(ic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = checker.Close() })
	dv, err := dpop.NewVerifier(dpop.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: checker, DPoP: dv})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	t.Cleanup(api.Close)

	cl := issuertest.NewDPoPClient(clk.Now)
	tok, err := cl.Token(iss.Client(), iss, "app", "secret")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		send   func(*http.Request) (*http.Response, error)
		status int
	}{
		{"DPoP", func(r *http.Request) (*http.Response, error) { return cl.Do(http.DefaultClient, r, tok) }, 200},
		{"as Bearer", func(r *http.Request) (*http.Response, error) {
			r.Header.Set("Authorization", "Bearer "+tok)
			return http.DefaultClient.Do(r)
		}, 401},
	} {
		req, err := http.NewRequestWithContext(t.Context(), "GET", api.URL+"/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := tt.send(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
}

// TestDPoPOtherSources checks the query and cookie sources with DPoP on:
// a bound token there is a Bearer token and refused, and a DPoP header
// token beside one is a token sent twice. ErrorWriter sees RFC 9449's
// codes.
func TestDPoPOtherSources(t *testing.T) {
	s := newDPoPStack(t, dpop.Config{})
	dv, err := dpop.NewVerifier(dpop.Config{Now: s.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	mw, err := httpmw.New(httpmw.Config{Checker: s.Verifier, DPoP: dv, TokenQueryParam: "access_token", TokenCookie: "at",
		ErrorWriter: func(w http.ResponseWriter, _ *http.Request, f *httpmw.Failure) {
			codes = append(codes, f.Code)
			w.WriteHeader(f.Status)
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tests := []struct {
		name   string
		target string
		auth   string
		cookie string
		proof  bool
		status int
		code   string
	}{
		{"unbound token in the query", "/x?access_token=" + s.plain, "", "", false, 200, ""},
		{"bound token in the query", "/x?access_token=" + s.bound, "", "", false, 401, "invalid_token"},
		{"bound token in a cookie", "/x", "", s.bound, false, 401, "invalid_token"},
		{"DPoP header and query token", "/x?access_token=" + s.plain, "DPoP " + s.bound, "", true, 400, "invalid_request"},
		{"DPoP without proof", "/x", "DPoP " + s.bound, "", false, 401, "invalid_dpop_proof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes = nil
			r := httptest.NewRequest("GET", "http://api.example.com"+tt.target, nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "at", Value: tt.cookie})
			}
			if tt.proof {
				r.Header.Set("DPoP", s.cl.Proof("GET", "http://api.example.com"+tt.target, s.bound))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || (tt.code != "" && (len(codes) != 1 || codes[0] != tt.code)) {
				t.Fatalf("status %d, codes %q; want %d %q", w.Code, codes, tt.status, tt.code)
			}
		})
	}
}
