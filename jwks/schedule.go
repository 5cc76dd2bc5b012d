package jwks

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/cachecontrol/cacheobject"
)

// run is the Cache's only goroutine: it performs every fetch.
func (c *Cache) run(ctx context.Context) {
	defer close(c.done)
	timer := time.NewTimer(c.untilNext())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			c.mu.Lock()
			fc := c.cur
			c.cur = nil
			c.mu.Unlock()
			if fc != nil {
				fc.err = ErrClosed
				close(fc.done)
			}
			return
		case <-timer.C:
			c.mu.Lock()
			t := TriggerTimer
			if c.failures > 0 {
				t = TriggerRetry
			}
			c.mu.Unlock()
			c.join(t)
		case <-c.kick:
		}
		if fc := c.inflight(); fc != nil {
			c.refresh(ctx, fc)
		}
		timer.Reset(c.untilNext())
	}
}

func (c *Cache) untilNext() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(0, time.Until(c.next))
}

// refreshDelay picks the next timer refresh after a success: max-age, else
// Expires, else RefreshInterval; jittered by ±10 % and clamped to
// [MinRefreshInterval, MaxRefreshInterval].
func (c *Cache) refreshDelay(h http.Header, now time.Time) time.Duration {
	d, ok := cacheLifetime(h, now)
	if !ok {
		d = c.cfg.RefreshInterval
	}
	return jitterWithin(d, c.cfg.MinRefreshInterval, c.cfg.MaxRefreshInterval)
}

// jitterWithin clamps d to [lo, hi] and then spreads it by ±10 % without
// leaving [lo, hi]. Clamping after jittering would put every cache whose
// issuer sends a long max-age (or none, with a long RefreshInterval) at
// exactly hi, so a fleet would refresh in step.
func jitterWithin(d, lo, hi time.Duration) time.Duration {
	d = clamp(d, lo, hi)
	from := max(lo, time.Duration(float64(d)*(1-jitterFraction)))
	to := min(hi, time.Duration(float64(d)*(1+jitterFraction)))
	return from + time.Duration(rand.Float64()*float64(to-from))
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

// backoff is 1 s doubling per consecutive failure, capped at 1 min (or at
// maxInterval if smaller), with ±10 % jitter.
func backoff(failures int, maxInterval time.Duration) time.Duration {
	limit := min(backoffCap, maxInterval)
	d := backoffBase
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(jitter(min(d, limit)), limit)
}

func jitter(d time.Duration) time.Duration {
	f := 1 - jitterFraction + 2*jitterFraction*rand.Float64()
	return time.Duration(float64(d) * f)
}

// cacheLifetime returns how long a response may be reused according to
// Cache-Control max-age or, failing that, Expires (relative to Date when
// present). no-store and no-cache are deliberately ignored: they say
// nothing useful about when an issuer rotates keys.
func cacheLifetime(h http.Header, now time.Time) (time.Duration, bool) {
	if cc := h.Values("Cache-Control"); len(cc) > 0 {
		d, err := cacheobject.ParseResponseCacheControl(strings.Join(cc, ", "))
		if err == nil && d.MaxAge >= 0 {
			return time.Duration(d.MaxAge) * time.Second, true
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		t, err := http.ParseTime(exp)
		if err != nil {
			return 0, false
		}
		base := now
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			base = date
		}
		return t.Sub(base), true
	}
	return 0, false
}
