package ready

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// DefaultInterval is how often [Health] re-runs the Probe when
// HealthConfig.Interval is zero.
const DefaultInterval = 5 * time.Second

// HealthConfig configures a [Health].
type HealthConfig struct {
	// Services are the gRPC service names whose serving status follows the
	// Probe. Nil or empty means only "" (the server as a whole), which is
	// what most load balancers ask for.
	Services []string

	// Interval is the time between two runs of the Probe. Zero means
	// DefaultInterval.
	Interval time.Duration

	// OnChange, when set, is called from Health's goroutine each time the
	// status changes, with the Probe's error (nil when serving). It is the
	// place to log why the service stopped serving.
	OnChange func(serving bool, err error)
}

// Health keeps a gRPC health server's status in step with a Probe: SERVING
// while every checker is ready, NOT_SERVING otherwise. It owns one
// goroutine; Close stops it and waits.
type Health struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// NewHealth starts a goroutine that runs p at once and then every
// cfg.Interval, and sets the status of cfg.Services on srv when it changes.
// Close the returned Health before srv.Shutdown (after Shutdown, srv
// ignores new statuses anyway).
func NewHealth(p *Probe, srv *health.Server, cfg HealthConfig) (*Health, error) {
	if p == nil || srv == nil {
		return nil, errors.New("ready: NewHealth needs a Probe and a health.Server")
	}
	if cfg.Interval < 0 {
		return nil, errors.New("ready: HealthConfig.Interval is negative")
	}
	services := cfg.Services
	if len(services) == 0 {
		services = []string{""}
	}
	services = append([]string(nil), services...)
	ctx, cancel := context.WithCancel(context.Background())
	h := &Health{cancel: cancel, done: make(chan struct{})}
	go h.run(ctx, p, srv, services, orDefault(cfg.Interval, DefaultInterval), cfg.OnChange)
	return h, nil
}

func (h *Health) run(ctx context.Context, p *Probe, srv *health.Server, services []string, every time.Duration, onChange func(bool, error)) {
	defer close(h.done)
	t := time.NewTicker(every)
	defer t.Stop()
	last := healthpb.HealthCheckResponse_UNKNOWN
	for {
		err := p.Check(ctx)
		if ctx.Err() != nil {
			return
		}
		st := healthpb.HealthCheckResponse_SERVING
		if err != nil {
			st = healthpb.HealthCheckResponse_NOT_SERVING
		}
		if st != last {
			for _, s := range services {
				srv.SetServingStatus(s, st)
			}
			last = st
			if onChange != nil {
				onChange(err == nil, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops the goroutine and waits for it. The statuses last set stay
// on the server. Close is safe to call more than once.
func (h *Health) Close() error {
	h.cancel()
	<-h.done
	return nil
}
