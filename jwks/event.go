package jwks

import (
	"context"
	"log/slog"
	"time"
)

// EventKind says what an [Event] reports.
type EventKind int

const (
	// EventRefreshed: a fetch succeeded (a new set or 304 Not Modified).
	EventRefreshed EventKind = iota + 1
	// EventRefreshFailed: a fetch failed; the previous set stays in use
	// until the stale window passes.
	EventRefreshFailed
	// EventKeySkipped: a JWK in a fetched document was left out (Err says
	// why, KID names it).
	EventKeySkipped
	// EventUnknownKIDFetch: an unknown kid started a refresh, or (Trigger
	// TriggerSigFailure) a signature failure under a known kid did; both
	// share one cooldown.
	EventUnknownKIDFetch
	// EventUnknownKIDSuppressed: an unknown kid, or a signature failure
	// under a known kid, was answered from memory without a fetch (Reason
	// is "cooldown" or "negative cache").
	EventUnknownKIDSuppressed
	// EventPersistLoaded: the first fetch failed and the key set in
	// Config.PersistPath, fetched at Fetched, is served until StaleWindow
	// after Fetched.
	EventPersistLoaded
	// EventPersistLoadFailed: the first fetch failed and Config.PersistPath
	// was missing, unreadable or refused (Err says why, wrapping
	// [ErrPersist]); nothing from it is used.
	EventPersistLoadFailed
	// EventPersistSaved: the key set fetched at Fetched was written to
	// Config.PersistPath.
	EventPersistSaved
	// EventPersistSaveFailed: writing Config.PersistPath failed (Err,
	// wrapping [ErrPersist]); the file, if any, is unchanged.
	EventPersistSaveFailed
)

func (k EventKind) String() string {
	switch k {
	case EventRefreshed:
		return "refreshed"
	case EventRefreshFailed:
		return "refresh failed"
	case EventKeySkipped:
		return "key skipped"
	case EventUnknownKIDFetch:
		return "unknown kid fetch"
	case EventUnknownKIDSuppressed:
		return "unknown kid suppressed"
	case EventPersistLoaded:
		return "persisted keys loaded"
	case EventPersistLoadFailed:
		return "persisted keys refused"
	case EventPersistSaved:
		return "keys persisted"
	case EventPersistSaveFailed:
		return "persisting keys failed"
	}
	return "unknown event"
}

// Trigger says what started a fetch.
type Trigger int

const (
	TriggerInitial    Trigger = iota + 1 // the first fetch (in New, or in the background with LazyStart)
	TriggerTimer                         // the scheduled refresh
	TriggerRetry                         // a retry after a failed fetch
	TriggerUnknownKID                    // Key saw a kid not in the set
	TriggerFirstUse                      // Key was called before anything was loaded
	TriggerManual                        // Cache.Refresh
	TriggerSigFailure                    // a signature failed under a known kid (Cache.RefreshKey)
)

func (t Trigger) String() string {
	switch t {
	case TriggerInitial:
		return "initial"
	case TriggerTimer:
		return "timer"
	case TriggerRetry:
		return "retry"
	case TriggerUnknownKID:
		return "unknown kid"
	case TriggerFirstUse:
		return "first use"
	case TriggerManual:
		return "manual"
	case TriggerSigFailure:
		return "signature failure"
	}
	return "none"
}

// Event is passed to [Config.OnEvent]. Fields that do not apply to a Kind
// are zero.
type Event struct {
	Kind EventKind
	// Trigger is what started the fetch (refresh and skipped-key events).
	Trigger Trigger
	// Duration is how long the fetch took (refresh events).
	Duration time.Duration
	// StatusCode is the JWKS response's HTTP status, 0 when there was none.
	StatusCode int
	// NotModified is true when the issuer answered 304 to If-None-Match.
	NotModified bool
	// Keys is the number of keys in the set in use after the event.
	Keys int
	// KID is the kid concerned (skipped-key and unknown-kid events),
	// truncated to 128 bytes. It comes from untrusted tokens: do not use it
	// as a metric label.
	KID string
	// Reason explains suppressed unknown-kid events: "cooldown" or
	// "negative cache".
	Reason string
	// Fetched is when the persisted key set was fetched (persistence
	// events; zero when no file was read).
	Fetched time.Time
	// Err is the failure (refresh failed, persistence failed) or why a key
	// was skipped.
	Err error
}

func (c *Cache) emit(e Event) {
	if c.cfg.OnEvent != nil {
		c.cfg.OnEvent(e)
	}
}

// LogEvents returns a [Config.OnEvent] hook that writes each event to l as
// a record with message "jwks: <kind>": failed refreshes and skipped keys
// and every persistence event but a successful save at Warn, unknown-kid
// fetches at Info, refreshes, saves and suppressed unknown kids at Debug.
// The attributes are event, trigger, fetched, kid, reason and error when
// set, and duration, status, not_modified and keys on refresh events.
// It returns nil (no hook) when l is nil. To log and also handle events,
// call the returned func from a hook of your own.
func LogEvents(l *slog.Logger) func(Event) {
	if l == nil {
		return nil
	}
	return func(e Event) {
		level := slog.LevelInfo
		switch e.Kind {
		case EventRefreshFailed, EventKeySkipped, EventPersistLoaded, EventPersistLoadFailed, EventPersistSaveFailed:
			level = slog.LevelWarn
		case EventUnknownKIDSuppressed, EventRefreshed, EventPersistSaved:
			level = slog.LevelDebug
		}
		if !l.Enabled(context.Background(), level) {
			return
		}
		attrs := []slog.Attr{slog.String("event", e.Kind.String())}
		if e.Trigger != 0 {
			attrs = append(attrs, slog.String("trigger", e.Trigger.String()))
		}
		if e.Kind == EventRefreshed || e.Kind == EventRefreshFailed {
			attrs = append(attrs, slog.Duration("duration", e.Duration), slog.Int("status", e.StatusCode),
				slog.Bool("not_modified", e.NotModified), slog.Int("keys", e.Keys))
		}
		if !e.Fetched.IsZero() {
			attrs = append(attrs, slog.Time("fetched", e.Fetched))
		}
		if e.KID != "" {
			attrs = append(attrs, slog.String("kid", e.KID))
		}
		if e.Reason != "" {
			attrs = append(attrs, slog.String("reason", e.Reason))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		l.LogAttrs(context.Background(), level, "jwks: "+e.Kind.String(), attrs...)
	}
}
