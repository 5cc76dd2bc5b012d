// Package ginguard adapts jwtguard's net/http middleware to gin.
//
// [Wrap] turns any func(http.Handler) http.Handler — httpmw's
// Middleware.Handler or Middleware.Require(scopes) — into a
// gin.HandlerFunc:
//
//	mw, _ := httpmw.New(httpmw.Config{Checker: verifier})
//	r := gin.New()
//	r.POST("/v1/sms", ginguard.Wrap(mw.Require(verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}})), send)
//
// Handlers read the claims with verify.FromContext(c.Request.Context()).
//
// # Security
//
// The middleware decides and writes the refusal (401, 403, 400 or 503
// with its WWW-Authenticate challenge) exactly as for net/http; Wrap then
// aborts the gin chain, so no later handler runs for a refused request. A
// handler runs only when the middleware called its next handler, that is,
// after the token was verified.
package ginguard
