package verify

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/jwtguard/jwtguard/internal/claimsctx"
)

// Claims is the verified content of a token. A *Claims returned by Verify
// may be shared between calls (the verified-token cache returns the same
// value for the same token): it is immutable and callers must not modify
// it or the slices it holds.
type Claims struct {
	Issuer    string
	Subject   string
	Audience  []string
	ExpiresAt time.Time
	NotBefore time.Time // zero if absent
	IssuedAt  time.Time // zero if absent
	ID        string    // jti
	ClientID  string    // client_id
	Nonce     string
	// Scopes is the normalised union of "scope", "scp" and
	// Config.ScopeClaims, read in that order, first occurrence kept,
	// without duplicates or empty tokens.
	Scopes []string
	// KeyID and Algorithm are the JOSE header's kid and alg; Type is typ.
	KeyID     string
	Algorithm string
	Type      string

	raw     string      // the payload JSON, for Decode
	cnf     certBinding // the certificate binding in raw, for CheckCertBinding
	cnfJSON string      // the JSON text of the "cnf" claim, "" when absent

	// Inline backing arrays so typical tokens need no extra allocations.
	audBuf   [2]string
	scopeBuf [4]string
}

// HasScope reports whether the token carries scope s (exact match).
func (c *Claims) HasScope(s string) bool {
	for _, have := range c.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// NewContext returns a copy of ctx carrying c. httpmw and grpcmw use it to
// hand claims to handlers.
func NewContext(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsctx.Key{}, c)
}

// FromContext returns the claims stored by NewContext.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsctx.Key{}).(*Claims)
	return c, ok && c != nil
}

// Decode unmarshals the full verified payload into dst (any JSON target).
// It uses JSON v2 semantics (github.com/go-json-experiment/json): member
// names match struct fields case-sensitively, duplicate names are refused
// and unknown members are ignored.
func (c *Claims) Decode(dst any) error {
	if c == nil || c.raw == "" {
		return errors.New("verify: decode: no verified payload")
	}
	if err := json.Unmarshal([]byte(c.raw), dst); err != nil {
		return fmt.Errorf("verify: decode: %w", err)
	}
	return nil
}

// Confirmation returns the JSON text of the token's "cnf" (confirmation)
// claim (RFC 7800), such as {"jkt":"…"} for a token bound to a DPoP key
// (RFC 9449 §6), or "" when the token has none. The claim is located when
// the token is checked, so asking costs nothing; package dpop reads it to
// refuse bound tokens sent as Bearer tokens.
func (c *Claims) Confirmation() string { return c.cnfJSON }

// CheckNonce checks an ID token's "nonce" against the value the client sent
// in its authentication request, in constant time. It returns an *Error
// with ReasonMissingClaim when the token has no nonce and
// ReasonInvalidNonce when it differs (or nonce is empty).
func (c *Claims) CheckNonce(nonce string) error {
	if c.Nonce == "" {
		return &Error{Reason: ReasonMissingClaim, Detail: "no nonce", Issuer: c.Issuer, KID: c.KeyID}
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1 {
		return &Error{Reason: ReasonInvalidNonce, Detail: "nonce does not match", Issuer: c.Issuer, KID: c.KeyID}
	}
	return nil
}

// DPoPThumbprint returns the token's cnf.jkt (RFC 9449 §6.1): the RFC 7638
// thumbprint of the key the token is bound to, or "" when it is not bound
// to a DPoP key. A cnf that is not an object, or a jkt that is not a
// non-empty string, is an *Error with ReasonBindingMismatch. For a token
// without cnf it costs nothing.
func (c *Claims) DPoPThumbprint() (string, error) {
	cnf := c.Confirmation()
	if cnf == "" {
		return "", nil
	}
	var t *struct {
		JKT *string `json:"jkt"`
	}
	if err := json.Unmarshal([]byte(cnf), &t); err != nil {
		return "", &Error{Reason: ReasonBindingMismatch, Issuer: c.Issuer, KID: c.KeyID,
			Detail: "cnf is not an object with a string jkt", Err: err}
	}
	if t == nil || t.JKT == nil {
		return "", nil
	}
	if *t.JKT == "" {
		return "", &Error{Reason: ReasonBindingMismatch, Issuer: c.Issuer, KID: c.KeyID, Detail: "cnf.jkt is empty"}
	}
	return *t.JKT, nil
}

// CheckNotDPoPBound refuses, with ReasonBindingMismatch, a token bound to
// a DPoP key (cnf.jkt) that reached a transport without DPoP support: the
// transport cannot check the proof of possession, and accepting the token
// as a bearer token would let a stolen bound token work (RFC 9449 §7.2).
// httpmw, grpcmw and connectguard call it when their Config.DPoP is nil.
func (c *Claims) CheckNotDPoPBound() error {
	jkt, err := c.DPoPThumbprint()
	if err != nil {
		return err
	}
	if jkt != "" {
		return &Error{Reason: ReasonBindingMismatch, Issuer: c.Issuer, KID: c.KeyID,
			Detail: "token bound to a DPoP key, and this server does not take DPoP proofs"}
	}
	return nil
}
