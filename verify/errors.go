package verify

import (
	"errors"
	"fmt"
)

// Reason is a stable, machine-readable code for why a token was refused.
// The strings are part of the API: the CLI prints them and users count
// outcomes by them.
type Reason string

// The reasons, in the order the checks run.
const (
	ReasonMalformed            Reason = "malformed"
	ReasonTokenTooLarge        Reason = "token_too_large"
	ReasonUnsupportedAlgorithm Reason = "unsupported_algorithm"
	ReasonUnknownKey           Reason = "unknown_key"
	ReasonInvalidSignature     Reason = "invalid_signature"
	ReasonExpired              Reason = "expired"
	ReasonNotYetValid          Reason = "not_yet_valid"
	ReasonIssuedInFuture       Reason = "issued_in_future"
	ReasonLifetimeTooLong      Reason = "lifetime_too_long"
	ReasonMissingClaim         Reason = "missing_claim"
	ReasonInvalidIssuer        Reason = "invalid_issuer"
	ReasonInvalidAudience      Reason = "invalid_audience"
	ReasonInvalidType          Reason = "invalid_type"
	ReasonWrongTokenKind       Reason = "wrong_token_kind"
	ReasonInvalidNonce         Reason = "invalid_nonce"
	ReasonInsufficientScope    Reason = "insufficient_scope"
	ReasonUnavailable          Reason = "unavailable"
	// ReasonInactive is a remote checker's refusal: the authorization
	// server answered that the token is not active (RFC 7662 "active":
	// false: unknown, revoked or expired there), or a userinfo endpoint
	// refused it with 401 or 403. Like every token fault its outcome is
	// OutcomeInvalidToken.
	ReasonInactive Reason = "inactive"
	// ReasonInvalidCertBinding is a transport's refusal under RFC 8705 §3:
	// the token is bound to a TLS client certificate (cnf x5t#S256) and
	// the request presented none or another one, or a binding is required
	// and the token has none ([Claims.CheckCertBinding]). Like every token
	// fault its outcome is OutcomeInvalidToken.
	ReasonInvalidCertBinding Reason = "invalid_cert_binding"
	// ReasonInvalidDPoPProof: the request's DPoP proof (RFC 9449 §4.3) is
	// missing, malformed, signed badly, or does not match the request or
	// the access token (htm, htu, iat window, ath, replayed jti). A 401
	// with RFC 9449's "invalid_dpop_proof".
	ReasonInvalidDPoPProof Reason = "invalid_dpop_proof"
	// ReasonUseDPoPNonce: the DPoP proof lacks the server's current nonce
	// (RFC 9449 §9); the client retries with the nonce sent in the
	// DPoP-Nonce header. A 401 with "use_dpop_nonce".
	ReasonUseDPoPNonce Reason = "use_dpop_nonce"
	// ReasonBindingMismatch: a sender-constrained token was used without
	// its key: a token with cnf.jkt presented as a Bearer token (RFC 9449
	// §7.2), or a DPoP proof signed by a key other than the one the token
	// is bound to (or a proof for a token bound to no key). A 401
	// invalid_token.
	ReasonBindingMismatch Reason = "binding_mismatch"
)

// Sentinel errors, one per Reason. Every error Verify returns is an *Error
// that matches exactly one of these with errors.Is.
var (
	ErrMalformed            = errors.New("verify: malformed token")
	ErrTokenTooLarge        = errors.New("verify: token too large")
	ErrUnsupportedAlgorithm = errors.New("verify: unsupported algorithm")
	ErrUnknownKey           = errors.New("verify: unknown signing key")
	ErrInvalidSignature     = errors.New("verify: invalid signature")
	ErrExpired              = errors.New("verify: token expired")
	ErrNotYetValid          = errors.New("verify: token not yet valid")
	ErrIssuedInFuture       = errors.New("verify: token issued in the future")
	ErrLifetimeTooLong      = errors.New("verify: token lifetime exceeds the maximum")
	ErrMissingClaim         = errors.New("verify: required claim missing")
	ErrInvalidIssuer        = errors.New("verify: issuer not accepted")
	ErrInvalidAudience      = errors.New("verify: audience not accepted")
	ErrInvalidType          = errors.New("verify: token type not accepted")
	ErrWrongTokenKind       = errors.New("verify: wrong kind of token")
	ErrInvalidNonce         = errors.New("verify: nonce mismatch")
	ErrInsufficientScope    = errors.New("verify: insufficient scope")
	ErrUnavailable          = errors.New("verify: signing keys unavailable")
	ErrInactive             = errors.New("verify: token not active")
	ErrInvalidCertBinding   = errors.New("verify: token not bound to the client certificate")
	ErrInvalidDPoPProof     = errors.New("verify: invalid DPoP proof")
	ErrUseDPoPNonce         = errors.New("verify: DPoP proof lacks the server nonce")
	ErrBindingMismatch      = errors.New("verify: token not used with its bound key")
)

var sentinels = map[Reason]error{
	ReasonMalformed:            ErrMalformed,
	ReasonTokenTooLarge:        ErrTokenTooLarge,
	ReasonUnsupportedAlgorithm: ErrUnsupportedAlgorithm,
	ReasonUnknownKey:           ErrUnknownKey,
	ReasonInvalidSignature:     ErrInvalidSignature,
	ReasonExpired:              ErrExpired,
	ReasonNotYetValid:          ErrNotYetValid,
	ReasonIssuedInFuture:       ErrIssuedInFuture,
	ReasonLifetimeTooLong:      ErrLifetimeTooLong,
	ReasonMissingClaim:         ErrMissingClaim,
	ReasonInvalidIssuer:        ErrInvalidIssuer,
	ReasonInvalidAudience:      ErrInvalidAudience,
	ReasonInvalidType:          ErrInvalidType,
	ReasonWrongTokenKind:       ErrWrongTokenKind,
	ReasonInvalidNonce:         ErrInvalidNonce,
	ReasonInsufficientScope:    ErrInsufficientScope,
	ReasonUnavailable:          ErrUnavailable,
	ReasonInactive:             ErrInactive,
	ReasonInvalidCertBinding:   ErrInvalidCertBinding,
	ReasonInvalidDPoPProof:     ErrInvalidDPoPProof,
	ReasonUseDPoPNonce:         ErrUseDPoPNonce,
	ReasonBindingMismatch:      ErrBindingMismatch,
}

// Error is the detail type for every refusal. It matches its Reason's
// sentinel with errors.Is, and errors.As extracts it for the details.
// Detail is for logs and the caller, never for the client.
type Error struct {
	Reason Reason
	// Detail says exactly what failed, e.g. `exp 2026-11-24T07:00:00Z is
	// 3m0s in the past`.
	Detail string
	// Issuer and KID are the token's unverified iss and kid, when known.
	Issuer string
	KID    string
	// Required is the scope requirement that was not met
	// (ReasonInsufficientScope only), for RFC 6750's scope= attribute.
	Required ScopeRule
	// Err is the underlying cause, if any (e.g. a jwks error).
	Err error
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("verify: %s", e.Reason)
	}
	return fmt.Sprintf("verify: %s: %s", e.Reason, e.Detail)
}

// Is reports whether target is the sentinel for e.Reason.
func (e *Error) Is(target error) bool { return target != nil && target == sentinels[e.Reason] }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason carried by err, or "" if err is not (or does
// not wrap) an *Error.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
