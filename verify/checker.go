package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
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
// ([OutcomeUnavailable], see [OutcomeOf]), never as the client's.
// need is checked by the implementation (see [ScopeRule.Check]) so that a
// token lacking scopes is refused with ReasonInsufficientScope. The
// returned Claims may be shared between calls and must not be modified.
// Verify must be safe for concurrent use and must return when ctx ends.
type Checker interface {
	Verify(ctx context.Context, token string, need ScopeRule) (*Claims, error)
}

var _ Checker = (*Verifier)(nil)

// NewClaims returns Claims for a token that was checked by something other
// than the JWT Verifier, such as an introspection or userinfo response: the
// registered fields are those of c, and rawJSON is the checked JSON object
// that [Claims.Decode] reads (and whose "cnf" member [Claims.Confirmation]
// returns). rawJSON must be one JSON object with no
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
	var conf struct {
		Cnf jsontext.Value `json:"cnf"`
	}
	if err := json.Unmarshal([]byte(raw), &conf); err != nil {
		return nil, fmt.Errorf("verify: NewClaims: rawJSON: %w", err)
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
		cnfJSON:   string(conf.Cnf),
	}
	out.Audience = append(out.audBuf[:0:0], c.Audience...)
	out.Scopes = append(out.scopeBuf[:0:0], c.Scopes...)
	out.cnf = out.decideCnf()
	return out, nil
}
