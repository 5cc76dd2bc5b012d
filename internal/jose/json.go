package jose

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxJSONDepth bounds the nesting of objects and arrays in a header or
// payload. Real tokens nest two or three levels (Hydra's "ext").
const MaxJSONDepth = 64

// maxNamesLinear is the number of member names per object compared
// linearly for duplicates before a map takes over.
const maxNamesLinear = 16

// Scanner is a strict JSON (RFC 8259) validator and tokenizer over a
// string; it allocates only to unescape strings with escapes and, for
// objects of more than maxNamesLinear members, a map of their names. It
// refuses duplicate member names in every object (compared after
// unescaping, case-sensitively), invalid UTF-8, lone surrogates, control
// characters in strings, leading zeros, trailing content and nesting deeper
// than MaxJSONDepth. It never panics: every index is bounds-checked. On
// failure [Scanner.Err] says what and where.
//
// It is hand-written for a measured gain on the whole request, not for a
// correctness rule: go-json-experiment's jsontext refuses the same inputs,
// duplicate names after unescaping included (FuzzJSONScanner holds the two
// to the same answers). Reading a token's header and payload with jsontext
// or json instead costs several percent of a whole cold RS256 verification
// (BenchmarkScanner, BenchmarkColdShare; figures in bench/notes.md) and
// allocations that a cold Verify otherwise does without.
type Scanner struct {
	s     string
	i     int
	depth int
	err   string
}

// NewScanner returns a Scanner positioned at the start of s.
func NewScanner(s string) Scanner { return Scanner{s: s} }

// Err says why the scan failed, or "" while it has not.
func (p *Scanner) Err() string { return p.err }

// Fail records msg as the failure, unless one is already recorded, and
// returns false.
func (p *Scanner) Fail(msg string) bool {
	if p.err == "" {
		p.err = msg
	}
	return false
}

func (p *Scanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// Peek returns the next non-space byte, or 0 at the end.
func (p *Scanner) Peek() byte {
	p.ws()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// plainByte marks the bytes a string may contain without a closer look:
// printable ASCII except '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string and returns its raw content (between the quotes,
// escapes untouched) and whether it contains escapes.
func (p *Scanner) str() (raw string, esc, ok bool) {
	s := p.s
	if p.i >= len(s) || s[p.i] != '"' {
		return "", false, p.Fail("expected a string")
	}
	start := p.i + 1
	i := start
	for {
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if i >= len(s) {
			return "", false, p.Fail("unterminated string")
		}
		switch c := s[i]; {
		case c == '"':
			p.i = i + 1
			return s[start:i], esc, true
		case c == '\\':
			esc = true
			if i+1 >= len(s) {
				return "", false, p.Fail("unterminated escape")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r, ok := hex4(s, i+2)
				if !ok {
					return "", false, p.Fail(`bad \u escape`)
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 {
						return "", false, p.Fail("lone low surrogate")
					}
					if i+1 >= len(s) || s[i] != '\\' || s[i+1] != 'u' {
						return "", false, p.Fail("lone high surrogate")
					}
					r2, ok := hex4(s, i+2)
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						return "", false, p.Fail("lone high surrogate")
					}
					i += 6
				}
			default:
				return "", false, p.Fail("invalid escape")
			}
		case c < 0x20:
			return "", false, p.Fail("control character in string")
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 {
				return "", false, p.Fail("invalid UTF-8")
			}
			i += size
		}
	}
}

// StringValue reads a string value and returns it unescaped. It allocates
// only when the string contains escapes.
func (p *Scanner) StringValue() (string, bool) {
	raw, esc, ok := p.str()
	if !ok {
		return "", false
	}
	if esc {
		return unescape(raw), true
	}
	return raw, true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unescape decodes the content of a string already validated by str.
func unescape(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, _ := hex4(raw, i+2)
			if utf16.IsSurrogate(r) {
				r2, _ := hex4(raw, i+8)
				r = utf16.DecodeRune(r, r2)
				i += 6
			}
			b.WriteRune(r)
			i += 6
			continue
		default: // '"', '\\', '/'
			b.WriteByte(raw[i+1])
		}
		i += 2
	}
	return b.String()
}

// Number reads a JSON number and returns its text.
func (p *Scanner) Number() (string, bool) {
	s, start := p.s, p.i
	i := start
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	default:
		return "", p.Fail("bad number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", p.Fail("bad number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return "", p.Fail("bad number")
		}
	}
	p.i = i
	return s[start:i], true
}

func (p *Scanner) literal(lit string) bool {
	if !strings.HasPrefix(p.s[p.i:], lit) {
		return p.Fail("invalid literal")
	}
	p.i += len(lit)
	return true
}

// Value validates and skips any JSON value.
func (p *Scanner) Value() bool {
	switch c := p.Peek(); {
	case c == '{':
		return p.Object(nil)
	case c == '[':
		return p.Array(nil)
	case c == '"':
		_, _, ok := p.str()
		return ok
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		_, ok := p.Number()
		return ok
	case c == 0:
		return p.Fail("unexpected end of JSON")
	default:
		return p.Fail("unexpected character")
	}
}

// Object reads an object. For each member, member (if not nil) is called
// with the unescaped name and the scanner positioned at the value; it
// must consume the value. Duplicate names are refused.
func (p *Scanner) Object(member func(name string) bool) bool {
	if p.Peek() != '{' {
		return p.Fail("expected an object")
	}
	p.depth++
	if p.depth > MaxJSONDepth {
		return p.Fail("JSON nested too deeply")
	}
	p.i++
	var small [maxNamesLinear]string
	names := small[:0]
	var set map[string]struct{}
	if p.Peek() == '}' {
		p.i++
		p.depth--
		return true
	}
	for {
		p.ws()
		name, ok := p.StringValue()
		if !ok {
			return false
		}
		if set != nil {
			if _, dup := set[name]; dup {
				return p.Fail("duplicate member " + quoteName(name))
			}
			set[name] = struct{}{}
		} else {
			for _, n := range names {
				if n == name {
					return p.Fail("duplicate member " + quoteName(name))
				}
			}
			if len(names) < cap(names) {
				names = append(names, name)
			} else {
				set = make(map[string]struct{}, 2*maxNamesLinear)
				for _, n := range names {
					set[n] = struct{}{}
				}
				set[name] = struct{}{}
			}
		}
		if p.Peek() != ':' {
			return p.Fail("expected ':'")
		}
		p.i++
		p.ws()
		if member != nil {
			if !member(name) {
				return false
			}
		} else if !p.Value() {
			return false
		}
		switch p.Peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return true
		default:
			return p.Fail("expected ',' or '}'")
		}
	}
}

// Array reads an array, calling elem (if not nil) at each element; elem
// must consume it.
func (p *Scanner) Array(elem func() bool) bool {
	if p.Peek() != '[' {
		return p.Fail("expected an array")
	}
	p.depth++
	if p.depth > MaxJSONDepth {
		return p.Fail("JSON nested too deeply")
	}
	p.i++
	if p.Peek() == ']' {
		p.i++
		p.depth--
		return true
	}
	for {
		p.ws()
		if elem != nil {
			if !elem() {
				return false
			}
		} else if !p.Value() {
			return false
		}
		switch p.Peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return true
		default:
			return p.Fail("expected ',' or ']'")
		}
	}
}

// End requires that only whitespace remains.
func (p *Scanner) End() bool {
	if p.Peek() != 0 || p.i != len(p.s) {
		return p.Fail("trailing data after JSON value")
	}
	return true
}

// RawValue validates one value and returns its JSON text.
func (p *Scanner) RawValue() (string, bool) {
	start := p.i
	if !p.Value() {
		return "", false
	}
	return p.s[start:p.i], true
}

// quoteName renders an attacker-supplied name for an error detail,
// truncated.
func quoteName(s string) string { return strconv.Quote(Truncate(s, 64)) }
