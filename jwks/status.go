package jwks

import "time"

// Status is a snapshot of a Cache's health, for readiness probes and
// diagnostics.
type Status struct {
	Loaded              bool      // a key set has been fetched or read from PersistPath at least once
	Keys                int       // keys in the current set
	KIDs                []string  // their kids (kid-less keys omitted)
	LastSuccess         time.Time // end of the last successful fetch (zero if none)
	LastAttempt         time.Time // start of the last fetch attempt
	LastError           error     // error of the last fetch, nil after a success
	ConsecutiveFailures int       // failed fetches since the last success
	NextRefresh         time.Time // when the next scheduled fetch is due
	// Stale is true while refreshes are failing but the last good set is
	// still served (inside the stale window).
	Stale bool
	// Available is true when Key can return keys: loaded, not closed, and
	// the stale window has not passed. Use it for readiness. Pinned keys
	// are served whatever it says and do not count for it.
	Available bool
}

// Status reports the cache's health.
func (c *Cache) Status() Status {
	c.mu.Lock()
	st := Status{
		LastSuccess:         c.lastSuccess,
		LastAttempt:         c.lastAttempt,
		LastError:           c.lastErr,
		ConsecutiveFailures: c.failures,
		NextRefresh:         c.next,
	}
	c.mu.Unlock()
	if s := c.snap.Load(); s != nil {
		st.Loaded = true
		st.Keys = s.Len()
		for _, k := range s.keys {
			if k.kid != "" {
				st.KIDs = append(st.KIDs, k.kid)
			}
		}
		past := c.pastStale()
		st.Stale = c.staleAt.Load() != 0 && !past
		st.Available = !past && !c.closed.Load()
	}
	return st
}
