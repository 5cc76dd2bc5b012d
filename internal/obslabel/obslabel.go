package obslabel

import (
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

// Label values shared by both integrations.
const (
	Accepted    = "ok"           // the reason label of an accepted token
	OtherIssuer = "other"        // an issuer not in the configured list
	CacheHit    = "hit"          // the verified-token cache answered
	CacheMiss   = "miss"         // the token was verified
	Updated     = "updated"      // a fetch returned a key set
	NotModified = "not_modified" // a fetch was answered 304
	Failed      = "failed"       // a fetch failed
)

// Issuers maps a token's unverified issuer to a label: itself when it is
// one of the configured names, OtherIssuer otherwise.
type Issuers map[string]struct{}

// NewIssuers returns the allowlist of names.
func NewIssuers(names []string) Issuers {
	m := make(Issuers, len(names))
	for _, n := range names {
		m[n] = struct{}{}
	}
	return m
}

// Label returns iss when configured, else OtherIssuer.
func (is Issuers) Label(iss string) string {
	if _, ok := is[iss]; ok {
		return iss
	}
	return OtherIssuer
}

// Reason is the reason label of a decision: the verify.Reason, or Accepted.
func Reason(r verify.Reason) string {
	if r == "" {
		return Accepted
	}
	return string(r)
}

// Cache is the cache label of a decision.
func Cache(cached bool) string {
	if cached {
		return CacheHit
	}
	return CacheMiss
}

// FetchResult is the result label of a refresh event (EventRefreshed or
// EventRefreshFailed), and false for any other kind.
func FetchResult(e jwks.Event) (string, bool) {
	switch e.Kind {
	case jwks.EventRefreshed:
		if e.NotModified {
			return NotModified, true
		}
		return Updated, true
	case jwks.EventRefreshFailed:
		return Failed, true
	}
	return "", false
}

// Trigger is the trigger label of an event ("timer", "unknown_kid", ...).
func Trigger(t jwks.Trigger) string {
	switch t {
	case jwks.TriggerInitial:
		return "initial"
	case jwks.TriggerTimer:
		return "timer"
	case jwks.TriggerRetry:
		return "retry"
	case jwks.TriggerUnknownKID:
		return "unknown_kid"
	case jwks.TriggerFirstUse:
		return "first_use"
	case jwks.TriggerManual:
		return "manual"
	}
	return "none"
}

// UnknownKID is the result label of an unknown-kid event: "fetch",
// "cooldown" or "negative_cache"; false for any other kind.
func UnknownKID(e jwks.Event) (string, bool) {
	switch e.Kind {
	case jwks.EventUnknownKIDFetch:
		return "fetch", true
	case jwks.EventUnknownKIDSuppressed:
		if e.Reason == "cooldown" {
			return "cooldown", true
		}
		return "negative_cache", true
	}
	return "", false
}

// CheckerReason is the reason label of a Checker's answer: Accepted for a
// nil err, else the rejectlog label of the refusal (its Reason, or
// "unavailable" for an error without one).
func CheckerReason(err error) string {
	if err == nil {
		return Accepted
	}
	return rejectlog.Label(verify.Rejection{Outcome: verify.OutcomeOf(err), Reason: verify.ReasonOf(err), Err: err})
}
