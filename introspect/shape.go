package introspect

import "strings"

// HydraToken reports whether token has the shape of an Ory Hydra (fosite)
// HMAC access token: 43 base64url characters, a dot and 43 more (32 random
// bytes and their HMAC-SHA512/256), optionally after Hydra v2's "ory_at_"
// prefix. Use it as Config.TokenShape.
func HydraToken(token string) bool {
	token = strings.TrimPrefix(token, "ory_at_")
	return len(token) == 87 && token[43] == '.' && isB64URL(token[:43]) && isB64URL(token[44:])
}

// Hex32Token reports whether token is 32 hexadecimal digits, the shape of
// Net2Phone Canada (Versature) access tokens. Upper and lower case are both
// accepted. Use it as Config.TokenShape.
func Hex32Token(token string) bool {
	if len(token) != 32 {
		return false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// isB64URL reports whether s is unpadded base64url text whose last
// character carries no stray bits (43 characters hold 32 bytes).
func isB64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	if len(s)%4 == 3 { // 2 bytes in the last 3 characters: 2 low bits unused
		return b64Index(s[len(s)-1])&3 == 0
	}
	return true
}

func b64Index(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A'
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26
	case '0' <= c && c <= '9':
		return c - '0' + 52
	case c == '-':
		return 62
	default:
		return 63
	}
}
