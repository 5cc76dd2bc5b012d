package issuertest

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Caller authentication at /oauth2/introspect, for [Config.IntrospectAuth].
const (
	// IntrospectAuthNone lets anyone introspect, as Hydra's admin port
	// does (it sits behind the operator's network). The default.
	IntrospectAuthNone = "none"
	// IntrospectAuthClient requires a registered client's credentials,
	// by HTTP Basic or form fields as the client's AuthMethod allows.
	IntrospectAuthClient = "client"
	// IntrospectAuthBearer requires "Authorization: Bearer <token>" with
	// an active access token of this server other than the one
	// introspected.
	IntrospectAuthBearer = "bearer"
)

const descUnauthorized = "The request could not be authorized."

// introspection is Hydra's answer for an active token (RFC 7662 members
// plus token_use and ext). An inactive token gets {"active":false} only.
type introspection struct {
	Active    bool           `json:"active"`
	Scope     string         `json:"scope,omitempty"`
	ClientID  string         `json:"client_id"`
	Sub       string         `json:"sub"`
	Exp       int64          `json:"exp"`
	Iat       int64          `json:"iat"`
	Nbf       int64          `json:"nbf"`
	Aud       []string       `json:"aud"`
	Iss       string         `json:"iss"`
	TokenType string         `json:"token_type"`
	TokenUse  string         `json:"token_use"`
	Ext       map[string]any `json:"ext,omitempty"`
	// Cnf is the confirmation of a bound token: RFC 8705 §3.2's x5t#S256,
	// RFC 9449 §6.2's jkt.
	Cnf map[string]string `json:"cnf,omitempty"`
}

// serveIntrospect implements RFC 7662 in the shape of Hydra's admin
// endpoint: form field token (token_type_hint is ignored), optional
// scope that the token must carry every word of.
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" Unable to parse HTTP body, make sure to send a properly formatted form request body.")
		return
	}
	if len(r.PostForm) == 0 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+" The POST body can not be empty.")
		return
	}
	tok := r.PostForm.Get("token")
	if challenge, ok := s.introspectionCaller(r, tok); !ok {
		w.Header().Set("WWW-Authenticate", challenge)
		writeOAuthError(w, http.StatusUnauthorized, "request_unauthorized", descUnauthorized)
		return
	}
	info, ok := s.active(tok, s.cfg.Now())
	for _, sc := range strings.Fields(r.PostForm.Get("scope")) {
		ok = ok && slices.Contains(info.scopes, sc)
	}
	if !ok {
		noStore(w)
		writeJSON(w, http.StatusOK, struct {
			Active bool `json:"active"`
		}{})
		return
	}
	aud := info.aud
	if aud == nil {
		aud = []string{}
	}
	resp := introspection{
		Active:    true,
		Scope:     strings.Join(info.scopes, " "),
		ClientID:  info.clientID,
		Sub:       info.sub,
		Exp:       info.exp.Unix(),
		Iat:       info.iat.Unix(),
		Nbf:       info.iat.Unix(),
		Aud:       aud,
		Iss:       s.Issuer(),
		TokenType: "Bearer",
		TokenUse:  info.use,
		Ext:       info.ext,
		Cnf:       cnfOf(info.x5t, info.jkt),
	}
	if info.jkt != "" { // RFC 9449 §6.2
		resp.TokenType = "DPoP"
	}
	writeJSON(w, http.StatusOK, resp)
}

// introspectionCaller checks the caller per Config.IntrospectAuth; on
// failure it returns the WWW-Authenticate challenge.
func (s *Server) introspectionCaller(r *http.Request, tok string) (challenge string, ok bool) {
	switch s.cfg.IntrospectAuth {
	case IntrospectAuthClient:
		_, _, ok = s.authenticate(r)
		return `Basic realm="issuertest"`, ok
	case IntrospectAuthBearer:
		bearer, present := bearerToken(r)
		if present && bearer != tok {
			info, active := s.active(bearer, s.cfg.Now())
			ok = active && info.use == useAccess
		}
		return `Bearer error="invalid_token"`, ok
	}
	return "", true
}

// bearerToken returns the token of an "Authorization: Bearer" header (the
// scheme is case-insensitive, RFC 7235).
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

var errNotOurs = errors.New("issuertest: not a token of this issuer")

// parseJWT verifies that tok is an RS256 JWT signed by a published key of
// this server for this issuer, and, with checkTime, within exp and nbf at
// now.
func (s *Server) parseJWT(tok string, now time.Time, checkTime bool) (jwt.MapClaims, error) {
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.Issuer())}
	if checkTime {
		opts = append(opts, jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithExpirationRequired())
	} else {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(opts...).ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, k := range s.published {
			if k.kid == kid {
				return &k.priv.PublicKey, nil
			}
		}
		return nil, errNotOurs
	})
	if err == nil && !checkTime && claims["iss"] != s.Issuer() {
		err = errNotOurs // WithoutClaimsValidation skips the issuer too
	}
	return claims, err
}

// activeJWT is [Server.active] for a JWT access token: it must verify, carry
// client_id (so ID tokens do not pass) and not be revoked.
func (s *Server) activeJWT(tok string, now time.Time) (tokenInfo, bool) {
	claims, err := s.parseJWT(tok, now, true)
	if err != nil {
		return tokenInfo{}, false
	}
	info := tokenInfo{use: useAccess}
	info.clientID, _ = claims["client_id"].(string)
	info.sub, _ = claims["sub"].(string)
	if info.clientID == "" {
		return tokenInfo{}, false
	}
	switch scp := claims["scp"].(type) {
	case []any:
		for _, v := range scp {
			if str, ok := v.(string); ok {
				info.scopes = append(info.scopes, str)
			}
		}
	default:
		scope, _ := claims["scope"].(string)
		info.scopes = strings.Fields(scope)
	}
	info.aud, _ = claims.GetAudience()
	if exp, _ := claims.GetExpirationTime(); exp != nil {
		info.exp = exp.Time
	}
	if iat, _ := claims.GetIssuedAt(); iat != nil {
		info.iat = iat.Time
	}
	if ext, _ := claims["ext"].(map[string]any); len(ext) > 0 {
		info.ext = ext
	}
	if cnf, _ := claims["cnf"].(map[string]any); cnf != nil {
		info.x5t, _ = cnf["x5t#S256"].(string)
		info.jkt, _ = cnf["jkt"].(string)
	}
	jti, _ := claims["jti"].(string)
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if r, found := s.tokens.m[jtiKey(jti)]; found && jti != "" {
		if r.g.revoked {
			return tokenInfo{}, false
		}
		info.g = r.g
	}
	return info, true
}
