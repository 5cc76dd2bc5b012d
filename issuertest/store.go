package issuertest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// Access-token formats for [Config.AccessTokenFormat] and
// [Client.AccessTokenFormat].
const (
	// TokenFormatJWT is an RS256 JWT in Hydra's shape (see
	// [Server.AccessToken]); refresh tokens and codes are Hydra v1 opaque
	// tokens. The default.
	TokenFormatJWT = "jwt"
	// TokenFormatHydra is Hydra v1's opaque HMAC token, as id.wgtwo.com
	// issues: "<key>.<signature>", each 43 base64url characters (32
	// random bytes, then their HMAC-SHA512/256 under a server secret).
	TokenFormatHydra = "hydra"
	// TokenFormatHydraV2 is Hydra v2's prefixed HMAC token: "ory_at_"
	// (access), "ory_rt_" (refresh) or "ory_ac_" (code), then
	// "<43>.<43>" as in [TokenFormatHydra].
	TokenFormatHydraV2 = "hydra-v2"
	// TokenFormatHex32 is Net2Phone's opaque token: 32 lower-case
	// hexadecimal characters. Pair it with [Config.ExpiresField].
	TokenFormatHex32 = "hex32"
)

// tokenFormats lists the formats, the default first.
func tokenFormats() []string {
	return []string{TokenFormatJWT, TokenFormatHydra, TokenFormatHydraV2, TokenFormatHex32}
}

// Token uses, as introspection's token_use names them.
const (
	useAccess  = "access_token"
	useRefresh = "refresh_token"
	useCode    = "authorization_code"
)

// defaultMaxTokens bounds the token table: past it the oldest entries are
// forgotten, and their tokens introspect as inactive.
const defaultMaxTokens = 1 << 16

// grant is one authorization, by client credentials or by a user's consent,
// that tokens descend from. Revoking any token of a grant revokes them all,
// as Hydra does.
type grant struct {
	clientID string
	sub      string
	scopes   []string
	format   string        // access-token format
	ttl      time.Duration // access-token lifetime
	phone    string        // the consenting user's phone; "" for client credentials
	sid      string        // login session; "" for client credentials
	authTime time.Time
	jkt      string // the DPoP key the access tokens are bound to; "" for Bearer tokens
	revoked  bool   // guarded by Server.tokMu
}

// record is one issued token (or, for JWT access tokens, its jti).
type record struct {
	g        *grant
	use      string
	iat, exp time.Time
	used     bool   // a code or refresh token already exchanged; guarded by Server.tokMu
	x5t      string // access tokens: the certificate thumbprint it is bound to, or ""

	// authorization codes only
	redirectURI, challenge, challengeMethod, nonce string
}

// tokenTable is a bounded map from token (or "jti:"+jti for JWTs) to
// record, forgetting the oldest entry first.
type tokenTable struct {
	m     map[string]*record
	order []string // the keys of m, oldest first
}

// remember stores r under key, evicting the oldest entries past
// s.maxTokens.
func (s *Server) remember(key string, r *record) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	s.rememberLocked(key, r)
}

func (s *Server) rememberLocked(key string, r *record) {
	t := &s.tokens

	for len(t.order) >= s.maxTokens {
		delete(t.m, t.order[0])
		t.order = t.order[1:]
	}
	t.m[key] = r
	t.order = append(t.order, key)
}

// jtiKey is the table key of a JWT access token; it cannot collide with an
// opaque token, which never contains ':'.
func jtiKey(jti string) string { return "jti:" + jti }

// newOpaque returns a fresh opaque token of format for use.
func (s *Server) newOpaque(format, use string) string {
	if format == TokenFormatHex32 {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		return hex.EncodeToString(b[:])
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	key := base64.RawURLEncoding.EncodeToString(b[:])
	mac := hmac.New(sha512.New512_256, s.hmacKey[:])
	mac.Write([]byte(key))
	tok := key + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	if format == TokenFormatHydraV2 {
		return map[string]string{useAccess: "ory_at_", useRefresh: "ory_rt_", useCode: "ory_ac_"}[use] + tok
	}
	return tok
}

// issueAccess records and returns a new access token of g, issued at now
// and bound to the certificate thumbprint x5t unless it is "".
func (s *Server) issueAccess(g *grant, now time.Time, x5t string) string {
	r := &record{g: g, use: useAccess, iat: now, exp: now.Add(g.ttl), x5t: x5t}
	if g.format != TokenFormatJWT {
		tok := s.newOpaque(g.format, useAccess)
		s.remember(tok, r)
		return tok
	}
	c := s.accessTokenClaims(now, g.ttl, g.clientID, g.sub, g.scopes)
	if x5t != "" || g.jkt != "" {
		c["cnf"] = cnfClaim(x5t, g.jkt)
	}
	s.remember(jtiKey(c["jti"].(string)), r)
	return s.sign(c, MintOptions{})
}

// issueOpaque records and returns a new refresh token or code of g.
func (s *Server) issueOpaque(r *record) string {
	format := r.g.format
	if format == TokenFormatJWT {
		format = TokenFormatHydra
	}
	tok := s.newOpaque(format, r.use)
	s.remember(tok, r)
	return tok
}

// tokenInfo is what introspection and userinfo learn about an active token.
type tokenInfo struct {
	use      string
	clientID string
	sub      string
	scopes   []string
	aud      []string
	iat, exp time.Time
	ext      map[string]any
	x5t      string // certificate thumbprint the token is bound to, or ""
	jkt      string // cnf.jkt: the DPoP key the token is bound to, or ""
	g        *grant // nil for a JWT this server signed but never issued
}

// active looks tok up as of now: an opaque access or refresh token this
// server issued, or a JWT it signed (by a published key, for this issuer,
// within its validity). ok is false for anything else: unknown, forgotten,
// expired, revoked or already exchanged tokens, and codes.
func (s *Server) active(tok string, now time.Time) (info tokenInfo, ok bool) {
	if strings.Count(tok, ".") == 2 {
		return s.activeJWT(tok, now)
	}
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	r, found := s.tokens.m[tok]
	if !found || r.use == useCode || r.used || r.g.revoked || !now.Before(r.exp) {
		return tokenInfo{}, false
	}
	return tokenInfo{use: r.use, clientID: r.g.clientID, sub: r.g.sub, scopes: r.g.scopes,
		aud: s.cfg.Audience, iat: r.iat, exp: r.exp, x5t: r.x5t, jkt: r.g.jkt, g: r.g}, true
}

// Revoke revokes tok and every token of the same grant, as a client's
// request to /oauth2/revoke would, and reports whether tok was a token
// this server issued or signed (an access or refresh token, opaque or JWT;
// a JWT must still verify). Revoked tokens introspect as inactive and are
// refused by /userinfo and the refresh grant.
func (s *Server) Revoke(tok string) bool {
	g, ok := s.grantOf(tok)
	if ok {
		s.tokMu.Lock()
		g.revoked = true
		s.tokMu.Unlock()
	}
	return ok
}

// grantOf finds the grant of an access or refresh token, active or not. A
// JWT this server signed but never issued gets a grant of its own, so that
// it can be revoked.
func (s *Server) grantOf(tok string) (*grant, bool) {
	if strings.Count(tok, ".") == 2 {
		claims, err := s.parseJWT(tok, s.cfg.Now(), false)
		if err != nil {
			return nil, false
		}
		jti, _ := claims["jti"].(string)
		clientID, _ := claims["client_id"].(string)
		if jti == "" || clientID == "" { // not an access token
			return nil, false
		}
		s.tokMu.Lock()
		defer s.tokMu.Unlock()
		r, found := s.tokens.m[jtiKey(jti)]
		if !found {
			r = &record{g: &grant{clientID: clientID}, use: useAccess}
			s.rememberLocked(jtiKey(jti), r)
		}
		return r.g, true
	}
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	r, found := s.tokens.m[tok]
	if !found || r.use == useCode {
		return nil, false
	}
	return r.g, true
}
