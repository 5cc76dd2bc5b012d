package rejectlog

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/verify"
)

// Labels for refusals that carry no verify.Reason.
const (
	MissingToken   = "missing_token"   // no bearer credentials
	InvalidRequest = "invalid_request" // malformed or ambiguous credentials
	UnlistedMethod = "unlisted_method" // grpcmw DenyUnlisted
	NoMethod       = "no_method"       // grpcmw AuthFunc outside an RPC
	Other          = "other"           // anything else, e.g. connectguard.ErrUnlistedProcedure
)

// Reason returns the label for a refusal err as the transports' OnReject
// hooks report it: the verify.Reason when err carries one (a checker error
// without a Reason is labelled "unavailable", as the transports answer
// it), else one of the constants above. The set of labels is fixed, so
// they are safe as metric labels.
func Reason(err error) string {
	if r := verify.ReasonOf(err); r != "" {
		return string(r)
	}
	switch {
	case err == nil:
		return Other
	case errors.Is(err, httpmw.ErrMissingToken):
		return MissingToken
	case errors.Is(err, httpmw.ErrInvalidRequest):
		return InvalidRequest
	case errors.Is(err, grpcmw.ErrUnlistedMethod):
		return UnlistedMethod
	case errors.Is(err, grpcmw.ErrNoMethod):
		return NoMethod
	}
	var ve *verify.Error
	if errors.As(err, &ve) {
		return Other
	}
	// A checker failure outside the Checker contract: the transports
	// answer it as unavailable.
	return string(verify.ReasonUnavailable)
}

// Options tunes the records. The zero value logs client-caused refusals
// at Info.
type Options struct {
	// Level is the level of refusals caused by the client (everything but
	// unavailable keys, which are always logged at Warn). Zero is Info.
	Level slog.Level
}

// HTTP returns an httpmw.Config.OnReject func that logs every refusal to l
// with the method, path, status, reason and exact error.
func HTTP(l *slog.Logger, o Options) func(*http.Request, *httpmw.Failure) {
	return func(r *http.Request, f *httpmw.Failure) {
		reason := string(f.Reason)
		if reason == "" {
			reason = Reason(f.Err)
		}
		level := levelFor(reason, o)
		ctx := r.Context()
		if !l.Enabled(ctx, level) {
			return
		}
		l.LogAttrs(ctx, level, "jwtguard: request refused",
			slog.String("transport", "http"),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", f.Status),
			slog.String("reason", reason),
			slog.String("error", errText(f.Err)))
	}
}

// RPC returns a grpcmw.Config.OnReject (or connectguard.Config.OnReject)
// func that logs every refusal to l; transport names the attribute value
// ("grpc", "connect").
func RPC(l *slog.Logger, transport string, o Options) func(ctx context.Context, method string, err error) {
	return func(ctx context.Context, method string, err error) {
		reason := Reason(err)
		level := levelFor(reason, o)
		if !l.Enabled(ctx, level) {
			return
		}
		l.LogAttrs(ctx, level, "jwtguard: call refused",
			slog.String("transport", transport),
			slog.String("method", method),
			slog.String("reason", reason),
			slog.String("error", errText(err)))
	}
}

func levelFor(reason string, o Options) slog.Level {
	if reason == string(verify.ReasonUnavailable) {
		return slog.LevelWarn
	}
	return o.Level
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
