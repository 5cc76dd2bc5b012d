package issuertest

import (
	"net/http"
	"slices"
)

const (
	descInvalidToken   = "The access token provided is expired, revoked, malformed, or invalid for other reasons."
	descUnauthorizedCl = "The client is not authorized to request a token using this method."
	descOnlyAccess     = "Only access tokens are allowed in the authorization header."
)

// userinfo is wgtwo's /userinfo answer: sub always; sid for a user's
// token; phone_number and phone_number_verified when the grant has scope
// phone.
type userinfo struct {
	PhoneNumber         string `json:"phone_number,omitempty"`
	PhoneNumberVerified bool   `json:"phone_number_verified,omitempty"`
	SID                 string `json:"sid,omitempty"`
	Sub                 string `json:"sub"`
}

// serveUserinfo answers for the access token in "Authorization: Bearer".
// Anything else gets 401 with an RFC 6750 challenge, as Hydra answers.
func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	tok, present := bearerToken(r)
	info, ok := s.active(tok, s.cfg.Now())
	if !present || !ok || info.use != useAccess {
		desc := descInvalidToken
		if ok {
			desc = descOnlyAccess
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token",error_description="`+desc+`"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", desc)
		return
	}
	out := userinfo{Sub: info.sub}
	if g := info.g; g != nil {
		out.SID = g.sid
		if g.phone != "" && slices.Contains(g.scopes, "phone") {
			out.PhoneNumber, out.PhoneNumberVerified = g.phone, true
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// serveRevoke implements RFC 7009 as Hydra does: the client authenticates
// as at the token endpoint and may revoke only its own tokens; an unknown
// token is not an error. Revoking either token of a grant revokes both.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" Unable to parse HTTP body.")
		return
	}
	c, ok := s.requireClient(w, r)
	if !ok {
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" Request parameter 'token' is missing.")
		return
	}
	if g, found := s.grantOf(tok); found {
		s.tokMu.Lock()
		mine := g.clientID == c.ID
		if mine {
			g.revoked = true
		}
		s.tokMu.Unlock()
		if !mine {
			writeOAuthError(w, http.StatusBadRequest, "unauthorized_client", descUnauthorizedCl)
			return
		}
	}
	noStore(w)
	w.WriteHeader(http.StatusOK)
}
