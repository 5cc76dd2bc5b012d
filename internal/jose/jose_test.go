package jose

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// FuzzBase64 checks DecodeSegment against base64.RawURLEncoding.Strict(),
// which it must match on every input over the base64url alphabet (and
// refuse everything else).
func FuzzBase64(f *testing.F) {
	for _, s := range []string{"", "A", "AA", "AB", "AAA", "AAB", "AAAA", "VGVzdA", "VGVzdB", "a\r\nb", "a=", "+/"} {
		f.Add(s)
	}
	strict := base64.RawURLEncoding.Strict()
	f.Fuzz(func(t *testing.T, s string) {
		buf := make([]byte, len(s))
		n, ok := DecodeSegment(buf, s)
		want, err := strict.DecodeString(s)
		inAlphabet := !strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune(b64Alphabet, r) })
		switch {
		case ok && (err != nil || string(buf[:n]) != string(want)):
			t.Fatalf("DecodeSegment(%q) = %x, stdlib %x %v", s, buf[:n], want, err)
		case !ok && err == nil && inAlphabet:
			t.Fatalf("DecodeSegment(%q) refused, stdlib accepts %x", s, want)
		case ok && !inAlphabet:
			t.Fatalf("DecodeSegment(%q) accepted a character outside the alphabet", s)
		case !ok && n != 0:
			t.Fatalf("DecodeSegment(%q) refused but reported %d bytes", s, n)
		}
	})
}

// FuzzJSONScanner: the scanner never panics, and when it accepts a
// document encoding/json/v2 semantics agree it is one object without
// duplicate names.
func FuzzJSONScanner(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"a":"\u0061","\u0061":1}`, `{"a":[1,{"b":null}]}`, `{"a":1e400}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `[]`, `{"a":01}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NewScanner(s)
		ok := p.Object(nil) && p.End()
		if !ok && p.Err() == "JSON nested too deeply" {
			return // our limit (64) is lower than jsontext's (10000)
		}
		if ok != jsonv2Valid(s) {
			t.Fatalf("scanner=%v jsonv2=%v for %q (%s)", ok, !ok, s, p.Err())
		}
	})
}

func jsonv2Valid(s string) bool {
	d := jsontext.NewDecoder(strings.NewReader(s))
	v, err := d.ReadValue()
	if err != nil || v.Kind() != '{' {
		return false
	}
	_, err = d.ReadToken()
	return err == io.EOF
}

// TestDecodeSegmentRoundTrip decodes every length up to 64 bytes, covering the
// 8-character, 4-character and tail paths and exact-size buffers.
func TestDecodeSegmentRoundTrip(t *testing.T) {
	for n := range 64 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i*37 + n)
		}
		s := base64.RawURLEncoding.EncodeToString(src)
		dst := make([]byte, DecodedLen(len(s)))
		m, ok := DecodeSegment(dst, s)
		if !ok || string(dst[:m]) != string(src) {
			t.Fatalf("DecodeSegment(%q) = %x, %v; want %x", s, dst[:m], ok, src)
		}
		if n > 0 {
			if _, ok := DecodeSegment(dst[:len(dst)-1], s); ok {
				t.Fatalf("DecodeSegment into a short buffer succeeded (n=%d)", n)
			}
		}
	}
}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		sec  int64
		nsec int64
	}{
		{"0", true, 0, 0}, {"-0", true, 0, 0}, {"1700000000", true, 1700000000, 0},
		{"1700000000.5", true, 1700000000, 500000000}, {"1700000000.123456789", true, 1700000000, 123456789},
		{"1700000000.1234567891", true, 1700000000, 123456790}, {"1.7e9", true, 1700000000, 0},
		{"17E8", true, 1700000000, 0}, {"1700000000e0", true, 1700000000, 0}, {"17000000000e-1", true, 1700000000, 0},
		{"1e-9", true, 0, 1}, {"1e-10", true, 0, 1}, {"0.0000000000", true, 0, 0},
		{"253402300799", true, 253402300799, 0}, {"253402300799.5", true, 253402300799, 500000000},
		{"253402300800", false, 0, 0}, {"1e12", false, 0, 0}, {"1e400", false, 0, 0}, {"1e999999999999", false, 0, 0},
		{"-1", false, 0, 0}, {"-0.5", false, 0, 0}, {"00012", true, 12, 0},
		{"", false, 0, 0}, {"1x", false, 0, 0},
	}
	for _, tt := range tests {
		got, ok := ParseNumericDate(tt.in)
		if ok != tt.ok || (ok && (got.Unix() != tt.sec || int64(got.Nanosecond()) != tt.nsec)) {
			t.Errorf("ParseNumericDate(%q) = %v (%d.%09d), %v; want %d.%09d, %v", tt.in, got, got.Unix(), got.Nanosecond(), ok, tt.sec, tt.nsec, tt.ok)
		}
	}
}
