package httpmw

import (
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard/verify"
)

// Failure describes one refused request to Config.ErrorWriter: the
// transport-neutral Rejection that OnReject receives, and the HTTP answer
// for its Outcome.
type Failure struct {
	verify.Rejection
	// Status is the HTTP status: 400, 401, 403 or 503.
	Status int
	// Code is the RFC 6750 error code sent in the challenge: "" (missing
	// credentials, or 503), "invalid_request", "invalid_token" or
	// "insufficient_scope".
	Code string
}

// challenge renders a WWW-Authenticate value (RFC 6750 §3).
func (m *Middleware) challenge(code, scope string) string {
	var b strings.Builder
	b.WriteString("Bearer ")
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
	b.WriteString(m.metadataAttr)
	return b.String()
}

// refuse answers a refused request; err comes from token extraction, the
// verifier or ScopeRule.Check.
func (m *Middleware) refuse(w http.ResponseWriter, r *http.Request, rt *route, err error) {
	f := &Failure{Rejection: verify.Rejection{
		Transport: "http",
		Method:    r.Method + " " + r.URL.Path,
		Outcome:   verify.OutcomeOf(err),
		Reason:    verify.ReasonOf(err),
		Required:  rt.need,
		Err:       err,
	}}
	f.Status, f.Code = answer(f.Outcome)
	h := w.Header()
	switch f.Code {
	case "":
		if f.Status == http.StatusUnauthorized {
			h.Set("WWW-Authenticate", m.chMissing)
		}
	case "invalid_request":
		h.Set("WWW-Authenticate", m.chInvalidReq)
	case "invalid_token":
		h.Set("WWW-Authenticate", m.chInvalidTok)
	case "insufficient_scope":
		h.Set("WWW-Authenticate", rt.forbidden)
	}
	if f.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", m.retryAfter)
	}
	if m.onReject != nil {
		m.onReject(r.Context(), f.Rejection)
	}
	if m.errorWriter != nil {
		m.errorWriter(w, r, f)
		return
	}
	http.Error(w, http.StatusText(f.Status), f.Status)
}

// answer maps an outcome to the HTTP status and the RFC 6750 error code of
// its challenge.
func answer(o verify.Outcome) (status int, code string) {
	switch o {
	case verify.OutcomeMissingToken:
		return http.StatusUnauthorized, ""
	case verify.OutcomeInvalidRequest:
		return http.StatusBadRequest, "invalid_request"
	case verify.OutcomeInsufficientScope:
		return http.StatusForbidden, "insufficient_scope"
	case verify.OutcomeUnavailable:
		return http.StatusServiceUnavailable, ""
	}
	return http.StatusUnauthorized, "invalid_token"
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
