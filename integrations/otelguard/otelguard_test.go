package otelguard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/integrations/otelguard"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// fixture is a service protected by httpmw with every otelguard hook
// plugged in, trusting one healthy issuer and one that is down.
type fixture struct {
	up, down *issuertest.Server
	handler  http.Handler
	reader   *sdkmetric.ManualReader
	spans    *tracetest.SpanRecorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		up:     issuertest.NewServer(issuertest.Config{TLS: true}),
		down:   issuertest.NewServer(issuertest.Config{TLS: true}),
		reader: sdkmetric.NewManualReader(),
		spans:  tracetest.NewSpanRecorder(),
	}
	t.Cleanup(f.up.Close)
	t.Cleanup(f.down.Close)
	f.up.AddClient(issuertest.Client{ID: "svc", Secret: "s", Scopes: []string{"sms.read", "other"}})
	f.down.AddClient(issuertest.Client{ID: "svc", Secret: "s", Scopes: []string{"sms.read"}})
	f.down.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable})

	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.spans))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	tel, err := otelguard.New(otelguard.Config{MeterProvider: mp, TracerProvider: tp,
		Issuers: []string{f.up.Issuer()}}) // the down issuer is left out: it must show as "other"
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	upKeys, err := jwks.New(ctx, jwks.Config{Issuer: f.up.Issuer(), HTTPClient: f.up.Client(), OnEvent: tel.JWKS("up")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { upKeys.Close() })
	downKeys, err := jwks.New(ctx, jwks.Config{Issuer: f.down.Issuer(), HTTPClient: f.down.Client(), OnEvent: tel.JWKS("down"), LazyStart: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { downKeys.Close() })
	v, err := verify.New(verify.Config{
		Issuers:           []verify.Issuer{{Name: f.up.Issuer(), Keys: upKeys}, {Name: f.down.Issuer(), Keys: downKeys}},
		SkipAudienceCheck: true,
		OnDecision:        tel.OnDecision,
	})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: tel.Checker(v), Scopes: verify.Scopes{AllOf: []string{"sms.read"}}, OnReject: tel.HTTPReject()})
	if err != nil {
		t.Fatal(err)
	}
	inner := mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tracer := tp.Tracer("test")
	// The request span, as otelhttp would start it.
	f.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), "request "+r.URL.Path)
		defer span.End()
		inner.ServeHTTP(w, r.WithContext(ctx))
	})
	return f
}

func (f *fixture) do(t *testing.T, name, token string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/"+name, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec.Code
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
	f := newFixture(t)
	good := f.up.AccessToken("svc", "sms.read")
	requests := []struct {
		name, token string
		want        int
	}{
		{"allowed", good, 200},
		{"allowed-again", good, 200}, // verified-token cache hit
		{"no-token", "", 401},
		{"wrong-scope", f.up.AccessToken("svc", "other"), 403},
		{"forged-issuer", f.up.Mint(map[string]any{"iss": "https://evil.test/", "scp": []string{"sms.read"}}, issuertest.MintOptions{}), 401},
		{"outage", f.down.AccessToken("svc", "sms.read"), 503},
	}
	for _, r := range requests {
		if got := f.do(t, r.name, r.token); got != r.want {
			t.Fatalf("%s: status %d, want %d", r.name, got, r.want)
		}
	}
	up := f.up.Issuer()
	check := func(name string, want map[string]int64) {
		t.Helper()
		got := counts(t, f.reader, name)
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
	fetches := counts(t, f.reader, "jwtguard.jwks.fetches")
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
	if failed < 1 || counts(t, f.reader, "jwtguard.jwks.keys")["jwtguard.issuer=up"] != 1 {
		t.Errorf("fetches %v, want failures for the down issuer and 1 key for the healthy one", fetches)
	}

	// Traces: one verify span per verification, each a child of its
	// request span; a rejected event on each refused request.
	spans := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range f.spans.Ended() {
		spans[s.Name()] = s
	}
	for _, r := range requests {
		req := spans["request /"+r.name]
		if req == nil {
			t.Fatalf("no span for %s", r.name)
		}
		var rejected []string
		for _, e := range req.Events() {
			if e.Name == "jwtguard.rejected" {
				set := attribute.NewSet(e.Attributes...)
				rejected = append(rejected, set.Encoded(attribute.DefaultEncoder()))
			}
		}
		if (r.want != 200) != (len(rejected) == 1) {
			t.Errorf("%s: rejected events %q", r.name, rejected)
		}
	}
	var verifySpans int
	for _, s := range f.spans.Ended() {
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
