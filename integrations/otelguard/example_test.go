package otelguard_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/jwtguard/jwtguard/integrations/otelguard"
	"github.com/jwtguard/jwtguard/verify"
)

func Example() {
	reader := sdkmetric.NewManualReader() // in production: a periodic OTLP or Prometheus reader
	tel, err := otelguard.New(otelguard.Config{
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		Issuers:       []string{"https://id.wgtwo.com/"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := verify.Config{OnDecision: tel.OnDecision} // and Issuers, Audiences, ...

	// What the verifier reports for an expired token and an accepted one:
	cfg.OnDecision(verify.Decision{Reason: verify.ReasonExpired, Issuer: "https://id.wgtwo.com/"})
	cfg.OnDecision(verify.Decision{Issuer: "https://id.wgtwo.com/", Cached: true})

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "jwtguard.verify.decisions" {
			fmt.Println(m.Name, "points:", len(m.Data.(metricdata.Sum[int64]).DataPoints))
		}
	}
	// Output:
	// jwtguard.verify.decisions points: 2
}
