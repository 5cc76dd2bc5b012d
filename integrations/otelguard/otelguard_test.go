package otelguard_test

import (
	"context"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jwtguard/jwtguard/integrations/otelguard"
	"github.com/jwtguard/jwtguard/internal/hooktest"
)

// setup builds the hooktest service with every otelguard hook plugged in
// and a request span around each request, as otelhttp would start it.
func setup(t *testing.T) (*hooktest.Fixture, *sdkmetric.ManualReader, *tracetest.SpanRecorder) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	tracer := tp.Tracer("test")
	f := hooktest.New(t, func(up string) hooktest.Hooks {
		tel, err := otelguard.New(otelguard.Config{MeterProvider: mp, TracerProvider: tp, Issuers: []string{up}})
		if err != nil {
			t.Fatal(err)
		}
		return hooktest.Hooks{
			OnDecision: tel.OnDecision,
			JWKS:       tel.JWKS,
			OnReject:   tel.OnReject,
			Checker:    tel.Checker,
			Wrap: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ctx, span := tracer.Start(r.Context(), "request "+r.URL.Path)
					defer span.End()
					next.ServeHTTP(w, r.WithContext(ctx))
				})
			},
		}
	})
	return f, reader, spans
}

// counts returns the int64 sum data points of metric name, keyed by their
// encoded attribute set.
func counts(t *testing.T, r *sdkmetric.ManualReader, name string) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] += dp.Value
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] += int64(dp.Count)
				}
			default:
				t.Fatalf("%s: unexpected data %T", name, m.Data)
			}
		}
	}
	return out
}

func TestTelemetry(t *testing.T) {
	f, reader, recorder := setup(t)
	requests := f.Run(t)
	up := f.Up.Issuer()
	check := func(name string, want map[string]int64) {
		t.Helper()
		got := counts(t, reader, name)
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
			return
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s{%s} = %d, want %d (all: %v)", name, k, got[k], w, got)
			}
		}
	}
	check("jwtguard.verify.decisions", map[string]int64{
		"jwtguard.cache=miss,jwtguard.issuer=" + up + ",jwtguard.reason=ok":                 1,
		"jwtguard.cache=hit,jwtguard.issuer=" + up + ",jwtguard.reason=ok":                  1,
		"jwtguard.cache=miss,jwtguard.issuer=" + up + ",jwtguard.reason=insufficient_scope": 1,
		"jwtguard.cache=miss,jwtguard.issuer=other,jwtguard.reason=invalid_issuer":          1,
		"jwtguard.cache=miss,jwtguard.issuer=other,jwtguard.reason=unavailable":             1,
	})
	check("jwtguard.verify.duration", map[string]int64{
		"jwtguard.reason=ok": 2, "jwtguard.reason=insufficient_scope": 1, "jwtguard.reason=invalid_issuer": 1, "jwtguard.reason=unavailable": 1,
	})
	check("jwtguard.rejections", map[string]int64{
		"jwtguard.reason=missing_token,jwtguard.transport=http":      1,
		"jwtguard.reason=insufficient_scope,jwtguard.transport=http": 1,
		"jwtguard.reason=invalid_issuer,jwtguard.transport=http":     1,
		"jwtguard.reason=unavailable,jwtguard.transport=http":        1,
	})
	fetches := counts(t, reader, "jwtguard.jwks.fetches")
	if got := fetches["jwtguard.issuer=up,jwtguard.result=updated,jwtguard.trigger=initial"]; got != 1 {
		t.Errorf("initial fetch of the healthy issuer counted %d times (all: %v)", got, fetches)
	}
	var failed int64
	for k, n := range fetches {
		if k != "jwtguard.issuer=up,jwtguard.result=updated,jwtguard.trigger=initial" {
			failed += n
		}
	}
	// The down issuer's cache retries in the background: at least one
	// failed fetch, however many retries ran.
	if failed < 1 || counts(t, reader, "jwtguard.jwks.keys")["jwtguard.issuer=up"] != 1 {
		t.Errorf("fetches %v, want failures for the down issuer and 1 key for the healthy one", fetches)
	}

	// Traces: one verify span per verification, each a child of its
	// request span; a rejected event on each refused request.
	spans := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range recorder.Ended() {
		spans[s.Name()] = s
	}
	for _, r := range requests {
		req := spans["request /"+r.Name]
		if req == nil {
			t.Fatalf("no span for %s", r.Name)
		}
		var rejected []string
		for _, e := range req.Events() {
			if e.Name == "jwtguard.rejected" {
				set := attribute.NewSet(e.Attributes...)
				rejected = append(rejected, set.Encoded(attribute.DefaultEncoder()))
			}
		}
		if (r.Want != http.StatusOK) != (len(rejected) == 1) {
			t.Errorf("%s: rejected events %q", r.Name, rejected)
		}
	}
	var verifySpans int
	for _, s := range recorder.Ended() {
		if s.Name() != "jwtguard.verify" {
			continue
		}
		verifySpans++
		if !s.Parent().IsValid() {
			t.Error("verify span without the request span as parent")
		}
	}
	if verifySpans != 5 {
		t.Errorf("%d verify spans, want 5 (no token: no verification)", verifySpans)
	}
	if s := spans["jwtguard.jwks.fetch"]; s == nil || s.Parent().IsValid() {
		t.Errorf("fetch span %v: want a root span", s)
	}
}
