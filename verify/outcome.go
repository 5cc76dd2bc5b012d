package verify

import (
	"errors"

	"github.com/jwtguard/jwtguard/internal/bearer"
)

// Outcome is the class of a refusal that decides what the client is told,
// whatever the transport: httpmw, grpcmw and connectguard each turn it into
// their own status codes in one place. The values are stable strings, the
// RFC 6750 error codes where one exists.
type Outcome string

// The outcomes.
const (
	// OutcomeMissingToken: the request carried no bearer credentials; the
	// client is asked to authenticate, with no error code (RFC 6750 §3.1).
	OutcomeMissingToken Outcome = "missing_token"
	// OutcomeInvalidRequest: the credentials (or, for an RPC, the method
	// name) were malformed or ambiguous, so no token was checked.
	OutcomeInvalidRequest Outcome = "invalid_request"
	// OutcomeInvalidToken: the token was refused; every [Reason] except
	// ReasonInsufficientScope and ReasonUnavailable.
	OutcomeInvalidToken Outcome = "invalid_token"
	// OutcomeInsufficientScope: the token is valid but does not meet the
	// [ScopeRule] (or, for an RPC, the method is not allowed at all).
	OutcomeInsufficientScope Outcome = "insufficient_scope"
	// OutcomeUnavailable: the server could not decide (no signing keys, an
	// introspection endpoint down, a checker error outside the [Checker]
	// contract). It is the server's fault, never the client's: the client
	// may retry later.
	OutcomeUnavailable Outcome = "unavailable"
)

// Outcome returns the outcome of a refusal for r, or "" if r is not one of
// the Reason constants.
func (r Reason) Outcome() Outcome {
	switch {
	case r == ReasonInsufficientScope:
		return OutcomeInsufficientScope
	case r == ReasonUnavailable:
		return OutcomeUnavailable
	case sentinels[r] != nil:
		return OutcomeInvalidToken
	}
	return ""
}

// OutcomeOf returns the outcome of the refusal err, as a checker or the
// transports' credentials parsing return it: the outcome of its [Reason];
// OutcomeMissingToken or OutcomeInvalidRequest for the transports'
// ErrMissingToken and ErrInvalidRequest; and OutcomeUnavailable for any
// other error, including an [*Error] whose Reason is not one of the
// constants, since the [Checker] contract makes an error without a Reason
// the server's fault. It returns "" for nil.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		if o := e.Reason.Outcome(); o != "" {
			return o
		}
		return OutcomeUnavailable
	}
	switch {
	case errors.Is(err, bearer.ErrMissing):
		return OutcomeMissingToken
	case errors.Is(err, bearer.ErrInvalidRequest):
		return OutcomeInvalidRequest
	}
	return OutcomeUnavailable
}

// Rejection describes one refused request or call. httpmw, grpcmw and
// connectguard pass it to their OnReject hook, which has the same shape in
// all three: func(context.Context, Rejection). None of it is sent to the
// client.
type Rejection struct {
	// Transport is "http", "grpc" or "connect".
	Transport string
	// Method is what the client called: the HTTP method and URL path
	// ("GET /v1/sms") or the RPC's full method name
	// ("/package.Service/Method"). The client chose it: log it, but do not
	// use it as a metric label.
	Method string
	// Outcome is the class of the answer the client gets.
	Outcome Outcome
	// Reason is the checker's reason, "" when the error carries none: a
	// refusal the transport decided before or after the checker (missing
	// or malformed credentials, an unlisted or malformed method), or a
	// checker error outside the contract.
	Reason Reason
	// Required is the scope rule that applied to the request; for
	// OutcomeInsufficientScope, the one not met.
	Required ScopeRule
	// Err is the exact cause: an [*Error] from the checker, or (wrapping)
	// one of the transport's sentinel errors.
	Err error
}
