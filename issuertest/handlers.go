package issuertest

import (
	"encoding/json"
	"net/http"
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

// discovery is Hydra v1.11's document, trimmed to what this server does:
// every endpoint it names exists and every value it lists works.
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
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
}

// serveDiscovery answers in the shape of Hydra v1.11's WellKnownHandler.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	s.publicCacheControl(w)
	basicPost := []string{AuthMethodPost, AuthMethodBasic}
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            s.Issuer(),
		AuthorizationEndpoint:             s.AuthURL(),
		TokenEndpoint:                     s.TokenURL(),
		JWKSURI:                           s.JWKSURL(),
		SubjectTypesSupported:             []string{"pairwise"},
		ResponseTypesSupported:            []string{"code"},
		ClaimsSupported:                   []string{"sub", "sid", "phone_number", "phone_number_verified"},
		GrantTypesSupported:               []string{"authorization_code", "client_credentials", "refresh_token"},
		ResponseModesSupported:            []string{"query"},
		UserinfoEndpoint:                  s.UserinfoURL(),
		ScopesSupported:                   []string{"offline_access", "offline", "openid", "phone"},
		TokenEndpointAuthMethodsSupported: basicPost,
		UserinfoSigningAlgValuesSupported: []string{"none"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		RevocationEndpoint:                s.RevokeURL(),
		IntrospectionEndpoint:             s.IntrospectURL(),
		CodeChallengeMethodsSupported:     []string{"plain", "S256"},
	})
}

// serveJWKS serves the published keys, newest first.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	doc := s.jwksDoc
	s.mu.Unlock()
	w.Header().Set("Content-Type", jsonContentType)
	s.publicCacheControl(w)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}

// publicCacheControl sets Config.CacheControl, which Hydra v2 sends on
// every public route (the token endpoint's no-store overrides it).
func (s *Server) publicCacheControl(w http.ResponseWriter) {
	if s.cfg.CacheControl != "" {
		w.Header().Set("Cache-Control", s.cfg.CacheControl)
	}
}

type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
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
