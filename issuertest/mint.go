package issuertest

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MintOptions controls how [Server.Mint] signs. The zero value signs with
// RS256 and the current signing key under its kid, like the issuer itself.
type MintOptions struct {
	// KID is the "kid" header. "" means the current signing kid; "-"
	// omits the header. When Key is nil and KID names a key this server
	// created (published or retired), that key signs; any other KID is
	// written as given and the current key signs.
	KID string

	// Alg is the JWS algorithm; "" means RS256. Any algorithm golang-jwt/v5
	// implements works (RS*, PS*, ES*, EdDSA, HS*) provided Key fits it.
	// "none" produces an unsigned token with an empty signature.
	Alg string

	// Key signs instead of the server's key, e.g. testkeys.RSA2048(7) for a
	// token signed by the wrong key under a trusted kid, or an ECDSA or
	// Ed25519 key for ES256/EdDSA. nil means the server's key (see KID).
	Key crypto.Signer

	// HMACKey is the secret for HS256/HS384/HS512. nil means the PEM
	// ("PUBLIC KEY", PKIX) encoding of the selected key's public key: the
	// classic RS256→HS256 algorithm-confusion attack.
	HMACKey []byte

	// Header adds or overrides header members (typ, crit, jwk, alg, …)
	// after kid and alg are set. A nil value removes the member, e.g.
	// {"typ": nil}. Overriding "alg" changes only the header, not how the
	// token is signed.
	Header map[string]any

	// Expired sets exp = now-1h and iat = now-2h when claims lack "exp".
	Expired bool
}

// Mint signs claims exactly as given (plus Expired's changes) and returns
// the compact JWT. Use [Server.AccessTokenClaims] for a Hydra-shaped claim
// set to start from. Mint panics when the token cannot be signed (an
// algorithm golang-jwt does not know, or a Key that does not fit Alg): it is
// a test helper and misuse should fail loudly.
func (s *Server) Mint(claims map[string]any, opts MintOptions) string {
	c := maps.Clone(claims)
	if c == nil {
		c = map[string]any{}
	}
	if opts.Expired {
		if _, ok := c["exp"]; !ok {
			now := s.cfg.Now()
			c["exp"] = now.Add(-time.Hour).Unix()
			c["iat"] = now.Add(-2 * time.Hour).Unix()
		}
	}
	return s.sign(c, opts)
}

func (s *Server) sign(claims map[string]any, opts MintOptions) string {
	var signer crypto.Signer = opts.Key
	kid := opts.KID
	s.mu.Lock()
	if signer == nil {
		if k, ok := s.all[kid]; ok && kid != "" {
			signer = k.priv
		} else if len(s.published) > 0 {
			signer = s.published[0].priv
		}
	}
	if kid == "" && len(s.published) > 0 {
		kid = s.published[0].kid
	}
	s.mu.Unlock()
	if signer == nil && opts.Alg != "none" && !(strings.HasPrefix(opts.Alg, "HS") && opts.HMACKey != nil) {
		panic("issuertest: no signing key: every key is retired; call Rotate or pass MintOptions.Key")
	}

	alg := opts.Alg
	if alg == "" {
		alg = "RS256"
	}
	var method jwt.SigningMethod
	var key any = signer
	switch {
	case alg == "none":
		method, key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	case strings.HasPrefix(alg, "HS"):
		method = jwt.GetSigningMethod(alg)
		if opts.HMACKey != nil {
			key = opts.HMACKey
		} else {
			der, err := x509.MarshalPKIXPublicKey(signer.Public())
			if err != nil {
				panic(fmt.Sprintf("issuertest: Mint: %v", err))
			}
			key = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		}
	default:
		method = jwt.GetSigningMethod(alg)
	}
	if method == nil {
		panic(fmt.Sprintf("issuertest: Mint: algorithm %q is not implemented by golang-jwt/v5", alg))
	}

	t := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	if kid != "-" && kid != "" {
		t.Header["kid"] = kid
	}
	for name, v := range opts.Header {
		if v == nil {
			delete(t.Header, name)
		} else {
			t.Header[name] = v
		}
	}
	tok, err := t.SignedString(key)
	if err != nil {
		panic(fmt.Sprintf("issuertest: Mint: signing with %s: %v", alg, err))
	}
	return tok
}

// AccessTokenClaims returns the claims [Server.AccessToken] would sign, for
// tests that change one claim and [Server.Mint] the result.
func (s *Server) AccessTokenClaims(clientID string, scopes ...string) map[string]any {
	return s.accessTokenClaims(s.cfg.Now(), s.ttl, clientID, clientID, s.scopesFor(clientID, scopes))
}

// AccessToken returns a JWT access token in Hydra's shape (strategies.
// access_token: jwt) for a client_credentials grant, signed with the current
// key: header {"alg":"RS256","kid":…,"typ":"JWT"}; claims iss, sub and
// client_id = clientID, aud (Config.Audience, [] by default), exp, iat,
// nbf = iat, jti (UUIDv4), the scopes per Config.ScopeClaim and ext {}.
// Without scopes it grants all of a registered client's scopes. It does not
// check that the client exists or may have the scopes; the token endpoint
// does.
func (s *Server) AccessToken(clientID string, scopes ...string) string {
	return s.sign(s.accessTokenClaims(s.cfg.Now(), s.ttl, clientID, clientID, s.scopesFor(clientID, scopes)), MintOptions{})
}

// ExpiredAccessToken is [Server.AccessToken] issued two hours ago with a
// one-hour lifetime: iat = nbf = now-2h, exp = now-1h.
func (s *Server) ExpiredAccessToken(clientID string, scopes ...string) string {
	now := s.cfg.Now()
	c := s.accessTokenClaims(now.Add(-2*time.Hour), s.ttl, clientID, clientID, s.scopesFor(clientID, scopes))
	c["exp"] = now.Add(-time.Hour).Unix()
	return s.sign(c, MintOptions{})
}

func (s *Server) scopesFor(clientID string, scopes []string) []string {
	if len(scopes) > 0 {
		return scopes
	}
	if c, ok := s.client(clientID); ok {
		return c.Scopes
	}
	return nil
}

// accessTokenClaims are Hydra's JWT access-token claims for a grant to
// clientID on behalf of sub (the client itself for client credentials).
func (s *Server) accessTokenClaims(now time.Time, ttl time.Duration, clientID, sub string, scopes []string) map[string]any {
	iat := now.Unix()
	scp := slices.Clone(scopes)
	if scp == nil {
		scp = []string{}
	}
	c := map[string]any{
		"iss":       s.Issuer(),
		"sub":       sub,
		"aud":       slices.Clone(s.cfg.Audience),
		"exp":       now.Add(ttl).Unix(),
		"iat":       iat,
		"nbf":       iat,
		"jti":       newUUID(),
		"client_id": clientID,
		"ext":       map[string]any{},
	}
	if s.cfg.ScopeClaim != ScopeClaimString {
		c["scp"] = scp
	}
	if s.cfg.ScopeClaim != ScopeClaimList {
		c["scope"] = strings.Join(scp, " ")
	}
	return c
}

// IDToken returns an OpenID Connect ID token shaped like the real wgtwo one:
// at_hash (of a fresh opaque access token), aud [clientID], auth_time
// (iat-15m), exp, iat, iss, jti, rat (iat-1m), sid, and sub as 128 lower-case
// hex characters derived from clientID and phone (pairwise, stable; the
// same sub the authorization-code flow gives that user at that client).
// nonce is omitted when empty; phone_number and phone_number_verified (true)
// are omitted when phone is empty. There is no nbf, as with Hydra.
func (s *Server) IDToken(clientID, nonce string, phone string) string {
	now := s.cfg.Now()
	return s.idToken(idTokenFields{
		now: now, clientID: clientID, nonce: nonce, phone: phone, sub: pairwiseSub(clientID, phone),
		accessToken: s.newOpaque(TokenFormatHydra, useAccess), sid: newUUID(), authTime: now.Add(-15 * time.Minute),
	})
}

type idTokenFields struct {
	now                                           time.Time
	clientID, nonce, phone, sub, accessToken, sid string
	authTime                                      time.Time
}

func (s *Server) idToken(f idTokenFields) string {
	iat := f.now.Unix()
	at := sha256.Sum256([]byte(f.accessToken))
	c := map[string]any{
		"at_hash":   base64.RawURLEncoding.EncodeToString(at[:16]),
		"aud":       []string{f.clientID},
		"auth_time": f.authTime.Unix(),
		"exp":       f.now.Add(s.ttl).Unix(),
		"iat":       iat,
		"iss":       s.Issuer(),
		"jti":       newUUID(),
		"rat":       iat - 60,
		"sid":       f.sid,
		"sub":       f.sub,
	}
	if f.nonce != "" {
		c["nonce"] = f.nonce
	}
	if f.phone != "" {
		c["phone_number"] = f.phone
		c["phone_number_verified"] = true
	}
	return s.sign(c, MintOptions{})
}

// pairwiseSub is the 128-hex-character subject of the user with phone at
// clientID, stable across calls.
func pairwiseSub(clientID, phone string) string {
	sub := sha512.Sum512([]byte(clientID + "\x00" + phone))
	return hex.EncodeToString(sub[:])
}
