package issuertest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// maxFormBytes bounds token request bodies.
const maxFormBytes = 64 << 10

// Error descriptions are fosite's, verbatim, as Hydra sends them.
const (
	descInvalidClient   = "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)."
	descUnsupported     = "The authorization grant type is not supported by the authorization server."
	descInvalidScope    = "The requested scope is invalid, unknown, or malformed."
	descInvalidRequest  = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed."
	expiresFieldLayout  = "2006-01-02T15:04:05.000000"
	jsonContentType     = "application/json"
	jsonUTF8ContentType = "application/json;charset=UTF-8"
)

type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	UserinfoSigningAlgValuesSupported []string `json:"userinfo_signing_alg_values_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	RequireRequestURIRegistration     bool     `json:"require_request_uri_registration"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	BackchannelLogoutSupported        bool     `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported bool     `json:"backchannel_logout_session_supported"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	FrontchannelLogoutSessionSupport  bool     `json:"frontchannel_logout_session_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	RequestObjectSigningAlgValues     []string `json:"request_object_signing_alg_values_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
}

// serveDiscovery answers in the shape of Hydra v1.11's WellKnownHandler.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	base := s.URL()
	if s.cfg.CacheControl != "" { // Hydra v2 sends it on every public route
		w.Header().Set("Cache-Control", s.cfg.CacheControl)
	}
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            s.Issuer(),
		AuthorizationEndpoint:             base + "/oauth2/auth",
		TokenEndpoint:                     s.TokenURL(),
		JWKSURI:                           s.JWKSURL(),
		SubjectTypesSupported:             []string{"public", "pairwise"},
		ResponseTypesSupported:            []string{"code", "code id_token", "id_token", "token id_token", "token", "token id_token code"},
		ClaimsSupported:                   []string{"sub"},
		GrantTypesSupported:               []string{"authorization_code", "implicit", "client_credentials", "refresh_token"},
		ResponseModesSupported:            []string{"query", "fragment"},
		UserinfoEndpoint:                  base + "/userinfo",
		ScopesSupported:                   []string{"offline_access", "offline", "openid"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic", "private_key_jwt", "none"},
		UserinfoSigningAlgValuesSupported: []string{"none", "RS256"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		RequestParameterSupported:         true,
		RequestURIParameterSupported:      true,
		RequireRequestURIRegistration:     true,
		ClaimsParameterSupported:          false,
		RevocationEndpoint:                base + "/oauth2/revoke",
		BackchannelLogoutSupported:        true,
		BackchannelLogoutSessionSupported: true,
		FrontchannelLogoutSupported:       true,
		FrontchannelLogoutSessionSupport:  true,
		EndSessionEndpoint:                base + "/oauth2/sessions/logout",
		RequestObjectSigningAlgValues:     []string{"none", "RS256", "ES256"},
		CodeChallengeMethodsSupported:     []string{"plain", "S256"},
	})
}

// serveJWKS serves the published keys, newest first, honouring any Fault.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	s.jwksReqs.Add(1)
	s.mu.Lock()
	f, doc := s.fault, s.jwksDoc
	s.mu.Unlock()

	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		// Only the request's own channels, so that in-process requests
		// (Transport) inside a testing/synctest bubble block durably.
		select {
		case <-t.C:
		case <-r.Context().Done():
			if s.closed() {
				panic(http.ErrAbortHandler) // closing: drop the connection, as a dying server would
			}
			return // the client gave up; nobody reads an answer
		}
	}
	if f.CloseConn {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a failed hijack: abort the stream
	}
	status := http.StatusOK
	if f.Status != 0 {
		status = f.Status
	}
	ct := jsonContentType
	if f.ContentType != "" {
		ct = f.ContentType
	}
	if f.Body != nil {
		doc = f.Body
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	if s.cfg.CacheControl != "" {
		h.Set("Cache-Control", s.cfg.CacheControl)
	}
	w.WriteHeader(status)
	_, _ = w.Write(doc)
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Expires     string `json:"expires,omitempty"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
}

type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// serveToken implements the client_credentials grant.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.tokenReqs.Add(1)
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

	c, basicTried, ok := s.authenticate(r)
	if !ok {
		if basicTried {
			w.Header().Set("WWW-Authenticate", `Basic realm="issuertest"`)
		}
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
		return
	}
	if form.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", descUnsupported)
		return
	}

	scopes := c.Scopes
	if _, present := form["scope"]; present {
		scopes = strings.Fields(form.Get("scope"))
		for _, sc := range scopes {
			if !slices.Contains(c.Scopes, sc) {
				writeOAuthError(w, http.StatusBadRequest, "invalid_scope",
					descInvalidScope+" The OAuth 2.0 Client is not allowed to request scope '"+sc+"'.")
				return
			}
		}
	}
	now := s.cfg.Now()
	resp := tokenResponse{
		AccessToken: s.accessTokenAt(now, c.ID, scopes),
		ExpiresIn:   max(int64(s.ttl/time.Second)-1, 0),
		Scope:       strings.Join(scopes, " "),
		TokenType:   "bearer",
	}
	if s.cfg.ExpiresField {
		resp.Expires = now.Add(s.ttl).UTC().Format(expiresFieldLayout)
	}
	noStore(w)
	writeJSON(w, http.StatusOK, resp)
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

// noStore marks a token endpoint response uncacheable (RFC 6749 §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	noStore(w)
	writeJSON(w, status, errorResponse{Error: code, Description: desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	w.Header().Set("Content-Type", jsonUTF8ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
