package resourcemeta_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/resourcemeta"
	"github.com/jwtguard/jwtguard/verify"
)

// resourceMetadataParam extracts resource_metadata="…" from a Bearer
// challenge (the values here contain no quote or backslash).
func resourceMetadataParam(t *testing.T, challenge string) string {
	t.Helper()
	const key = `resource_metadata="`
	i := strings.Index(challenge, key)
	if i < 0 {
		t.Fatalf("challenge %q has no resource_metadata", challenge)
	}
	rest := challenge[i+len(key):]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		t.Fatalf("challenge %q: unterminated resource_metadata", challenge)
	}
	return rest[:end]
}

// TestChallengesPointAtDocument serves a protected API and its metadata
// over TLS from one Config, provokes every kind of challenge, and follows
// each challenge's resource_metadata URL as a client would: the document
// must be there, and its resource must be the configured one (RFC 9728
// §3.3).
func TestChallengesPointAtDocument(t *testing.T) {
	const audience = "https://api.example.com/"
	iss := issuertest.NewServer(issuertest.Config{Audience: []string{audience}})
	t.Cleanup(iss.Close)
	keys, err := jwks.New(context.Background(), jwks.Config{URL: iss.JWKSURL(), InsecureAllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: iss.Issuer(), Keys: keys}},
		Audiences: []string{audience},
	})
	if err != nil {
		t.Fatal(err)
	}

	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	resource := srv.URL + "/v1"
	meta, err := resourcemeta.New(resourcemeta.Config{
		Resource:             resource,
		AuthorizationServers: []string{"https://id.example.com/"},
		ScopesSupported:      []string{"read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: v, ResourceMetadata: meta.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	mux.Handle(meta.Pattern(), meta)
	mux.Handle("GET /v1/read", mw.Require(verify.ScopeRule{AllOf: []string{"read"}})(ok))
	client := srv.Client()

	for _, tc := range []struct {
		name   string
		auth   string
		status int
	}{
		{"no credentials", "", 401},
		{"invalid request", "Bearer a b", 400},
		{"invalid token", "Bearer " + iss.ExpiredAccessToken("c", "read"), 401},
		{"insufficient scope", "Bearer " + iss.AccessToken("c", "write"), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", resource+"/read", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			u := resourceMetadataParam(t, resp.Header.Get("WWW-Authenticate"))
			mresp, err := client.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			defer mresp.Body.Close()
			body, err := io.ReadAll(mresp.Body)
			if err != nil || mresp.StatusCode != 200 {
				t.Fatalf("GET %s: %d %v", u, mresp.StatusCode, err)
			}
			var doc struct {
				Resource string `json:"resource"`
			}
			if err := json.Unmarshal(body, &doc, json.RejectUnknownMembers(false)); err != nil {
				t.Fatal(err)
			}
			if doc.Resource != resource {
				t.Errorf("resource %q, want %q", doc.Resource, resource)
			}
		})
	}
}
