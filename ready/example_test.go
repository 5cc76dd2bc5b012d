package ready_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/jwtguard/jwtguard/ready"
)

func ExampleProbe() {
	// In a service: "wgtwo": ready.Keys(cache), one entry per issuer.
	keysDown := ready.CheckerFunc(func(context.Context) error { return errors.New("no key set loaded yet") })
	probe, err := ready.New(ready.Config{Checks: map[string]ready.Checker{"wgtwo": keysDown}})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", probe) // outside the token middleware

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Print(rec.Code, " ", string(body))
	fmt.Println(probe.Check(context.Background())) // the detail, for the operator
	// Output:
	// 503 {"status":"unavailable","checks":{"wgtwo":"unavailable"}}
	// wgtwo: no key set loaded yet
}
