package httpmw

import (
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard/internal/bearer"
	"github.com/jwtguard/jwtguard/verify"
)

// Failure describes one refused request to Config.ErrorWriter: the
// transport-neutral Rejection that OnReject receives, and the HTTP answer
// for its Outcome.
type Failure struct {
	verify.Rejection
	// Status is the HTTP status: 400, 401, 403 or 503.
	Status int
	// Code is the error code sent in the challenge: "" (missing
	// credentials, or 503), "invalid_request", "invalid_token" or
	// "insufficient_scope" (RFC 6750), or, with Config.DPoP,
	// "invalid_dpop_proof" or "use_dpop_nonce" (RFC 9449).
	Code string
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
// verifier, the DPoP verifier or ScopeRule.Check; sch is the scheme the
// request used, 0 when unknown.
func (m *Middleware) refuse(w http.ResponseWriter, r *http.Request, rt *route, sch bearer.Scheme, err error) {
	f := &Failure{Rejection: verify.Rejection{
		Transport: "http",
		Method:    r.Method + " " + r.URL.Path,
		Outcome:   verify.OutcomeOf(err),
		Reason:    verify.ReasonOf(err),
		Required:  rt.need,
		Err:       err,
	}}
	f.Status, f.Code = answer(f.Outcome)
	if f.Reason == verify.ReasonInvalidDPoPProof || f.Reason == verify.ReasonUseDPoPNonce {
		// Token refusals (OutcomeInvalidToken) with RFC 9449's own codes.
		f.Code = string(f.Reason)
	}
	var challenge string
	switch f.Code {
	case "":
		if f.Status == http.StatusUnauthorized {
			challenge = m.chMissing
		}
	case "invalid_request":
		challenge = m.chInvalidReq
	case "invalid_token":
		challenge = m.chInvalidTok
	case "insufficient_scope":
		challenge = rt.forbidden
	}
	h := w.Header()
	m.setChallenges(h, r, rt, sch, f.Code, challenge)
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
