package otelguard

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/jwtguard/jwtguard/internal/obslabel"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

// ScopeName is the instrumentation scope of the meter and tracer.
const ScopeName = "github.com/jwtguard/jwtguard/integrations/otelguard"

// Attribute keys.
const (
	KeyReason    = attribute.Key("jwtguard.reason")
	KeyIssuer    = attribute.Key("jwtguard.issuer")
	KeyCache     = attribute.Key("jwtguard.cache")
	KeyTransport = attribute.Key("jwtguard.transport")
	KeyResult    = attribute.Key("jwtguard.result")
	KeyTrigger   = attribute.Key("jwtguard.trigger")
)

// Config configures [New].
type Config struct {
	// MeterProvider and TracerProvider receive the instruments. Nil means
	// the global providers (otel.GetMeterProvider, otel.GetTracerProvider).
	MeterProvider  metric.MeterProvider
	TracerProvider trace.TracerProvider

	// Issuers lists the issuer names that may appear in jwtguard.issuer
	// (the verify.Issuer names). A token naming any other issuer is
	// counted as "other".
	Issuers []string
}

// Telemetry records jwtguard's hooks. Its methods are safe for concurrent
// use; it holds no goroutines.
type Telemetry struct {
	tracer  trace.Tracer
	issuers obslabel.Issuers

	decisions   metric.Int64Counter
	duration    metric.Float64Histogram
	rejections  metric.Int64Counter
	fetches     metric.Int64Counter
	fetchTime   metric.Float64Histogram
	keys        metric.Int64Gauge
	unknownKID  metric.Int64Counter
	keysSkipped metric.Int64Counter
}

// New creates the instruments.
func New(cfg Config) (*Telemetry, error) {
	mp, tp := cfg.MeterProvider, cfg.TracerProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	m := mp.Meter(ScopeName)
	t := &Telemetry{tracer: tp.Tracer(ScopeName), issuers: obslabel.NewIssuers(cfg.Issuers)}
	var errs [8]error
	t.decisions, errs[0] = m.Int64Counter("jwtguard.verify.decisions",
		metric.WithDescription("Token verifications, by outcome."), metric.WithUnit("{decision}"))
	t.duration, errs[1] = m.Float64Histogram("jwtguard.verify.duration",
		metric.WithDescription("Time to verify one token."), metric.WithUnit("s"))
	t.rejections, errs[2] = m.Int64Counter("jwtguard.rejections",
		metric.WithDescription("Requests and calls refused by a transport."), metric.WithUnit("{request}"))
	t.fetches, errs[3] = m.Int64Counter("jwtguard.jwks.fetches",
		metric.WithDescription("JWKS fetches, by result."), metric.WithUnit("{fetch}"))
	t.fetchTime, errs[4] = m.Float64Histogram("jwtguard.jwks.fetch.duration",
		metric.WithDescription("Time one JWKS fetch took."), metric.WithUnit("s"))
	t.keys, errs[5] = m.Int64Gauge("jwtguard.jwks.keys",
		metric.WithDescription("Keys in the set in use after the last fetch."), metric.WithUnit("{key}"))
	t.unknownKID, errs[6] = m.Int64Counter("jwtguard.jwks.unknown_kid",
		metric.WithDescription("Tokens with a kid not in the key set: fetched, or answered from memory."), metric.WithUnit("{token}"))
	t.keysSkipped, errs[7] = m.Int64Counter("jwtguard.jwks.keys_skipped",
		metric.WithDescription("JWKs left out of a fetched set."), metric.WithUnit("{key}"))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return t, nil
}

// OnDecision records one verification; use it as verify.Config.OnDecision.
func (t *Telemetry) OnDecision(d verify.Decision) {
	ctx := context.Background()
	reason := obslabel.Reason(d.Reason)
	t.decisions.Add(ctx, 1, metric.WithAttributes(
		KeyReason.String(reason), KeyIssuer.String(t.issuers.Label(d.Issuer)), KeyCache.String(obslabel.Cache(d.Cached))))
	t.duration.Record(ctx, d.Latency.Seconds(), metric.WithAttributes(KeyReason.String(reason)))
}

// JWKS returns a jwks.Config.OnEvent func for the cache of issuer (a name
// you choose, recorded as jwtguard.issuer).
func (t *Telemetry) JWKS(issuer string) func(jwks.Event) {
	iss := KeyIssuer.String(issuer)
	return func(e jwks.Event) {
		ctx := context.Background()
		if result, ok := obslabel.FetchResult(e); ok {
			t.fetched(ctx, iss, result, e)
			return
		}
		if result, ok := obslabel.UnknownKID(e); ok {
			t.unknownKID.Add(ctx, 1, metric.WithAttributes(iss, KeyResult.String(result)))
			return
		}
		if e.Kind == jwks.EventKeySkipped {
			t.keysSkipped.Add(ctx, 1, metric.WithAttributes(iss))
		}
	}
}

// fetched records one fetch and its span, which ends now and started
// e.Duration ago.
func (t *Telemetry) fetched(ctx context.Context, iss attribute.KeyValue, result string, e jwks.Event) {
	res := KeyResult.String(result)
	trig := KeyTrigger.String(obslabel.Trigger(e.Trigger))
	t.fetches.Add(ctx, 1, metric.WithAttributes(iss, res, trig))
	t.fetchTime.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(iss, res))
	t.keys.Record(ctx, int64(e.Keys), metric.WithAttributes(iss))

	end := time.Now()
	_, span := t.tracer.Start(ctx, "jwtguard.jwks.fetch",
		trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(end.Add(-e.Duration)),
		trace.WithAttributes(iss, res, trig, attribute.Int("http.response.status_code", e.StatusCode), attribute.Int("jwtguard.keys", e.Keys)))
	if e.Err != nil {
		span.RecordError(e.Err)
		span.SetStatus(codes.Error, "jwks fetch failed")
	}
	span.End(trace.WithTimestamp(end))
}

// OnReject counts one refusal by transport and label (rejectlog.Label) and
// adds an event to the span in ctx; use it as the OnReject hook of httpmw,
// grpcmw or connectguard.
func (t *Telemetry) OnReject(ctx context.Context, r verify.Rejection) {
	attrs := []attribute.KeyValue{KeyTransport.String(r.Transport), KeyReason.String(rejectlog.Label(r))}
	t.rejections.Add(ctx, 1, metric.WithAttributes(attrs...))
	trace.SpanFromContext(ctx).AddEvent("jwtguard.rejected", trace.WithAttributes(attrs...))
}

// Checker wraps c so that each Verify is a "jwtguard.verify" span, a child
// of the span in ctx, with the reason and the (allowlisted) issuer.
func (t *Telemetry) Checker(c verify.Checker) verify.Checker {
	return &tracedChecker{t: t, next: c}
}

type tracedChecker struct {
	t    *Telemetry
	next verify.Checker
}

func (c *tracedChecker) Verify(ctx context.Context, token string, need verify.ScopeRule) (*verify.Claims, error) {
	ctx, span := c.t.tracer.Start(ctx, "jwtguard.verify", trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	claims, err := c.next.Verify(ctx, token, need)
	var iss string
	if claims != nil {
		iss = claims.Issuer
	} else if ve, ok := errors.AsType[*verify.Error](err); ok {
		iss = ve.Issuer
	}
	reason := obslabel.CheckerReason(err)
	span.SetAttributes(KeyReason.String(reason), KeyIssuer.String(c.t.issuers.Label(iss)))
	if reason == string(verify.ReasonUnavailable) {
		span.SetStatus(codes.Error, "keys unavailable")
	}
	return claims, err
}
