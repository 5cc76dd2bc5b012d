package promguard_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/integrations/promguard"
	"github.com/jwtguard/jwtguard/internal/hooktest"
	"github.com/jwtguard/jwtguard/verify"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	f := hooktest.New(t, func(up string) hooktest.Hooks {
		m := promguard.New(promguard.Config{Issuers: []string{up}, ConstLabels: prometheus.Labels{"service": "sms"}})
		reg.MustRegister(m)
		return hooktest.Hooks{OnDecision: m.OnDecision, JWKS: m.JWKS, OnReject: m.OnReject}
	})
	f.Run(t)
	up := f.Up.Issuer()

	want := `
# HELP jwtguard_rejections_total Requests and calls refused by a transport.
# TYPE jwtguard_rejections_total counter
jwtguard_rejections_total{reason="insufficient_scope",service="sms",transport="http"} 1
jwtguard_rejections_total{reason="invalid_issuer",service="sms",transport="http"} 1
jwtguard_rejections_total{reason="missing_token",service="sms",transport="http"} 1
jwtguard_rejections_total{reason="unavailable",service="sms",transport="http"} 1
# HELP jwtguard_verify_decisions_total Token verifications, by outcome.
# TYPE jwtguard_verify_decisions_total counter
jwtguard_verify_decisions_total{cache="hit",issuer="` + up + `",reason="ok",service="sms"} 1
jwtguard_verify_decisions_total{cache="miss",issuer="` + up + `",reason="insufficient_scope",service="sms"} 1
jwtguard_verify_decisions_total{cache="miss",issuer="` + up + `",reason="ok",service="sms"} 1
jwtguard_verify_decisions_total{cache="miss",issuer="other",reason="invalid_issuer",service="sms"} 1
jwtguard_verify_decisions_total{cache="miss",issuer="other",reason="unavailable",service="sms"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "jwtguard_rejections_total", "jwtguard_verify_decisions_total"); err != nil {
		t.Error(err)
	}

	// The healthy issuer: one initial fetch, one key. The down issuer's
	// cache retries in the background: at least one failure, however
	// many retries ran by now.
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var upUpdated, downFailed, upKeys, durations float64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch mf.GetName() {
			case "jwtguard_jwks_fetches_total":
				switch {
				case labels["issuer"] == "up" && labels["result"] == "updated" && labels["trigger"] == "initial":
					upUpdated += m.GetCounter().GetValue()
				case labels["issuer"] == "down" && labels["result"] == "failed":
					downFailed += m.GetCounter().GetValue()
				default:
					t.Errorf("unexpected fetch %v", labels)
				}
			case "jwtguard_jwks_keys":
				if labels["issuer"] == "up" {
					upKeys = m.GetGauge().GetValue()
				}
			case "jwtguard_verify_duration_seconds":
				durations += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	if upUpdated != 1 || downFailed < 1 || upKeys != 1 || durations != 5 {
		t.Errorf("up fetches %v, down failures %v, up keys %v, verify durations %v; want 1, >=1, 1, 5", upUpdated, downFailed, upKeys, durations)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n == 0 {
		t.Errorf("GatherAndCount: %d, %v", n, err)
	}
}

func TestOnRejectRPC(t *testing.T) {
	m := promguard.New(promguard.Config{})
	m.OnReject(t.Context(), verify.Rejection{Transport: "connect", Method: "/sms.v1.Sms/Send",
		Outcome: verify.OutcomeInsufficientScope, Err: errors.New("connectguard: procedure not listed")})
	missing := verify.Rejection{Transport: "grpc", Method: "/sms.v1.Sms/Send", Outcome: verify.OutcomeMissingToken, Err: grpcmw.ErrMissingToken}
	m.OnReject(t.Context(), missing)
	m.OnReject(t.Context(), missing)
	want := `
# HELP jwtguard_rejections_total Requests and calls refused by a transport.
# TYPE jwtguard_rejections_total counter
jwtguard_rejections_total{reason="missing_token",transport="grpc"} 2
jwtguard_rejections_total{reason="unlisted_method",transport="connect"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "jwtguard_rejections_total"); err != nil {
		t.Error(err)
	}
}
