package issuertest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	Expires      string `json:"expires,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
}

// serveToken implements the client_credentials, authorization_code and
// refresh_token grants.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" Unable to parse HTTP body.")
		return
	}
	form := r.PostForm
	if form.Get("grant_type") == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" Request parameter 'grant_type' is missing.")
		return
	}

	c, ok := s.requireClient(w, r)
	if !ok {
		return
	}
	x5t := requestThumbprint(r) // "": the access token is not bound
	switch form.Get("grant_type") {
	case "client_credentials":
		jkt, ok := s.dpopKey(w, r)
		if !ok {
			return
		}
		s.clientCredentials(w, form, c, x5t, jkt)
	case "authorization_code":
		s.exchangeCode(w, form, c, x5t)
	case "refresh_token":
		s.refresh(w, form, c, x5t)
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", descUnsupported)
	}
}

func (s *Server) clientCredentials(w http.ResponseWriter, form url.Values, c Client, x5t, jkt string) {
	scopes := c.Scopes
	if _, present := form["scope"]; present {
		scopes = strings.Fields(form.Get("scope"))
		if bad, ok := notAllowed(c, scopes); !ok {
			writeOAuthError(w, http.StatusBadRequest, "invalid_scope", descInvalidScope+" The OAuth 2.0 Client is not allowed to request scope '"+bad+"'.")
			return
		}
	}
	now := s.cfg.Now()
	g := s.newGrant(c, c.ID, scopes)
	g.jkt = jkt
	s.writeToken(w, now, g, s.issueAccess(g, now, x5t), "", "")
}

// IssueAccessToken issues an access token exactly as the token endpoint
// would for a client_credentials grant to clientID, without HTTP: in the
// client's (or Config's) format and lifetime, remembered so that
// introspection, userinfo and revocation know it. Without scopes it grants
// all of a registered client's scopes. Unlike the endpoint it does not
// check that the client exists or may have the scopes. Use
// [Server.AccessToken] for a JWT that the server does not remember.
func (s *Server) IssueAccessToken(clientID string, scopes ...string) string {
	c, ok := s.client(clientID)
	if !ok {
		c = Client{ID: clientID}
	}
	return s.issueAccess(s.newGrant(c, clientID, s.scopesFor(clientID, scopes)), s.cfg.Now(), "")
}

// notAllowed returns the first of scopes that c may not request.
func notAllowed(c Client, scopes []string) (string, bool) {
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			return sc, false
		}
	}
	return "", true
}

// newGrant starts a grant to c on behalf of sub, with c's token format and
// lifetime.
func (s *Server) newGrant(c Client, sub string, scopes []string) *grant {
	g := &grant{clientID: c.ID, sub: sub, scopes: slices.Clone(scopes), format: s.cfg.AccessTokenFormat, ttl: s.ttl}
	if c.AccessTokenFormat != "" {
		g.format = c.AccessTokenFormat
	}
	if c.TokenTTL > 0 {
		g.ttl = c.TokenTTL
	}
	return g
}

// writeToken answers a successful grant.
func (s *Server) writeToken(w http.ResponseWriter, now time.Time, g *grant, access, refresh, idToken string) {
	resp := tokenResponse{
		AccessToken:  access,
		ExpiresIn:    max(int64(g.ttl/time.Second)-1, 0),
		IDToken:      idToken,
		RefreshToken: refresh,
		Scope:        strings.Join(g.scopes, " "),
		TokenType:    "bearer",
	}
	if g.jkt != "" {
		resp.TokenType = "DPoP" // RFC 9449 §5
	}
	if s.cfg.ExpiresField {
		resp.Expires = now.Add(g.ttl).UTC().Format(expiresFieldLayout)
	}
	noStore(w)
	writeJSON(w, http.StatusOK, resp)
}

// requireClient authenticates the client or answers 401 invalid_client.
func (s *Server) requireClient(w http.ResponseWriter, r *http.Request) (Client, bool) {
	c, basicTried, ok := s.authenticate(r)
	if !ok {
		if basicTried {
			w.Header().Set("WWW-Authenticate", `Basic realm="issuertest"`)
		}
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
	}
	return c, ok
}

// authenticate checks client credentials from HTTP Basic (preferred when
// present) or the form. basicTried reports an Authorization: Basic header.
func (s *Server) authenticate(r *http.Request) (c Client, basicTried, ok bool) {
	var id, secret, method string
	if u, p, isBasic := r.BasicAuth(); isBasic {
		basicTried = true
		method = AuthMethodBasic
		// RFC 6749 §2.3.1: both are application/x-www-form-urlencoded.
		var err1, err2 error
		id, err1 = url.QueryUnescape(u)
		secret, err2 = url.QueryUnescape(p)
		if err1 != nil || err2 != nil {
			return Client{}, true, false
		}
	} else if r.Header.Get("Authorization") != "" {
		return Client{}, strings.HasPrefix(strings.ToLower(r.Header.Get("Authorization")), "basic"), false
	} else {
		method = AuthMethodPost
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		if id == "" || !r.PostForm.Has("client_secret") {
			return Client{}, false, false
		}
	}
	c, found := s.client(id)
	if !found {
		return Client{}, basicTried, false
	}
	if c.AuthMethod != AuthMethodAny && c.AuthMethod != method {
		return Client{}, basicTried, false
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return Client{}, basicTried, false
	}
	return c, basicTried, true
}
