package ginguard_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/integrations/ginguard"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/verify"
)

func newRouter(t *testing.T) (*gin.Engine, *int) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	v, err := verify.New(verify.Config{Issuers: []verify.Issuer{{Name: tokentest.Issuer, Keys: tokentest.StaticKeys(t)}},
		Audiences: []string{tokentest.Audience}, Now: tokentest.Now})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	who := func(c *gin.Context) {
		calls++
		claims, ok := verify.FromContext(c.Request.Context())
		if !ok {
			c.String(http.StatusOK, "anonymous")
			return
		}
		c.String(http.StatusOK, "sub=%s scopes=%s", claims.Subject, strings.Join(claims.Scopes, ","))
	}
	r := gin.New()
	r.GET("/public", who)
	api := r.Group("/v1", ginguard.Wrap(mw.Handler)) // any valid token
	api.GET("/me", who)
	api.POST("/sms", ginguard.Wrap(mw.Require(verify.ScopeRule{AllOf: []string{"sms.send"}})), who)
	return r, &calls
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name, method, path, token string
		want                      int
		wantBody, wantChallenge   string
	}{
		{name: "public", method: "GET", path: "/public", want: 200, wantBody: "anonymous"},
		{name: "no token", method: "GET", path: "/v1/me", want: 401, wantChallenge: `Bearer realm="api"`},
		{name: "bad token", method: "GET", path: "/v1/me", token: "abc", want: 401, wantChallenge: `error="invalid_token"`},
		{name: "any valid token", method: "GET", path: "/v1/me", token: tokentest.Token(t), want: 200, wantBody: "sub=client-1 scopes="},
		{name: "missing scope", method: "POST", path: "/v1/sms", token: tokentest.Token(t, "sms.read"), want: 403, wantChallenge: `scope="sms.send"`},
		{name: "scope present", method: "POST", path: "/v1/sms", token: tokentest.Token(t, "sms.send"), want: 200, wantBody: "sub=client-1 scopes=sms.send"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, calls := newRouter(t)
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body %q, want %q", rec.Body, tt.wantBody)
			}
			if ch := rec.Header().Get("WWW-Authenticate"); !strings.Contains(ch, tt.wantChallenge) {
				t.Errorf("challenge %q, want it to contain %q", ch, tt.wantChallenge)
			}
			if wantCalls := map[bool]int{true: 1, false: 0}[tt.want == 200]; *calls != wantCalls {
				t.Errorf("handler ran %d times, want %d", *calls, wantCalls)
			}
		})
	}
}
