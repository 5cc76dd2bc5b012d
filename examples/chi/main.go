// Command chi protects a github.com/go-chi/chi/v5 router with jwtguard's
// net/http middleware: chi takes func(http.Handler) http.Handler
// middleware as it is, so httpmw's Handler and Require plug straight in.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

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

	r := chi.NewRouter()
	r.Method(http.MethodGet, "/readyz", env.Ready) // no token: probes carry none
	r.Route("/v1", func(r chi.Router) {
		r.Use(mw.Handler) // every route below needs a valid token
		r.Get("/me", me)
		r.With(mw.Require(verify.ScopeRule{AllOf: []string{demo.ScopeSend}})).Post("/sms", send)
	})
	return env.Serve(ctx, addr, r, smoke, out)
}

func me(w http.ResponseWriter, r *http.Request) {
	claims, _ := verify.FromContext(r.Context()) // set by the middleware
	fmt.Fprintln(w, "hello", claims.Subject)
}

func send(w http.ResponseWriter, r *http.Request) {
	claims, _ := verify.FromContext(r.Context())
	fmt.Fprintln(w, "queued for", claims.Subject)
}
