package ready_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

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

func ExampleNewHealth() {
	keysUp := ready.CheckerFunc(func(context.Context) error { return nil }) // ready.Keys(cache) in a service
	probe, err := ready.New(ready.Config{Checks: map[string]ready.Checker{"wgtwo": keysUp}})
	if err != nil {
		fmt.Println(err)
		return
	}
	hs := health.NewServer() // registered on the grpc.Server with healthpb.RegisterHealthServer
	changed := make(chan bool, 1)
	h, err := ready.NewHealth(probe, hs, ready.HealthConfig{
		OnChange: func(serving bool, err error) { changed <- serving },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close() // before hs.Shutdown

	fmt.Println("serving:", <-changed)
	resp, err := hs.Check(context.Background(), &healthpb.HealthCheckRequest{})
	fmt.Println(resp.GetStatus(), err)
	// Output:
	// serving: true
	// SERVING <nil>
}
