package promguard

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jwtguard/jwtguard/internal/obslabel"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

// Config configures [New].
type Config struct {
	// Issuers lists the issuer names that may appear in the issuer label
	// of decisions (the verify.Issuer names). A token naming any other
	// issuer is counted as "other".
	Issuers []string

	// ConstLabels are added to every metric (for example the service
	// name). Nil adds none.
	ConstLabels prometheus.Labels
}

// Metrics is a prometheus.Collector fed by jwtguard's hooks. Its methods
// are safe for concurrent use; it holds no goroutines.
type Metrics struct {
	issuers     obslabel.Issuers
	decisions   *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rejections  *prometheus.CounterVec
	fetches     *prometheus.CounterVec
	fetchTime   *prometheus.HistogramVec
	keys        *prometheus.GaugeVec
	unknownKID  *prometheus.CounterVec
	keysSkipped *prometheus.CounterVec
}

var _ prometheus.Collector = (*Metrics)(nil)

// New returns the collector; register it with a prometheus.Registerer.
func New(cfg Config) *Metrics {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "jwtguard", Name: name, Help: help, ConstLabels: cfg.ConstLabels}
	}
	hist := func(name, help string, buckets []float64) prometheus.HistogramOpts {
		o := opts(name, help)
		return prometheus.HistogramOpts{Namespace: o.Namespace, Name: o.Name, Help: o.Help, ConstLabels: o.ConstLabels, Buckets: buckets}
	}
	return &Metrics{
		issuers: obslabel.NewIssuers(cfg.Issuers),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts(opts("verify_decisions_total",
			"Token verifications, by outcome.")), []string{"reason", "issuer", "cache"}),
		// A cached token takes about a microsecond, a cold RSA check tens
		// of microseconds, a wait for keys up to the request's deadline.
		duration: prometheus.NewHistogramVec(hist("verify_duration_seconds",
			"Time to verify one token.", prometheus.ExponentialBuckets(1e-6, 4, 12)), []string{"reason"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts(opts("rejections_total",
			"Requests and calls refused by a transport.")), []string{"transport", "reason"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts(opts("jwks_fetches_total",
			"JWKS fetches, by result.")), []string{"issuer", "result", "trigger"}),
		fetchTime: prometheus.NewHistogramVec(hist("jwks_fetch_duration_seconds",
			"Time one JWKS fetch took.", prometheus.DefBuckets), []string{"issuer", "result"}),
		keys: prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("jwks_keys",
			"Keys in the set in use after the last fetch.")), []string{"issuer"}),
		unknownKID: prometheus.NewCounterVec(prometheus.CounterOpts(opts("jwks_unknown_kid_total",
			"Tokens with a kid not in the key set: fetched, or answered from memory.")), []string{"issuer", "result"}),
		keysSkipped: prometheus.NewCounterVec(prometheus.CounterOpts(opts("jwks_keys_skipped_total",
			"JWKs left out of a fetched set.")), []string{"issuer"}),
	}
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.decisions, m.duration, m.rejections, m.fetches, m.fetchTime, m.keys, m.unknownKID, m.keysSkipped}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}

// OnDecision records one verification; use it as verify.Config.OnDecision.
func (m *Metrics) OnDecision(d verify.Decision) {
	reason := obslabel.Reason(d.Reason)
	m.decisions.WithLabelValues(reason, m.issuers.Label(d.Issuer), obslabel.Cache(d.Cached)).Inc()
	m.duration.WithLabelValues(reason).Observe(d.Latency.Seconds())
}

// JWKS returns a jwks.Config.OnEvent func for the cache of issuer (a name
// you choose, used as the issuer label).
func (m *Metrics) JWKS(issuer string) func(jwks.Event) {
	return func(e jwks.Event) {
		if result, ok := obslabel.FetchResult(e); ok {
			m.fetches.WithLabelValues(issuer, result, obslabel.Trigger(e.Trigger)).Inc()
			m.fetchTime.WithLabelValues(issuer, result).Observe(e.Duration.Seconds())
			m.keys.WithLabelValues(issuer).Set(float64(e.Keys))
			return
		}
		if result, ok := obslabel.UnknownKID(e); ok {
			m.unknownKID.WithLabelValues(issuer, result).Inc()
			return
		}
		if e.Kind == jwks.EventKeySkipped {
			m.keysSkipped.WithLabelValues(issuer).Inc()
		}
	}
}

// OnReject counts one refusal by transport and label (rejectlog.Label);
// use it as the OnReject hook of httpmw, grpcmw or connectguard.
func (m *Metrics) OnReject(_ context.Context, r verify.Rejection) {
	m.rejections.WithLabelValues(r.Transport, rejectlog.Label(r)).Inc()
}
