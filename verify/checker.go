package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// Checker checks one bearer token against a scope requirement. It is the
// seam between the transports (httpmw, grpcmw) and whatever decides whether
// a token is good: the JWT [Verifier], an introspection or userinfo client,
// or a composition of several.
//
// An implementation returns either non-nil Claims and a nil error, or nil
// Claims and an error. A refusal should be (or wrap) an [*Error] carrying a
// [Reason]; the transports treat any other error as the server's fault
// (ReasonUnavailable: 503 or codes.Unavailable), never as the client's.
// need is checked by the implementation (see [Scopes.Check]) so that a
// token lacking scopes is refused with ReasonInsufficientScope. The
// returned Claims may be shared between calls and must not be modified.
// Verify must be safe for concurrent use and must return when ctx ends.
type Checker interface {
	Verify(ctx context.Context, token string, need Scopes) (*Claims, error)
}

var _ Checker = (*Verifier)(nil)

// NewClaims returns Claims for a token that was checked by something other
// than the JWT Verifier, such as an introspection or userinfo response: the
// registered fields are those of c, and rawJSON is the checked JSON object
// that [Claims.Decode] reads. rawJSON must be one JSON object with no
// duplicate member names (nil or empty means "{}"); it is copied. The
// slices of c are copied too, so the result shares nothing with the
// caller.
func NewClaims(c Claims, rawJSON []byte) (*Claims, error) {
	raw := "{}"
	if len(rawJSON) > 0 {
		v := jsontext.Value(rawJSON)
		if v.Kind() != '{' || !v.IsValid() {
			return nil, errors.New("verify: NewClaims: rawJSON is not one JSON object without duplicate members")
		}
		raw = string(rawJSON)
	}
	out := &Claims{
		Issuer:    c.Issuer,
		Subject:   c.Subject,
		ExpiresAt: c.ExpiresAt,
		NotBefore: c.NotBefore,
		IssuedAt:  c.IssuedAt,
		ID:        c.ID,
		ClientID:  c.ClientID,
		Nonce:     c.Nonce,
		KeyID:     c.KeyID,
		Algorithm: c.Algorithm,
		Type:      c.Type,
		raw:       raw,
	}
	out.Audience = append(out.audBuf[:0:0], c.Audience...)
	out.Scopes = append(out.scopeBuf[:0:0], c.Scopes...)
	return out, nil
}

// Validate reports whether s can be enforced: every scope must be a
// non-empty string of visible ASCII (RFC 6749 §3.3 scope-token), since a
// scope with a space or control character could never match a granted
// scope and cannot be sent in a scope="…" challenge. The transports call it
// once, when a requirement is configured.
func (s Scopes) Validate() error {
	for _, list := range [][]string{s.AllOf, s.AnyOf} {
		for _, sc := range list {
			if sc == "" {
				return errors.New("empty scope")
			}
			for i := 0; i < len(sc); i++ {
				if sc[i] <= 0x20 || sc[i] >= 0x7f {
					return fmt.Errorf("scope %q has characters other than visible ASCII", sc)
				}
			}
		}
	}
	return nil
}
