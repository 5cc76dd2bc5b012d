package ready

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/jwtguard/jwtguard/jwks"
)

// DefaultTimeout bounds one run of a Probe's checkers when Config.Timeout
// is zero.
const DefaultTimeout = 2 * time.Second

// ErrNotReady is wrapped by the errors [Keys] returns.
var ErrNotReady = errors.New("ready: not ready")

// Checker reports whether one dependency can vouch for tokens now: nil when
// it can, an error saying why not otherwise. Ready must be safe for
// concurrent use, cheap (it runs on every probe request) and must return
// when ctx ends.
type Checker interface {
	Ready(ctx context.Context) error
}

// CheckerFunc adapts a function to [Checker].
type CheckerFunc func(ctx context.Context) error

// Ready calls f(ctx).
func (f CheckerFunc) Ready(ctx context.Context) error { return f(ctx) }

// StatusReporter is what [Keys] reads: *jwks.Cache implements it.
type StatusReporter interface {
	Status() jwks.Status
}

// Keys returns a Checker that is ready while c's Status is Available: a key
// set is loaded, the cache is not closed, and refreshes have not been
// failing for longer than the stale window. It makes no network call.
func Keys(c StatusReporter) Checker {
	return CheckerFunc(func(context.Context) error {
		st := c.Status()
		switch {
		case st.Available:
			return nil
		case !st.Loaded && st.LastError != nil:
			return fmt.Errorf("%w: no key set loaded yet: %w", ErrNotReady, st.LastError)
		case !st.Loaded:
			return fmt.Errorf("%w: no key set loaded yet", ErrNotReady)
		case st.LastError != nil:
			return fmt.Errorf("%w: keys unavailable after %d failed refreshes: %w", ErrNotReady, st.ConsecutiveFailures, st.LastError)
		}
		return fmt.Errorf("%w: keys unavailable (cache closed)", ErrNotReady)
	})
}

// Config configures a [Probe].
type Config struct {
	// Checks names each checker the service depends on, for example one
	// [Keys] per issuer. The names appear in the response body. At least
	// one is required; names must be non-empty visible ASCII.
	Checks map[string]Checker

	// Timeout bounds one run of all the checkers. Zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// Probe runs a fixed set of named checkers. It is an http.Handler and is
// safe for concurrent use; it holds no goroutines.
type Probe struct {
	names   []string // sorted
	checks  []Checker
	timeout time.Duration
}

// New validates cfg and returns a Probe. New copies the map.
func New(cfg Config) (*Probe, error) {
	if len(cfg.Checks) == 0 {
		return nil, errors.New("ready: Config.Checks is empty")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("ready: Config.Timeout is negative")
	}
	p := &Probe{timeout: orDefault(cfg.Timeout, DefaultTimeout)}
	for _, name := range slices.Sorted(maps.Keys(cfg.Checks)) {
		if !visibleASCII(name) {
			return nil, fmt.Errorf("ready: Config.Checks: name %q is not non-empty visible ASCII", name)
		}
		if cfg.Checks[name] == nil {
			return nil, fmt.Errorf("ready: Config.Checks[%q] is nil", name)
		}
		p.names = append(p.names, name)
		p.checks = append(p.checks, cfg.Checks[name])
	}
	return p, nil
}

// Check runs every checker once, in name order, within Config.Timeout and
// ctx. It returns nil when all are ready, else one error per failing
// checker ("name: cause"), joined.
func (p *Probe) Check(ctx context.Context) error {
	_, err := p.run(ctx)
	return err
}

// run returns the per-name results and the joined error.
func (p *Probe) run(ctx context.Context) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	results := make(map[string]string, len(p.names))
	var errs []error
	for i, name := range p.names {
		if err := p.checks[i].Ready(ctx); err != nil {
			results[name] = statusUnavailable
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		results[name] = statusOK
	}
	return results, errors.Join(errs...)
}

const (
	statusOK          = "ok"
	statusUnavailable = "unavailable"
)

// report is the response body.
type report struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// ServeHTTP answers 200 when every checker is ready and 503 otherwise,
// with a JSON body naming each checker's state and no error detail.
func (p *Probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	results, err := p.run(r.Context())
	rep := report{Status: statusOK, Checks: results}
	code := http.StatusOK
	if err != nil {
		rep.Status = statusUnavailable
		code = http.StatusServiceUnavailable
	}
	body, merr := json.Marshal(rep, json.Deterministic(true))
	if merr != nil { // cannot happen: strings only
		http.Error(w, statusUnavailable, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func visibleASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
