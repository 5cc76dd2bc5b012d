package introspect_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestIsJWT(t *testing.T) {
	tests := []struct {
		name  string
		token string
		want  bool
	}{
		{name: "JWS", token: b64(`{"alg":"RS256","kid":"k"}`) + "." + b64(`{}`) + ".c2ln", want: true},
		{name: "alg none still JWT-shaped", token: b64(`{"alg":"none"}`) + "." + b64(`{}`) + ".c2ln", want: true},
		{name: "hydra v1", token: hydraTok},
		{name: "hydra v2", token: "ory_at_" + hydraTok},
		{name: "hex", token: hexTok},
		{name: "no alg", token: b64(`{"typ":"JWT"}`) + "." + b64(`{}`) + ".c2ln"},
		{name: "header array", token: b64(`["alg"]`) + "." + b64(`{}`) + ".c2ln"},
		{name: "header not JSON", token: b64(`alg`) + "." + b64(`{}`) + ".c2ln"},
		{name: "duplicate alg goes to the strict verifier", token: b64(`{"alg":"RS256","alg":"none"}`) + "." + b64(`{}`) + ".c2ln", want: true},
		{name: "alg only nested", token: b64(`{"x":{"alg":"RS256"},"y":["alg"]}`) + "." + b64(`{}`) + ".c2ln"},
		{name: "alg only as a value", token: b64(`{"typ":"alg"}`) + "." + b64(`{}`) + ".c2ln"},
		{name: "escaped alg", token: b64(`{"\u0061lg":"RS256"}`) + "." + b64(`{}`) + ".c2ln"},
		{name: "escaped quote before alg", token: b64(`{"a\"":1,"alg":"RS256"}`) + "." + b64(`{}`) + ".c2ln", want: true},
		{name: "unterminated string", token: b64(`{"al`) + "." + b64(`{}`) + ".c2ln"},
		{name: "empty signature", token: b64(`{"alg":"RS256"}`) + "." + b64(`{}`) + "."},
		{name: "empty payload", token: b64(`{"alg":"RS256"}`) + "..c2ln"},
		{name: "four segments", token: b64(`{"alg":"RS256"}`) + ".e30.c2ln.x"},
		{name: "JWE five segments", token: b64(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".a.b.c.d"},
		{name: "bad base64", token: "!!!.e30.c2ln"},
		{name: "large header", token: b64(`{"alg":"RS256","x":"`+strings.Repeat("a", 4000)+`"}`) + ".e30.c2ln", want: true},
		{name: "oversized header", token: b64(`{"alg":"RS256","x":"`+strings.Repeat("a", 9000)+`"}`) + ".e30.c2ln"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := introspect.IsJWT(tt.token); got != tt.want {
				t.Fatalf("IsJWT = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRouteThroughMiddleware puts a Route of the JWT verifier and a
// remote Checker behind httpmw: JWTs are verified locally, opaque tokens
// remotely, and a bad JWT never reaches the remote endpoint.
func TestRouteThroughMiddleware(t *testing.T) {
	p := newProvider(t, reply(200, active("sms.text:send_to_subscriber", "")))
	remote := newChecker(t, p.config(newClock()))
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: tokentest.Issuer, Keys: tokentest.StaticKeys(t)}},
		Audiences: []string{tokentest.Audience},
		Now:       tokentest.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: introspect.Route(v, remote)})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := verify.FromContext(r.Context())
		w.Write([]byte(c.Subject))
	}))
	jwt := tokentest.Token(t, "sms.text:send_to_subscriber")
	tests := []struct {
		name   string
		token  string
		status int
		calls  int64
	}{
		{name: "JWT verified locally", token: jwt, status: 200, calls: 0},
		{name: "forged JWT refused locally", token: jwt[:len(jwt)-4] + "AAAA", status: 401, calls: 0},
		{name: "opaque checked remotely", token: hydraTok, status: 200, calls: 1},
		{name: "opaque cached", token: hydraTok, status: 200, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if n := p.calls.Load(); n != tt.calls {
				t.Fatalf("remote calls = %d, want %d", n, tt.calls)
			}
		})
	}
	if _, err := introspect.Route(v, remote).Verify(context.Background(), hydraTok, verify.ScopeRule{}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkIsJWT(b *testing.B) {
	tok := b64(`{"alg":"RS256","kid":"public:4f60eca7-a5de-4617-a456-9c120b91d839","typ":"JWT"}`) + "." + b64(`{"sub":"x"}`) + ".c2ln"
	b.ReportAllocs()
	for b.Loop() {
		if !introspect.IsJWT(tok) {
			b.Fatal("not a JWT")
		}
	}
}
