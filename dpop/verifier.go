package dpop

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/jwtguard/jwtguard/internal/dpopproof"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/verify"
)

// Verifier checks DPoP proofs (RFC 9449 §4.3) and the binding of access
// tokens to their keys (§6, §7). It is safe for concurrent use and owns
// no goroutine.
type Verifier struct {
	cfg *verifierConfig
}

// NewVerifier validates cfg and returns a Verifier.
func NewVerifier(cfg Config) (*Verifier, error) {
	vc, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	return &Verifier{cfg: vc}, nil
}

// Request is what a proof is checked against.
type Request struct {
	// Method is the request's HTTP method, compared with htm exactly.
	Method string
	// URL is the request's absolute URI as this server is reached from
	// outside; it is compared with htu after [NormalizeHTU] on both.
	URL string
	// AccessToken is the access token sent with the proof, whose hash ath
	// must carry; "" when the proof comes without one (a token request),
	// and then ath is not checked.
	AccessToken string
	// Proofs holds every DPoP header value of the request: exactly one is
	// accepted (RFC 9449 §4.3 step 1).
	Proofs []string
}

// Proof is an accepted DPoP proof.
type Proof struct {
	// JKT is the RFC 7638 thumbprint of the proof's key, the cnf.jkt of
	// the token it was checked with.
	JKT string
	// Key is the proof's public key.
	Key crypto.PublicKey
	// ID, IssuedAt and Algorithm are the proof's jti, iat and alg.
	ID        string
	IssuedAt  time.Time
	Algorithm string
}

// Algorithms returns the accepted algorithms, space-separated, as sent in
// a DPoP challenge's algs="…" (RFC 9449 §7.1).
func (v *Verifier) Algorithms() string { return v.cfg.algsAttr }

// Nonce returns the server nonce to send in the DPoP-Nonce header, or ""
// when Config.Nonces is nil.
func (v *Verifier) Nonce(ctx context.Context) (string, error) {
	if v.cfg.nonces == nil {
		return "", nil
	}
	return v.cfg.nonces.Nonce(ctx)
}

// Check verifies the request's one DPoP proof (RFC 9449 §4.3): its form,
// its signature under the key in its header, htm, htu, iat, ath and
// nonce; then that the proof's key is the key the access token with
// claims c is bound to (cnf.jkt); last, that the proof was not accepted
// before. c is the result of checking req.AccessToken with a
// verify.Checker; nil skips the binding check (a token request, where no
// token exists yet).
//
// A refusal is a *verify.Error: ReasonInvalidDPoPProof,
// ReasonUseDPoPNonce (send [Verifier.Nonce] in DPoP-Nonce),
// ReasonBindingMismatch, or ReasonUnavailable when the replay store
// fails.
func (v *Verifier) Check(ctx context.Context, req Request, c *verify.Claims) (*Proof, error) {
	switch len(req.Proofs) {
	case 0:
		return nil, errProof("no DPoP proof")
	case 1:
	default:
		return nil, errProof("%d DPoP headers", len(req.Proofs))
	}
	p, err := dpopproof.Parse(req.Proofs[0], v.cfg.maxBytes, v.cfg.algs)
	if err != nil {
		return nil, errProof("%v", err)
	}
	if err := p.CheckRequest(req.Method, req.URL, req.AccessToken, v.cfg.now(), v.cfg.maxAge, v.cfg.leeway); err != nil {
		return nil, errProof("%v", err)
	}
	if v.cfg.nonces != nil && (p.Nonce == nil || !v.cfg.nonces.Valid(ctx, *p.Nonce)) {
		return nil, &verify.Error{Reason: verify.ReasonUseDPoPNonce, Detail: "proof lacks the current server nonce"}
	}
	jkt, err := dpopproof.Thumbprint(p.Key.Public())
	if err != nil {
		return nil, errProof("%v", err)
	}
	if c != nil {
		bound, err := BoundKey(c)
		if err != nil {
			return nil, err
		}
		switch bound {
		case jkt:
		case "":
			return nil, &verify.Error{Reason: verify.ReasonBindingMismatch, Issuer: c.Issuer, KID: c.KeyID,
				Detail: "DPoP proof for a token bound to no key"}
		default:
			return nil, &verify.Error{Reason: verify.ReasonBindingMismatch, Issuer: c.Issuer, KID: c.KeyID,
				Detail: fmt.Sprintf("proof key %s is not the token's cnf.jkt %q", jkt, truncate(bound))}
		}
	}
	id := sha256.Sum256([]byte(jkt + " " + p.JTI))
	first, err := v.cfg.replay.Claim(ctx, base64.RawURLEncoding.EncodeToString(id[:]), p.IAT.Add(v.cfg.maxAge))
	if err != nil {
		return nil, &verify.Error{Reason: verify.ReasonUnavailable, Detail: "replay store", Err: err}
	}
	if !first {
		return nil, errProof("jti %q was used before", truncate(p.JTI))
	}
	return &Proof{JKT: jkt, Key: p.Key.Public(), ID: p.JTI, IssuedAt: p.IAT, Algorithm: p.Alg}, nil
}

// CheckHTTP is Check for an HTTP request r carrying token, and returns
// ctx carrying the accepted Proof ([FromContext]): htm is r.Method, htu is
// Config.Origin (or, without it, "https" when r arrived over TLS and
// "http" otherwise, with r.Host) followed by r's path, and the proofs are
// r's DPoP header values. It is what httpmw calls (httpmw.DPoPChecker).
func (v *Verifier) CheckHTTP(ctx context.Context, r *http.Request, token string, c *verify.Claims) (context.Context, error) {
	p, err := v.Check(ctx, Request{Method: r.Method, URL: v.requestURL(r), AccessToken: token, Proofs: r.Header.Values("DPoP")}, c)
	if err != nil {
		return ctx, err
	}
	return NewContext(ctx, p), nil
}

// CheckRPC is Check for a gRPC or Connect call to procedure (the full
// method path, "/pkg.Service/Method") at authority (the call's :authority
// or Host), carrying token and proofs (every "dpop" metadata or header
// value), and returns ctx carrying the accepted Proof. Such a call is an
// HTTP POST, so htm is "POST" and htu is Config.Origin (or, without it,
// "https://" + authority) followed by procedure:
// "https://api.example.com/pkg.Service/Method". It is what grpcmw and
// connectguard call.
func (v *Verifier) CheckRPC(ctx context.Context, authority, procedure string, proofs []string, token string, c *verify.Claims) (context.Context, error) {
	origin := v.cfg.origin
	if origin == "" {
		origin = "https://" + authority
	}
	p, err := v.Check(ctx, Request{Method: http.MethodPost, URL: origin + procedure, AccessToken: token, Proofs: proofs}, c)
	if err != nil {
		return ctx, err
	}
	return NewContext(ctx, p), nil
}

func (v *Verifier) requestURL(r *http.Request) string {
	origin := v.cfg.origin
	if origin == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		origin = scheme + "://" + r.Host
	}
	return origin + r.URL.EscapedPath()
}

// BoundKey returns the cnf.jkt member of c (RFC 9449 §6.1), "" when the
// token is not bound to a DPoP key. A cnf or jkt of the wrong type is a
// *verify.Error with ReasonBindingMismatch. It is
// [verify.Claims.DPoPThumbprint].
func BoundKey(c *verify.Claims) (string, error) { return c.DPoPThumbprint() }

// CheckBearer refuses a token with claims c that is presented as a
// Bearer token but is bound to a DPoP key (RFC 9449 §7.2), with
// ReasonBindingMismatch. For a token without cnf it costs nothing
// ([verify.Claims.Confirmation]).
func (v *Verifier) CheckBearer(c *verify.Claims) error {
	jkt, err := BoundKey(c)
	if err != nil {
		return err
	}
	if jkt != "" {
		return &verify.Error{Reason: verify.ReasonBindingMismatch, Issuer: c.Issuer, KID: c.KeyID,
			Detail: "DPoP-bound token presented as a Bearer token"}
	}
	return nil
}

type proofKey struct{}

// NewContext returns a copy of ctx carrying p, as CheckHTTP does for the
// proof it accepted.
func NewContext(ctx context.Context, p *Proof) context.Context {
	return context.WithValue(ctx, proofKey{}, p)
}

// FromContext returns the proof stored by NewContext: behind httpmw,
// present when the request was authorised with the DPoP scheme.
func FromContext(ctx context.Context) (*Proof, bool) {
	p, ok := ctx.Value(proofKey{}).(*Proof)
	return p, ok && p != nil
}

func truncate(s string) string { return jose.Truncate(s, 64) }

// errProof returns the refusal of a bad proof.
func errProof(format string, a ...any) error {
	return &verify.Error{Reason: verify.ReasonInvalidDPoPProof, Detail: fmt.Sprintf(format, a...)}
}

// Type is the JOSE "typ" every DPoP proof carries (RFC 9449 §4.2).
const Type = dpopproof.Type

// MaxJTIBytes caps a proof's jti. RFC 9449 asks for at least 96 bits of
// randomness; 64 bytes leaves room for any encoding of far more.
const MaxJTIBytes = dpopproof.MaxJTIBytes

// Thumbprint returns the RFC 7638 JWK SHA-256 thumbprint of pub,
// base64url without padding: the value of an access token's cnf.jkt
// (RFC 9449 §6.1). pub is an *rsa.PublicKey, an *ecdsa.PublicKey on
// P-256, P-384 or P-521, or an ed25519.PublicKey. It is computed from the
// decoded key, so two JWKs that encode the same key get the same
// thumbprint.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	t, err := dpopproof.Thumbprint(pub)
	if err != nil {
		return "", fmt.Errorf("dpop: %w", err)
	}
	return t, nil
}

// NormalizeHTU returns the form of an http or https URI that htu is
// compared in (RFC 9449 §4.3, RFC 3986 §6.2.2 and §6.2.3): scheme and host
// lower-case, the scheme's default port and an empty port removed, an
// empty path made "/", percent-encodings of unreserved characters decoded
// and the others' hex digits upper-cased, dot segments removed, and query
// and fragment dropped. Two URIs that differ only in these ways compare
// equal; any other difference (path case, "//", an encoded "/") does not.
// It refuses URIs that are relative, have another scheme, carry user
// information, or have characters RFC 3986 §2 does not allow.
func NormalizeHTU(raw string) (string, error) {
	n, err := dpopproof.NormalizeHTU(raw)
	if err != nil {
		return "", fmt.Errorf("dpop: %w", err)
	}
	return n, nil
}
