package issuertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jwtguard/jwtguard/internal/dpopproof"
)

// Limits on the proofs the token endpoint accepts: dpop's defaults.
const (
	dpopMaxBytes = 8 << 10
	dpopMaxAge   = time.Minute
	dpopLeeway   = 5 * time.Second
)

// dpopKey checks the DPoP proof of a token request, if any (RFC 9449 §5):
// its form and signature, htm, htu (the token endpoint's URL) and iat. It
// returns the thumbprint of the proof's key, "" without a proof. A bad
// proof is answered with 400 invalid_dpop_proof. Proofs are not
// remembered: a replayed proof gets another token.
func (s *Server) dpopKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	proofs := r.Header.Values("DPoP")
	if len(proofs) == 0 {
		return "", true
	}
	var jkt string
	p, err := dpopproof.Parse(proofs[0], dpopMaxBytes, dpopAlgs)
	if err == nil && len(proofs) > 1 {
		err = errors.New("more than one DPoP header")
	}
	if err == nil {
		err = p.CheckRequest(r.Method, s.TokenURL(), "", s.cfg.Now(), dpopMaxAge, dpopLeeway)
	}
	if err == nil {
		jkt, err = dpopproof.Thumbprint(p.Key.Public())
	}
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_dpop_proof", "The DPoP proof is invalid: "+err.Error())
		return "", false
	}
	return jkt, true
}

// dpopAlgs are the proof algorithms the token endpoint accepts.
var dpopAlgs = []string{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"}

// DPoPClient is the client side of DPoP (RFC 9449) for tests: it holds an
// ES256 key, signs proofs for requests, obtains DPoP-bound access tokens
// from a Server's token endpoint and calls resource servers with them,
// retrying once with the server's nonce when asked to (use_dpop_nonce).
// It is safe for concurrent use.
type DPoPClient struct {
	key *ecdsa.PrivateKey
	jwk map[string]any
	jkt string
	now func() time.Time

	mu    sync.Mutex
	nonce string // the last DPoP-Nonce a server sent
}

// NewDPoPClient returns a DPoPClient with a fresh P-256 key, using the
// clock now for iat (nil means time.Now).
func NewDPoPClient(now func() time.Time) *DPoPClient {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	if now == nil {
		now = time.Now
	}
	pt, err := key.PublicKey.Bytes()
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	jkt, err := dpopproof.Thumbprint(&key.PublicKey)
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	enc := base64.RawURLEncoding.EncodeToString
	return &DPoPClient{key: key, jkt: jkt, now: now,
		jwk: map[string]any{"kty": "EC", "crv": "P-256", "x": enc(pt[1:33]), "y": enc(pt[33:])}}
}

// JKT is the RFC 7638 thumbprint of the client's key: the cnf.jkt of the
// tokens bound to it.
func (c *DPoPClient) JKT() string { return c.jkt }

// JWK returns the client's public key as a JWK (a new map each call).
func (c *DPoPClient) JWK() map[string]any {
	m := make(map[string]any, len(c.jwk))
	for k, v := range c.jwk {
		m[k] = v
	}
	return m
}

// PrivateD returns the private scalar of the client's key, base64url: the
// JWK "d" member, for tests of proofs that leak their private key.
func (c *DPoPClient) PrivateD() string {
	d, err := c.key.Bytes()
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(d)
}

// ProofOptions changes a proof for tests of what a verifier must refuse.
type ProofOptions struct {
	// Header and Claims are merged over the proof's own members (typ,
	// alg, jwk; jti, htm, htu, iat, ath, nonce); a nil value removes a
	// member.
	Header map[string]any
	Claims map[string]any
	// RawHeader and RawClaims, when not "", are the JSON encoded as they
	// are instead, for members a map cannot hold (duplicates, order).
	RawHeader, RawClaims string
	// Sign, when set, computes the signature over the signing input
	// instead of the client's ES256 key.
	Sign func(signingInput []byte) []byte
}

// Proof returns a proof for a request with method to rawURL (htu is
// rawURL without query and fragment), carrying ath for accessToken when
// it is not "", and the last nonce a server sent.
func (c *DPoPClient) Proof(method, rawURL, accessToken string) string {
	return c.ProofWith(method, rawURL, accessToken, ProofOptions{})
}

// ProofWith is Proof changed by o.
func (c *DPoPClient) ProofWith(method, rawURL, accessToken string, o ProofOptions) string {
	htu := rawURL
	if i := strings.IndexAny(htu, "?#"); i >= 0 {
		htu = htu[:i]
	}
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	enc := base64.RawURLEncoding.EncodeToString
	h := map[string]any{"typ": dpopproof.Type, "alg": "ES256", "jwk": c.jwk}
	cl := map[string]any{"jti": enc(jti[:]), "htm": method, "htu": htu, "iat": c.now().Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		cl["ath"] = enc(sum[:])
	}
	c.mu.Lock()
	if c.nonce != "" {
		cl["nonce"] = c.nonce
	}
	c.mu.Unlock()
	merge(h, o.Header)
	merge(cl, o.Claims)
	hb, err1 := json.Marshal(h)
	cb, err2 := json.Marshal(cl)
	if err := errors.Join(err1, err2); err != nil {
		panic("issuertest: " + err.Error())
	}
	if o.RawHeader != "" {
		hb = []byte(o.RawHeader)
	}
	if o.RawClaims != "" {
		cb = []byte(o.RawClaims)
	}
	input := enc(hb) + "." + enc(cb)
	var sig []byte
	if o.Sign != nil {
		sig = o.Sign([]byte(input))
	} else {
		sig = c.sign([]byte(input))
	}
	return input + "." + enc(sig)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
}

// sign returns the JWS ES256 signature (R || S, 32 bytes each) of input.
func (c *DPoPClient) sign(input []byte) []byte {
	sum := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, c.key, sum[:])
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// Token obtains an access token bound to the client's key from s's token
// endpoint with the client_credentials grant, authenticating as clientID
// with secret (HTTP Basic), for scopes (none: the client's registered
// scopes).
func (c *DPoPClient) Token(hc *http.Client, s *Server, clientID, secret string, scopes ...string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	req, err := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	req.Header.Set("DPoP", c.Proof(http.MethodPost, s.TokenURL(), ""))
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return "", fmt.Errorf("issuertest: token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK || body.TokenType != "DPoP" {
		return "", fmt.Errorf("issuertest: token endpoint answered %d, token_type %q", resp.StatusCode, body.TokenType)
	}
	return body.AccessToken, nil
}

// Do sends a copy of req with "Authorization: DPoP <token>" and a fresh
// proof. When
// the answer is a 401 use_dpop_nonce with a DPoP-Nonce header, it keeps
// the nonce and sends the request once more with a new proof (req must
// then have no body, or GetBody). The caller closes the response body.
func (c *DPoPClient) Do(hc *http.Client, req *http.Request, token string) (*http.Response, error) {
	resp, err := c.do(hc, req, token)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("DPoP-Nonce") == "" ||
		!strings.Contains(strings.Join(resp.Header.Values("WWW-Authenticate"), ","), `error="use_dpop_nonce"`) {
		return resp, err
	}
	c.mu.Lock()
	c.nonce = resp.Header.Get("DPoP-Nonce")
	c.mu.Unlock()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	retry := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, errors.New("issuertest: DPoPClient.Do: cannot resend a body without GetBody")
		}
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return c.do(hc, retry, token)
}

func (c *DPoPClient) do(hc *http.Client, req *http.Request, token string) (*http.Response, error) {
	req = req.Clone(req.Context()) // the caller's headers stay as they were
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", c.Proof(req.Method, req.URL.String(), token))
	return hc.Do(req)
}
