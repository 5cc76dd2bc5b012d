package bearer

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error Parse returns matches exactly one of them
// with errors.Is; the wrapped text says which rule failed (for logs only).
var (
	// ErrMissing means the request carries no bearer credentials: no
	// value at all, or a value with another scheme such as Basic. RFC 6750
	// §3.1: the challenge SHOULD NOT include an error code.
	ErrMissing = errors.New("bearer: no bearer credentials")
	// ErrInvalidRequest means the credentials are present but malformed or
	// ambiguous: RFC 6750 §3.1 "invalid_request" (HTTP 400).
	ErrInvalidRequest = errors.New("bearer: malformed bearer credentials")
)

// The detailed errors are allocated once so that refusing attacker input
// costs no allocation.
var (
	errNoValue     = wrap(ErrMissing, "no authorization value")
	errEmpty       = wrap(ErrMissing, "empty authorization value")
	errOtherScheme = wrap(ErrMissing, "authorization scheme is not Bearer")

	errManyValues = wrap(ErrInvalidRequest, "more than one authorization value")
	errNoSpace    = wrap(ErrInvalidRequest, "no space between Bearer and the token")
	errNoToken    = wrap(ErrInvalidRequest, "Bearer without a token")
	errManyTokens = wrap(ErrInvalidRequest, "more than one token after Bearer")
	errBadChar    = wrap(ErrInvalidRequest, "token has characters outside b64token")
)

type detailError struct {
	kind error
	msg  string
}

func wrap(kind error, detail string) error {
	return &detailError{kind: kind, msg: kind.Error() + ": " + detail}
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.kind }

const scheme = "Bearer"

// Parse returns the bearer token carried by values, which must be all the
// Authorization values of one request, in any order. It returns the token
// (a substring of the value, never empty) or an error matching ErrMissing
// or ErrInvalidRequest:
//
//   - no value, an empty value, or another scheme (e.g. "Basic …"): ErrMissing;
//   - more than one value (even if only one is Bearer, RFC 6750 §3.1 "uses
//     more than one method"), "Bearer" without a token, "Bearer<token>"
//     without a space, two tokens, or a token outside the b64token
//     alphabet: ErrInvalidRequest.
//
// Parse never panics and does not allocate. It is [Extract] followed by
// [Check].
func Parse(values []string) (token string, err error) {
	tok, err := Extract(values)
	if err != nil {
		return "", err
	}
	if err := Check(tok); err != nil {
		return "", err
	}
	return tok, nil
}

// Extract is Parse without the alphabet check: it refuses what Parse
// refuses except a token outside the b64token alphabet, which it returns.
// It is for a caller whose token checker refuses every such token by
// itself (the JWT verifier only accepts base64url segments and dots, a
// subset of b64token): the caller saves a pass over the token when the
// checker accepts it and calls Check when the checker refuses it, so the
// request gets Parse's ErrInvalidRequest, as if Parse had been called.
func Extract(values []string) (token string, err error) {
	switch len(values) {
	case 0:
		return "", errNoValue
	case 1:
	default:
		return "", errManyValues
	}
	v := trimOWS(values[0])
	if v == "" {
		return "", errEmpty
	}
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		// Another scheme, or a value too short to be Bearer. Compare the
		// prefix rather than Cut at SP so that "Bearer<tok>" and
		// "Bearer\t<tok>" are recognised as malformed Bearer credentials,
		// not as some other scheme.
		return "", errOtherScheme
	}
	rest := v[len(scheme):]
	if rest == "" {
		return "", errNoToken
	}
	if rest[0] != ' ' {
		return "", errNoSpace
	}
	// 1*SP; never empty here, as trimOWS removed trailing spaces.
	rest = strings.TrimLeft(rest, " ")
	tok, _, more := strings.Cut(rest, " ")
	if more {
		return "", errManyTokens
	}
	return tok, nil
}

// Check returns nil when token is an RFC 6750 b64token, and otherwise the
// ErrInvalidRequest error Parse returns for it. It does not allocate.
func Check(token string) error {
	if !isB64Token(token) {
		return errBadChar
	}
	return nil
}

// IsToken reports whether s is an RFC 6750 b64token, the only shape a
// bearer token may have wherever it is carried (header, query parameter,
// cookie). It runs in O(len(s)) and does not allocate.
func IsToken(s string) bool { return isB64Token(s) }

// trimOWS removes RFC 9110 optional whitespace (SP / HTAB) from both ends.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// isB64Token reports whether s matches
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	// Eight bytes per step with one branch: a JWT access token is ~1 KiB
	// and is checked on every request.
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		if b64Chars[b[0]]&b64Chars[b[1]]&b64Chars[b[2]]&b64Chars[b[3]]&
			b64Chars[b[4]]&b64Chars[b[5]]&b64Chars[b[6]]&b64Chars[b[7]] == 0 {
			break
		}
	}
	for i < len(s) && b64Chars[s[i]] != 0 {
		i++
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// b64Chars is 1 for the b64token alphabet without "=", 0 otherwise.
var b64Chars = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 1
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 1
	}
	for _, c := range "-._~+/" {
		t[c] = 1
	}
	return t
}()
