package jose

import "encoding/binary"

// b64Values maps a base64url character to its value, 0xFF for anything else.
var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// DecodedLen returns the decoded length of an unpadded base64url string,
// or -1 when no unpadded encoding has that length.
func DecodedLen(n int) int {
	if n%4 == 1 {
		return -1
	}
	return n/4*3 + (n%4*6)/8
}

// DecodeSegment decodes s, unpadded base64url, into dst (len ≥ DecodedLen).
// It is exactly as strict as base64.RawURLEncoding.Strict() and stricter in
// one respect: every byte must be in [A-Za-z0-9_-] (the standard decoder
// skips \r and \n). Non-zero trailing bits are refused. FuzzBase64 checks it
// against the standard library.
func DecodeSegment(dst []byte, s string) (int, bool) {
	if DecodedLen(len(s)) < 0 || len(dst) < DecodedLen(len(s)) {
		return 0, false
	}
	t := &b64Values
	out := dst
	var acc byte // ORs every table value: bit 7 or 6 set means invalid
	// 8 characters → 6 bytes, written as one 8-byte store while there is
	// room for the 2 spare bytes.
	for len(s) >= 8 && len(out) >= 8 {
		c0, c1, c2, c3, c4, c5, c6, c7 := t[s[0]], t[s[1]], t[s[2]], t[s[3]], t[s[4]], t[s[5]], t[s[6]], t[s[7]]
		acc |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7
		v := uint64(c0)<<58 | uint64(c1)<<52 | uint64(c2)<<46 | uint64(c3)<<40 |
			uint64(c4)<<34 | uint64(c5)<<28 | uint64(c6)<<22 | uint64(c7)<<16
		binary.BigEndian.PutUint64(out, v)
		s, out = s[8:], out[6:]
	}
	for len(s) >= 4 && len(out) >= 3 {
		a, b, c, d := t[s[0]], t[s[1]], t[s[2]], t[s[3]]
		acc |= a | b | c | d
		v := uint(a)<<18 | uint(b)<<12 | uint(c)<<6 | uint(d)
		out[0], out[1], out[2] = byte(v>>16), byte(v>>8), byte(v)
		s, out = s[4:], out[3:]
	}
	if acc&0xC0 != 0 {
		return 0, false
	}
	switch len(s) {
	case 0:
	case 2:
		if len(out) < 1 {
			return 0, false
		}
		a, b := t[s[0]], t[s[1]]
		if (a|b)&0xC0 != 0 || b&0x0F != 0 {
			return 0, false
		}
		out[0] = a<<2 | b>>4
		out = out[1:]
	case 3:
		if len(out) < 2 {
			return 0, false
		}
		a, b, c := t[s[0]], t[s[1]], t[s[2]]
		if (a|b|c)&0xC0 != 0 || c&0x03 != 0 {
			return 0, false
		}
		out[0] = a<<2 | b>>4
		out[1] = b<<4 | c>>2
		out = out[2:]
	default:
		return 0, false
	}
	return len(dst) - len(out), true
}
