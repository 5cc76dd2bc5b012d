// Command echo protects a github.com/labstack/echo/v4 server with
// jwtguard's net/http middleware through echo.WrapMiddleware: one line
// per group or route, no adapter.
package main

import (
	"context"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/httpmw"
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

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/readyz", echo.WrapHandler(env.Ready)) // no token: probes carry none
	v1 := e.Group("/v1", echo.WrapMiddleware(mw.Handler))
	v1.GET("/me", me)
	v1.POST("/sms", send, echo.WrapMiddleware(mw.Require(verify.ScopeRule{AllOf: []string{demo.ScopeSend}})))
	return env.Serve(ctx, addr, e, smoke, out)
}

func me(c echo.Context) error {
	claims, _ := verify.FromContext(c.Request().Context()) // set by the middleware
	return c.String(http.StatusOK, "hello "+claims.Subject)
}

func send(c echo.Context) error {
	claims, _ := verify.FromContext(c.Request().Context())
	return c.String(http.StatusOK, "queued for "+claims.Subject)
}
