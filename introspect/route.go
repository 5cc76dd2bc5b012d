package introspect

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"

	"github.com/jwtguard/jwtguard/verify"
)

// maxRouteHeader caps the JOSE header Route decodes to classify a token.
const maxRouteHeader = 8 << 10

// Router sends each token to one of two checkers by its shape. It
// implements verify.Checker, so the transports take it unchanged.
type Router struct {
	jwt, other verify.Checker
}

var _ verify.Checker = (*Router)(nil)

// Route returns a Checker that sends JWT-shaped tokens (three base64url
// segments whose first decodes to a JSON object with an "alg" member) to
// jwt, usually a *verify.Verifier, and every other token to other, usually
// a *Checker. A token goes to exactly one of them: a JWT refused by jwt is
// never retried remotely, so a forged JWT cannot reach the remote endpoint
// through Route. A JWT-like token IsJWT does not recognise (an escaped
// "alg", a header outside base64url) goes to other as any opaque token
// does, so Config.TokenShape and the miss limits bound it there.
// The verify.Verifier already selects among several issuers by "iss".
func Route(jwt, other verify.Checker) *Router {
	return &Router{jwt: jwt, other: other}
}

// Verify implements verify.Checker.
func (r *Router) Verify(ctx context.Context, token string, need verify.ScopeRule) (*verify.Claims, error) {
	if IsJWT(token) {
		return r.jwt.Verify(ctx, token, need)
	}
	return r.other.Verify(ctx, token, need)
}

// IsJWT reports whether token is shaped like a compact JWS: three
// non-empty base64url segments, the first decoding to a JSON object with
// an "alg" member. It checks no signature.
func IsJWT(token string) bool {
	h, rest, ok := strings.Cut(token, ".")
	if !ok || h == "" || len(h) > base64.RawURLEncoding.EncodedLen(maxRouteHeader) {
		return false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || payload == "" || sig == "" || strings.Contains(sig, ".") {
		return false
	}
	var buf [1024]byte
	dst := buf[:]
	if n := base64.RawURLEncoding.DecodedLen(len(h)); n > len(buf) {
		dst = make([]byte, n)
	}
	n, err := base64.RawURLEncoding.Decode(dst, []byte(h))
	if err != nil {
		return false
	}
	return hasTopLevelAlg(dst[:n])
}

// hasTopLevelAlg reports whether obj starts a JSON object (after optional
// whitespace) with a member spelt exactly "alg" at its top level. It is a
// routing hint, not a parser: the checker the token goes to parses it
// strictly, and a header that fools the scan is refused there. Hand-written
// because decoding the header with JSON v2 allocated on every JWT request,
// while this scan does not (BenchmarkIsJWT). An escaped spelling ("\u0061lg")
// is not recognised, so such a token goes to the other checker, which
// refuses it.
func hasTopLevelAlg(obj []byte) bool {
	obj = bytes.TrimLeft(obj, " \t\r\n")
	if len(obj) == 0 || obj[0] != '{' {
		return false
	}
	depth, name := 0, false
	for i := 0; i < len(obj); i++ {
		switch obj[i] {
		case '{':
			depth++
			name = depth == 1
		case '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			name = depth == 1
		case '"':
			j := i + 1
			for j < len(obj) && obj[j] != '"' {
				if obj[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(obj) {
				return false
			}
			if name && string(obj[i+1:j]) == "alg" {
				return true
			}
			name, i = false, j
		}
	}
	return false
}
