package verify

import (
	"context"
	"time"

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

	raw string // the payload JSON, for Decode

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
