package issuertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzTokenRequest feeds arbitrary form bodies and Authorization headers to
// the token endpoint: it must answer 200, 400 or 401 with a JSON body, never
// panic, and issue a token only to a correctly authenticated client.
func FuzzTokenRequest(f *testing.F) {
	f.Add("grant_type=client_credentials", "Basic Yzpz")
	f.Add("grant_type=client_credentials&client_id=p&client_secret=s&scope=a", "")
	f.Add("grant_type=client_credentials&scope=a%20zz", "Basic Yzpz")
	f.Add("grant_type=password", "Basic Yzpz")
	f.Add("%zz=1&grant_type", "Basic !!")
	f.Add("grant_type=client_credentials&grant_type=x", "Bearer x")
	s := NewServer(Config{Now: clock})
	f.Cleanup(s.Close)
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"a", "b"}})
	s.AddClient(Client{ID: "p", Secret: "s", Scopes: []string{"a"}, AuthMethod: AuthMethodPost})
	f.Fuzz(func(t *testing.T, body, auth string) {
		req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
		rec := httptest.NewRecorder()
		s.serveToken(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d body %q is not JSON: %v", rec.Code, rec.Body, err)
		}
		switch rec.Code {
		case http.StatusOK:
			u, p, basic := req.BasicAuth()
			u, _ = url.QueryUnescape(u)
			p, _ = url.QueryUnescape(p)
			okBasic := basic && u == "c" && p == "s"
			okPost := !basic && auth == "" && req.PostForm.Get("client_id") == "p" && req.PostForm.Get("client_secret") == "s"
			if !okBasic && !okPost {
				t.Fatalf("issued a token to auth %q body %q", auth, body)
			}
			if tok, _ := out["access_token"].(string); strings.Count(tok, ".") != 2 {
				t.Fatalf("access_token = %q", out["access_token"])
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			if out["error"] == nil {
				t.Fatalf("error answer without error: %v", out)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// FuzzIntrospectRequest feeds arbitrary form bodies and Authorization
// headers to /oauth2/introspect (callers must authenticate as a client):
// it must answer 200, 400 or 401 with a JSON body, never panic, say
// "active" only to an authenticated caller and only for the live token.
func FuzzIntrospectRequest(f *testing.F) {
	s := NewServer(Config{Now: clock, AccessTokenFormat: TokenFormatHydra, IntrospectAuth: IntrospectAuthClient})
	f.Cleanup(s.Close)
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"a", "b"}})
	live := s.issueAccess(s.newGrant(Client{ID: "c"}, "c", []string{"a"}), fixedNow, "")
	f.Add("token="+live, "Basic Yzpz")
	f.Add("token="+live+"&scope=a%20b", "Basic Yzpz")
	f.Add("token="+live+"&token=x", "Basic Yzpz")
	f.Add("token=x&client_id=c&client_secret=s", "")
	f.Add("%zz", "Bearer "+live)
	f.Add("", "Basic !!")
	f.Fuzz(func(t *testing.T, body, auth string) {
		req := httptest.NewRequest(http.MethodPost, "/oauth2/introspect", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
		rec := httptest.NewRecorder()
		s.serveIntrospect(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d body %q is not JSON: %v", rec.Code, rec.Body, err)
		}
		switch rec.Code {
		case http.StatusOK:
			if out["active"] == true && (req.PostForm.Get("token") != live || !isBasic(req, "c", "s")) {
				t.Fatalf("active for body %q auth %q", body, auth)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			if out["error"] == nil {
				t.Fatalf("error answer without error: %v", out)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// FuzzRevokeRequest feeds arbitrary form bodies and Authorization headers
// to /oauth2/revoke: it must answer 200, 400 or 401, never panic, and
// revoke a token only for its own authenticated client.
func FuzzRevokeRequest(f *testing.F) {
	f.Add("token=T", "Basic Yzpz")
	f.Add("token=T", "Basic bzpz")
	f.Add("token=T&client_id=p&client_secret=s", "")
	f.Add("token=&token=T", "Basic Yzpz")
	f.Add("token=%zz", "Basic Yzpz")
	f.Fuzz(func(t *testing.T, body, auth string) {
		s := NewServer(Config{Now: clock, AccessTokenFormat: TokenFormatHydra})
		defer s.Close()
		s.AddClient(Client{ID: "c", Secret: "s"})
		s.AddClient(Client{ID: "o", Secret: "s"})
		s.AddClient(Client{ID: "p", Secret: "s", AuthMethod: AuthMethodPost})
		live := s.issueAccess(s.newGrant(Client{ID: "c"}, "c", nil), fixedNow, "")
		req := httptest.NewRequest(http.MethodPost, "/oauth2/revoke", strings.NewReader(strings.ReplaceAll(body, "T", live)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
		rec := httptest.NewRecorder()
		s.serveRevoke(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if _, ok := s.active(live, fixedNow); !ok && (rec.Code != http.StatusOK || !isBasic(req, "c", "s")) {
			t.Fatalf("token revoked by body %q auth %q (status %d)", body, auth, rec.Code)
		}
	})
}

// isBasic reports whether req carries HTTP Basic credentials id:secret
// (each form-urlencoded, RFC 6749 §2.3.1).
func isBasic(req *http.Request, id, secret string) bool {
	u, p, ok := req.BasicAuth()
	u, err1 := url.QueryUnescape(u)
	p, err2 := url.QueryUnescape(p)
	return ok && err1 == nil && err2 == nil && u == id && p == secret
}

// FuzzAuthorizeRequest feeds arbitrary query strings to /oauth2/auth: it
// must answer 302, 400 or 401, never panic, and redirect only to a
// registered redirect_uri, with a code only for a well-formed request.
func FuzzAuthorizeRequest(f *testing.F) {
	f.Add("response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&state=state-123456&scope=openid")
	f.Add("response_type=code&client_id=web&state=state-123456&code_challenge=abc&code_challenge_method=S256")
	f.Add("response_type=token&client_id=web&redirect_uri=https%3A%2F%2Fapp.example.com%2Fother&state=x")
	f.Add("client_id=web&redirect_uri=https%3A%2F%2Fevil.example.com%2F&state=state-123456")
	f.Add("%zz&client_id=web&client_id=other")
	s := NewServer(Config{Now: clock})
	f.Cleanup(s.Close)
	addWebClient(s)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/oauth2/auth", nil)
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		s.serveAuthorize(rec, req)
		switch rec.Code {
		case http.StatusFound:
			loc, err := url.Parse(rec.Header().Get("Location"))
			if err != nil {
				t.Fatalf("Location %q: %v", rec.Header().Get("Location"), err)
			}
			q := req.URL.Query()
			if back := loc.Scheme + "://" + loc.Host + loc.Path; back != callback && back != "https://app.example.com/other" {
				t.Fatalf("redirected to unregistered %q for query %q", back, query)
			}
			if loc.Query().Get("code") != "" && (q.Get("response_type") != "code" || len(q.Get("state")) < 8 || q.Get("client_id") != "web") {
				t.Fatalf("code issued for query %q", query)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}
