// Command gin protects a github.com/gin-gonic/gin router with jwtguard's
// net/http middleware through integrations/ginguard.
package main

import (
	"context"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/integrations/ginguard"
	"github.com/jwtguard/jwtguard/verify"
)

func main() { demo.Main(run) }

func run(ctx context.Context, addr string, smoke bool, out io.Writer) error {
	env, err := demo.Start(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	mw, err := httpmw.New(httpmw.Config{Checker: env.Verifier})
	if err != nil {
		return err
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/readyz", gin.WrapH(env.Ready)) // no token: probes carry none
	v1 := r.Group("/v1", ginguard.Wrap(mw.Handler))
	v1.GET("/me", me)
	v1.POST("/sms", ginguard.Wrap(mw.Require(verify.ScopeRule{AllOf: []string{demo.ScopeSend}})), send)
	return env.Serve(ctx, addr, r, smoke, out)
}

func me(c *gin.Context) {
	claims, _ := verify.FromContext(c.Request.Context()) // set by the middleware
	c.String(http.StatusOK, "hello %s", claims.Subject)
}

func send(c *gin.Context) {
	claims, _ := verify.FromContext(c.Request.Context())
	c.String(http.StatusOK, "queued for %s", claims.Subject)
}
