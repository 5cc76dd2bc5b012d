package rejectlog

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/verify"
)

// Labels for refusals that carry no verify.Reason.
const (
	MissingToken   = "missing_token"   // no bearer credentials
	InvalidRequest = "invalid_request" // malformed or ambiguous credentials
	InvalidMethod  = "invalid_method"  // grpcmw: malformed full method name
	UnlistedMethod = "unlisted_method" // DenyUnlisted: method or procedure not listed
	NoMethod       = "no_method"       // grpcmw AuthFunc outside an RPC
	Unavailable    = "unavailable"     // a checker error without a Reason
	Other          = "other"           // anything else
)

// Label returns the label of a refusal as the transports' OnReject hooks
// report it: its verify.Reason when it has one, else one of the constants
// above. Apart from a Reason a custom checker invents, the set of labels
// is fixed, so they are safe as metric labels.
func Label(r verify.Rejection) string {
	if r.Reason != "" {
		return string(r.Reason)
	}
	switch r.Outcome {
	case verify.OutcomeMissingToken:
		return MissingToken
	case verify.OutcomeInvalidRequest:
		if errors.Is(r.Err, grpcmw.ErrInvalidMethod) {
			return InvalidMethod
		}
		return InvalidRequest
	case verify.OutcomeInsufficientScope:
		// Without a Reason, only a DenyUnlisted refusal is in this class.
		return UnlistedMethod
	case verify.OutcomeUnavailable:
		if errors.Is(r.Err, grpcmw.ErrNoMethod) {
			return NoMethod
		}
		return Unavailable
	}
	return Other
}

// Options tunes the records. The zero value logs client-caused refusals
// at Info.
type Options struct {
	// Level is the level of refusals caused by the client (every outcome
	// but unavailable, which is always logged at Warn). Zero is Info.
	Level slog.Level
}

// Hook returns an OnReject func for httpmw, grpcmw and connectguard that
// logs every refusal to l with the transport, method, outcome, label and
// exact error.
func Hook(l *slog.Logger, o Options) func(context.Context, verify.Rejection) {
	return func(ctx context.Context, r verify.Rejection) {
		level := o.Level
		if r.Outcome == verify.OutcomeUnavailable {
			level = slog.LevelWarn
		}
		if !l.Enabled(ctx, level) {
			return
		}
		l.LogAttrs(ctx, level, "jwtguard: refused",
			slog.String("transport", r.Transport),
			slog.String("method", r.Method),
			slog.String("outcome", string(r.Outcome)),
			slog.String("reason", Label(r)),
			slog.String("error", errText(r.Err)))
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
