package httpmw

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// Failure describes one refused request.
type Failure struct {
	// Status is the HTTP status: 400, 401, 403 or 503.
	Status int
	// Code is the error code sent in the challenge: "" (missing
	// credentials, or 503), "invalid_request", "invalid_token" or
	// "insufficient_scope" (RFC 6750), or, with Config.DPoP,
	// "invalid_dpop_proof" or "use_dpop_nonce" (RFC 9449).
	Code string
	// Reason is the verifier's reason; "" for missing credentials and
	// invalid_request, which are decided before verification.
	Reason verify.Reason
	// Required is the scope requirement that was not met (403 only).
	Required verify.Scopes
	// Err is the exact cause: it wraps ErrMissingToken or
	// ErrInvalidRequest, or is (or wraps) a *verify.Error.
	Err error
}

// challenge renders a Bearer WWW-Authenticate value (RFC 6750 §3).
func (m *Middleware) challenge(code, scope string) string {
	return m.challengeFor("Bearer", code, scope)
}

// challengeFor renders a WWW-Authenticate value for scheme, "Bearer" or
// "DPoP" (RFC 9449 §7.1, which adds algs="…").
func (m *Middleware) challengeFor(scheme, code, scope string) string {
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteByte(' ')
	b.WriteString(m.realmAttr)
	if code != "" {
		b.WriteString(`, error="`)
		b.WriteString(code)
		b.WriteByte('"')
	}
	if scope != "" {
		b.WriteString(", scope=")
		b.WriteString(quote(scope))
	}
	if scheme == "DPoP" {
		b.WriteString(`, algs="`)
		b.WriteString(m.dv.Algorithms())
		b.WriteByte('"')
	}
	b.WriteString(m.metadataAttr)
	return b.String()
}

// refuse answers a refused request; err comes from token extraction, the
// verifier, the DPoP verifier or Scopes.Check; sch is the scheme the
// request used, 0 when unknown.
func (m *Middleware) refuse(w http.ResponseWriter, r *http.Request, rt *route, sch bearer.Scheme, err error) {
	f := &Failure{Err: err}
	var challenge string
	var ve *verify.Error
	switch {
	case errors.Is(err, ErrMissingToken):
		f.Status, challenge = http.StatusUnauthorized, m.chMissing
	case errors.Is(err, ErrInvalidRequest):
		f.Status, f.Code, challenge = http.StatusBadRequest, "invalid_request", m.chInvalidReq
	case errors.As(err, &ve):
		f.Reason = ve.Reason
		f.Status, f.Code = ve.Reason.HTTPStatus(), ve.Reason.OAuthError()
		switch f.Code {
		case "insufficient_scope":
			f.Required = rt.need
			challenge = rt.forbidden
		case "invalid_token":
			challenge = m.chInvalidTok
		}
	default:
		// Not a refusal the verifier's contract describes: treat it as
		// the server's fault rather than blaming the client's token.
		f.Status, f.Reason = http.StatusServiceUnavailable, verify.ReasonUnavailable
	}
	h := w.Header()
	m.setChallenges(h, r, rt, sch, f.Code, challenge)
	if f.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", m.retryAfter)
	}
	if m.onReject != nil {
		m.onReject(r, f)
	}
	if m.errorWriter != nil {
		m.errorWriter(w, r, f)
		return
	}
	http.Error(w, http.StatusText(f.Status), f.Status)
}

// quote renders s as an RFC 9110 quoted-string. s holds no control
// characters (checked by New and Require).
func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
