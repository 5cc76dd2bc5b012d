package issuertest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Lifetimes Hydra uses by default.
const (
	codeTTL    = 10 * time.Minute
	refreshTTL = 720 * time.Hour
)

// Error descriptions are fosite's, verbatim, as Hydra sends them.
const (
	descInvalidGrant    = "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	descInvalidState    = "The state is missing or does not have enough characters and is therefore considered too weak."
	descUnsupportedResp = "The authorization server does not support obtaining a token using this method."
	descBadRedirect     = " The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."
)

// serveAuthorize runs the authorization-code flow's front half with a user
// who is already logged in and consents to everything: it checks the
// request and redirects straight back to the client with a code.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, ok := s.client(q.Get("client_id"))
	if !ok {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", descInvalidClient)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" && len(c.RedirectURIs) == 1 {
		redirect = c.RedirectURIs[0]
	}
	back, err := url.Parse(redirect)
	if err != nil || !slices.Contains(c.RedirectURIs, redirect) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", descInvalidRequest+descBadRedirect)
		return
	}
	// From here on errors go back to the client, as RFC 6749 §4.1.2.1 says.
	state := q.Get("state")
	answer := func(v url.Values) {
		if state != "" {
			v.Set("state", state)
		}
		back.RawQuery = mergeQuery(back.Query(), v).Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	fail := func(code, desc string) { answer(url.Values{"error": {code}, "error_description": {desc}}) }

	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", descUnsupportedResp)
		return
	}
	if len(state) < 8 { // fosite's minimum state entropy
		fail("invalid_state", descInvalidState)
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if bad, ok := notAllowed(c, scopes); !ok {
		fail("invalid_scope", descInvalidScope+" The OAuth 2.0 Client is not allowed to request scope '"+bad+"'.")
		return
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge != "" && method == "" {
		method = "plain"
	}
	if (method != "plain" && method != "S256" && method != "") || (method != "" && challenge == "") {
		fail("invalid_request", descInvalidRequest+" The code_challenge_method is not supported, use S256 or plain, with a code_challenge.")
		return
	}
	phone := q.Get("login_hint")
	if phone == "" {
		phone = s.cfg.UserPhone
	}
	now := s.cfg.Now()
	g := s.newGrant(c, pairwiseSub(c.ID, phone), scopes)
	g.phone, g.sid, g.authTime = phone, newUUID(), now
	code := s.issueOpaque(&record{g: g, use: useCode, iat: now, exp: now.Add(codeTTL),
		redirectURI: q.Get("redirect_uri"), challenge: challenge, challengeMethod: method, nonce: q.Get("nonce")})
	answer(url.Values{"code": {code}, "scope": {strings.Join(scopes, " ")}})
}

func mergeQuery(dst, src url.Values) url.Values {
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// exchangeCode implements the authorization_code grant. A code works once;
// presenting it again revokes every token it gave, as fosite does.
func (s *Server) exchangeCode(w http.ResponseWriter, form url.Values, c Client, x5t string) {
	now := s.cfg.Now()
	s.tokMu.Lock()
	rec, found := s.tokens.m[form.Get("code")]
	ok := found && rec.use == useCode && rec.g.clientID == c.ID && !rec.g.revoked && now.Before(rec.exp)
	if ok && rec.used {
		rec.g.revoked = true
		ok = false
	}
	ok = ok && (rec.redirectURI == "" || form.Get("redirect_uri") == rec.redirectURI) &&
		pkceOK(rec.challengeMethod, rec.challenge, form.Get("code_verifier"))
	if ok {
		rec.used = true
	}
	s.tokMu.Unlock()
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", descInvalidGrant)
		return
	}
	s.grantTokens(w, now, rec.g, rec.nonce, x5t)
}

// pkceOK checks an RFC 7636 code_verifier against the code's challenge.
func pkceOK(method, challenge, verifier string) bool {
	switch method {
	case "":
		return true
	case "S256":
		if verifier == "" {
			return false
		}
		sum := sha256.Sum256([]byte(verifier))
		verifier = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return verifier != "" && subtle.ConstantTimeCompare([]byte(verifier), []byte(challenge)) == 1
}

// refresh implements the refresh_token grant. The refresh token and the
// access tokens issued with it stop working; the answer carries a new
// pair, as Hydra rotates them. A "scope" parameter is ignored: the new
// tokens carry the original grant's scopes.
func (s *Server) refresh(w http.ResponseWriter, form url.Values, c Client, x5t string) {
	now := s.cfg.Now()
	s.tokMu.Lock()
	rec, found := s.tokens.m[form.Get("refresh_token")]
	ok := found && rec.use == useRefresh && rec.g.clientID == c.ID && !rec.used && !rec.g.revoked && now.Before(rec.exp)
	var g *grant
	if ok {
		rec.used = true
		next := *rec.g
		g = &next
		rec.g.revoked = true
	}
	s.tokMu.Unlock()
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", descInvalidGrant)
		return
	}
	s.grantTokens(w, now, g, "", x5t)
}

// grantTokens answers a code or refresh grant: an access token, a refresh
// token with scope offline_access (or offline), an ID token with openid.
// The access token is bound to x5t unless it is "".
func (s *Server) grantTokens(w http.ResponseWriter, now time.Time, g *grant, nonce, x5t string) {
	access := s.issueAccess(g, now, x5t)
	var refresh, idToken string
	if slices.Contains(g.scopes, "offline_access") || slices.Contains(g.scopes, "offline") {
		refresh = s.issueOpaque(&record{g: g, use: useRefresh, iat: now, exp: now.Add(refreshTTL)})
	}
	if slices.Contains(g.scopes, "openid") {
		f := idTokenFields{now: now, clientID: g.clientID, nonce: nonce, sub: g.sub,
			accessToken: access, sid: g.sid, authTime: g.authTime}
		if slices.Contains(g.scopes, "phone") {
			f.phone = g.phone
		}
		idToken = s.idToken(f)
	}
	s.writeToken(w, now, g, access, refresh, idToken)
}
