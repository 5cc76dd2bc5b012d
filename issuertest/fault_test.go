package issuertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestFaultOnEachEndpoint injects each kind of fault into each endpoint
// and checks that only that endpoint is affected and that its counter
// moves.
func TestFaultOnEachEndpoint(t *testing.T) {
	type call func(s *Server) (*http.Response, error)
	form := func(u func(*Server) string, v url.Values, user string) call {
		return func(s *Server) (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodPost, u(s), strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if user != "" {
				req.SetBasicAuth(user, "s")
			}
			return s.Client().Do(req)
		}
	}
	getter := func(u func(*Server) string, authz string) call {
		return func(s *Server) (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodGet, u(s), nil)
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			c := *s.Client()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			return c.Do(req)
		}
	}
	calls := map[Endpoint]struct {
		do         call
		wantStatus int // unfaulted
	}{
		EndpointDiscovery:  {getter((*Server).DiscoveryURL, ""), 200},
		EndpointJWKS:       {getter((*Server).JWKSURL, ""), 200},
		EndpointAuthorize:  {getter(func(s *Server) string { return webConfig(s).AuthCodeURL("state-123456") }, ""), 302},
		EndpointToken:      {form((*Server).TokenURL, url.Values{"grant_type": {"client_credentials"}}, "web"), 200},
		EndpointIntrospect: {form((*Server).IntrospectURL, url.Values{"token": {"x"}}, ""), 200},
		EndpointUserinfo:   {getter((*Server).UserinfoURL, "Bearer x"), 401},
		EndpointRevoke:     {form((*Server).RevokeURL, url.Values{"token": {"x"}}, "web"), 200},
	}
	faults := []struct {
		name       string
		f          Fault
		wantStatus int    // 0: the endpoint's own
		wantBody   string // "" = the endpoint's own
		wantCT     string
		wantErr    bool
	}{
		{"status only", Fault{Status: 503}, 503, "", "", false},
		{"body", Fault{Status: 502, Body: []byte("<html>bad gateway</html>"), ContentType: "text/html"}, 502, "<html>bad gateway</html>", "text/html", false},
		{"empty json body", Fault{Body: []byte{}}, 200, "-", "application/json", false},
		{"content type only", Fault{ContentType: "text/plain"}, 0, "", "text/plain", false},
		{"close", Fault{CloseConn: true}, 0, "", "", true},
	}
	for e, c := range calls {
		for _, ft := range faults {
			t.Run(string(e)+"/"+ft.name, func(t *testing.T) {
				s := newTestServer(t, Config{})
				addWebClient(s)
				s.SetFaultOn(e, ft.f)
				for other, oc := range calls {
					if other == e {
						continue
					}
					resp, err := oc.do(s)
					if err != nil {
						t.Fatalf("%s: %v", other, err)
					}
					resp.Body.Close()
					if resp.StatusCode != oc.wantStatus {
						t.Errorf("unfaulted %s: status %d, want %d", other, resp.StatusCode, oc.wantStatus)
					}
				}
				before := s.Requests(e)
				resp, err := c.do(s)
				// net/http retries a GET whose reused connection drops.
				if n := s.Requests(e); n != before+1 && !(ft.wantErr && n > before) {
					t.Errorf("Requests(%s) = %d, want %d", e, n, before+1)
				}
				if ft.wantErr {
					if err == nil {
						resp.Body.Close()
						t.Fatalf("got status %d, want a connection error", resp.StatusCode)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				want := ft.wantStatus
				if want == 0 {
					want = c.wantStatus
				}
				if resp.StatusCode != want {
					t.Errorf("status %d, want %d", resp.StatusCode, want)
				}
				switch ft.wantBody {
				case "":
					if e != EndpointAuthorize && e != EndpointRevoke && !strings.HasPrefix(string(body), "{") {
						t.Errorf("body %q, want the endpoint's JSON", body)
					}
				case "-":
					if len(body) != 0 {
						t.Errorf("body %q, want empty", body)
					}
				default:
					if string(body) != ft.wantBody {
						t.Errorf("body %q, want %q", body, ft.wantBody)
					}
				}
				if ft.wantCT != "" && resp.Header.Get("Content-Type") != ft.wantCT {
					t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), ft.wantCT)
				}
				s.SetFaultOn(e, Fault{})
				if resp, err := c.do(s); err != nil || resp.StatusCode != c.wantStatus {
					t.Errorf("after clearing: %v %v", resp, err)
				} else {
					resp.Body.Close()
				}
			})
		}
	}
}

// TestFaultedTokenRequestIssuesNothing: a Body fault answers instead of
// the endpoint, so no token enters the table.
func TestFaultedTokenRequestIssuesNothing(t *testing.T) {
	s := newTestServer(t, Config{AccessTokenFormat: TokenFormatHydra})
	s.AddClient(Client{ID: "c", Secret: "s"})
	s.SetFaultOn(EndpointToken, Fault{Status: 500, Body: []byte(`{"error":"server_error"}`)})
	status, _, body := postForm(t, s, s.TokenURL(), url.Values{"grant_type": {"client_credentials"}}, basic("c", "s"))
	if status != 500 || body != `{"error":"server_error"}` || len(s.tokens.m) != 0 {
		t.Errorf("got %d %s with %d tokens issued", status, body, len(s.tokens.m))
	}
}

func TestUnknownEndpointPanics(t *testing.T) {
	s := newTestServer(t, Config{})
	for name, f := range map[string]func(){
		"SetFaultOn": func() { s.SetFaultOn("nope", Fault{}) },
		"Requests":   func() { s.Requests("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with an unknown Endpoint did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		fault      Fault
		wantStatus int
		wantCT     string
		wantBody   string // "" = the real JWKS document
	}{
		{"status 500 with real body", Config{}, Fault{Status: 500}, 500, "application/json", ""},
		{"status 503 empty body", Config{}, Fault{Status: 503, Body: []byte{}}, 503, "application/json", "-"},
		{"html body", Config{}, Fault{Body: []byte("<html>maintenance</html>"), ContentType: "text/html"}, 200, "text/html", "<html>maintenance</html>"},
		{"garbage json", Config{}, Fault{Body: []byte(`{"keys":[{"kty":"RSA","n":"!!"}]}`)}, 200, "application/json", `{"keys":[{"kty":"RSA","n":"!!"}]}`},
		{"short delay then ok", Config{}, Fault{Delay: time.Millisecond}, 200, "application/json", ""},
		{"cache-control kept", Config{CacheControl: HydraV2CacheControl}, Fault{Status: 502}, 502, "application/json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			_, _, real := get(t, s, s.JWKSURL())
			s.SetFault(tt.fault)
			status, h, body := get(t, s, s.JWKSURL())
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			if ct := h.Get("Content-Type"); ct != tt.wantCT {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantCT)
			}
			want := tt.wantBody
			switch want {
			case "":
				want = string(real)
			case "-":
				want = ""
			}
			if string(body) != want {
				t.Errorf("body %q, want %q", body, want)
			}
			if h.Get("Cache-Control") != tt.cfg.CacheControl {
				t.Errorf("Cache-Control %q, want %q", h.Get("Cache-Control"), tt.cfg.CacheControl)
			}
			s.SetFault(Fault{})
			if status, _, body := get(t, s, s.JWKSURL()); status != 200 || string(body) != string(real) {
				t.Errorf("after clearing the fault: %d %s", status, body)
			}
			if s.JWKSRequests() != 3 {
				t.Errorf("JWKSRequests() = %d, want 3 (faulted ones count)", s.JWKSRequests())
			}
		})
	}
}

func TestFaultCloseConn(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			s := newTestServer(t, Config{TLS: tls})
			s.SetFault(Fault{CloseConn: true})
			resp, err := s.Client().Get(s.JWKSURL())
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET succeeded with status %d; want a connection error", resp.StatusCode)
			}
			if s.JWKSRequests() < 1 {
				t.Errorf("JWKSRequests() = %d, want ≥ 1", s.JWKSRequests())
			}
		})
	}
}

// TestFaultDelayEndsOnClose: a request held by a long Delay must not keep
// Close waiting, and the client must see an error rather than a 200.
func TestFaultDelayEndsOnClose(t *testing.T) {
	s := NewServer(Config{}) // no Cleanup: a Close that hangs must fail below, not hang there
	s.SetFault(Fault{Delay: time.Hour})
	got := make(chan error, 1) // nil: the GET got a response
	go func() {
		resp, err := s.Client().Get(s.JWKSURL())
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}()
	for s.JWKSRequests() == 0 { // then the handler is in (or entering) its delay
		select {
		case err := <-got:
			s.Close()
			t.Fatalf("GET ended (err %v) before the server saw it", err)
		default:
			runtime.Gosched()
		}
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("Close blocked on a delayed JWKS request")
	}
	if err := <-got; err == nil {
		t.Errorf("delayed request after Close got a response; want a connection error")
	}
	s.Close() // idempotent
}

// TestFaultDelayEndsWithRequest: the delay stops when the client gives up.
func TestFaultDelayEndsWithRequest(t *testing.T) {
	s := newTestServer(t, Config{})
	s.SetFault(Fault{Delay: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/.well-known/jwks.json", nil)
	rec := httptest.NewRecorder()
	returned := make(chan struct{})
	go func() { s.mux.ServeHTTP(rec, req); close(returned) }()
	cancel()
	select {
	case <-returned:
	case <-time.After(30 * time.Second):
		t.Fatal("handler still delaying after the request context was cancelled")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("cancelled request got body %q", rec.Body)
	}
}
