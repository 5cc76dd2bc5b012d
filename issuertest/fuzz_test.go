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
