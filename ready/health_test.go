package ready_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/jwtguard/jwtguard/ready"
)

// toggle is a checker whose readiness the test flips.
type toggle struct{ down atomic.Bool }

func (c *toggle) Ready(context.Context) error {
	if c.down.Load() {
		return errors.New("keys down")
	}
	return nil
}

func servingStatus(t *testing.T, srv *health.Server, service string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	resp, err := srv.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatalf("Check(%q): %v", service, err)
	}
	return resp.GetStatus()
}

func TestHealth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &toggle{}
		c.down.Store(true)
		p, err := ready.New(ready.Config{Checks: map[string]ready.Checker{"keys": c}})
		if err != nil {
			t.Fatal(err)
		}
		srv := health.NewServer()
		var changes []string
		h, err := ready.NewHealth(p, srv, ready.HealthConfig{
			Services: []string{"", "sms.v1.SmsService"},
			Interval: 10 * time.Second,
			OnChange: func(serving bool, err error) {
				if serving {
					changes = append(changes, "serving")
				} else {
					changes = append(changes, "not serving: "+err.Error())
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := func(st healthpb.HealthCheckResponse_ServingStatus) {
			t.Helper()
			for _, s := range []string{"", "sms.v1.SmsService"} {
				if got := servingStatus(t, srv, s); got != st {
					t.Errorf("service %q: %v, want %v", s, got, st)
				}
			}
		}

		synctest.Wait() // the first run happens at once
		want(healthpb.HealthCheckResponse_NOT_SERVING)

		c.down.Store(false)
		time.Sleep(9 * time.Second) // fake time: not yet the next run
		synctest.Wait()
		want(healthpb.HealthCheckResponse_NOT_SERVING)
		time.Sleep(time.Second)
		synctest.Wait()
		want(healthpb.HealthCheckResponse_SERVING)

		c.down.Store(true)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		want(healthpb.HealthCheckResponse_NOT_SERVING)
		time.Sleep(10 * time.Second) // no change: OnChange not called again
		synctest.Wait()

		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
		c.down.Store(false)
		time.Sleep(time.Minute) // stopped: the status stays
		synctest.Wait()
		want(healthpb.HealthCheckResponse_NOT_SERVING)

		wantChanges := []string{"not serving: keys: keys down", "serving", "not serving: keys: keys down"}
		if len(changes) != len(wantChanges) {
			t.Fatalf("changes %q, want %q", changes, wantChanges)
		}
		for i := range changes {
			if changes[i] != wantChanges[i] {
				t.Errorf("change %d: %q, want %q", i, changes[i], wantChanges[i])
			}
		}
	})
}

func TestNewHealthRefuses(t *testing.T) {
	p, err := ready.New(ready.Config{Checks: map[string]ready.Checker{"a": up}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    *ready.Probe
		srv  *health.Server
		cfg  ready.HealthConfig
	}{
		{"nil probe", nil, health.NewServer(), ready.HealthConfig{}},
		{"nil server", p, nil, ready.HealthConfig{}},
		{"negative interval", p, health.NewServer(), ready.HealthConfig{Interval: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := ready.NewHealth(tt.p, tt.srv, tt.cfg); err == nil {
				h.Close()
				t.Fatal("NewHealth accepted it")
			}
		})
	}
}
