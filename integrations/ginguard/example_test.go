package ginguard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/integrations/ginguard"
	"github.com/jwtguard/jwtguard/internal/tokentest"
)

func ExampleWrap() {
	gin.SetMode(gin.ReleaseMode)
	mw, err := httpmw.New(httpmw.Config{Checker: tokentest.OpaqueChecker{}}) // a *verify.Verifier in a service
	if err != nil {
		fmt.Println(err)
		return
	}
	r := gin.New()
	r.GET("/v1/me", ginguard.Wrap(mw.Handler), func(c *gin.Context) { c.String(http.StatusOK, "hello") })

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/me", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 401 Bearer realm="api"
}
