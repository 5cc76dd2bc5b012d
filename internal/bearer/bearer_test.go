package bearer

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		want    string
		wantErr error
	}{
		// Accepted shapes.
		{"canonical", []string{"Bearer " + tok}, tok, nil},
		{"lower-case scheme (RFC 9110 §11.1 case-insensitive)", []string{"bearer " + tok}, tok, nil},
		{"upper-case scheme", []string{"BEARER " + tok}, tok, nil},
		{"mixed-case scheme", []string{"bEaReR " + tok}, tok, nil},
		{"several spaces after scheme (1*SP)", []string{"Bearer    " + tok}, tok, nil},
		{"surrounding OWS trimmed", []string{" \t Bearer " + tok + " \t"}, tok, nil},
		{"padding allowed at the end", []string{"Bearer abc=="}, "abc==", nil},
		{"every b64token char", []string{"Bearer AZaz09-._~+/="}, "AZaz09-._~+/=", nil},

		// No credentials: RFC 6750 says no error code.
		{"nil values", nil, "", ErrMissing},
		{"empty slice", []string{}, "", ErrMissing},
		{"empty value", []string{""}, "", ErrMissing},
		{"whitespace-only value", []string{" \t "}, "", ErrMissing},
		{"Basic scheme is not ours", []string{"Basic dXNlcjpwYXNz"}, "", ErrMissing},
		{"Digest scheme", []string{`Digest username="x"`}, "", ErrMissing},
		{"DPoP scheme is not Bearer", []string{"DPoP " + tok}, "", ErrMissing},
		{"bare token without scheme", []string{tok}, "", ErrMissing},
		{"scheme shorter than Bearer", []string{"Bear " + tok}, "", ErrMissing},
		{"scheme with non-ASCII look-alike (Cyrillic e)", []string{"B\u0435arer " + tok}, "", ErrMissing},
		{"leading garbage before scheme", []string{"xBearer " + tok}, "", ErrMissing},

		// Malformed or ambiguous: invalid_request.
		{"two Authorization values", []string{"Bearer " + tok, "Bearer " + tok}, "", ErrInvalidRequest},
		{"Bearer and Basic values (two methods)", []string{"Basic dXNlcjpwYXNz", "Bearer " + tok}, "", ErrInvalidRequest},
		{"two empty values", []string{"", ""}, "", ErrInvalidRequest},
		{"Bearer without token", []string{"Bearer"}, "", ErrInvalidRequest},
		{"Bearer with trailing spaces only", []string{"Bearer   "}, "", ErrInvalidRequest},
		{"lower-case bearer without token", []string{"bearer"}, "", ErrInvalidRequest},
		{"Bearer<tok> without SP (jwx #1859)", []string{"Bearer" + tok}, "", ErrInvalidRequest},
		{"Bearer, HTAB as separator is not SP", []string{"Bearer\t" + tok}, "", ErrInvalidRequest},
		{"Bearer followed by HTAB after SP", []string{"Bearer \t" + tok}, "", ErrInvalidRequest},
		{"two tokens", []string{"Bearer " + tok + " " + tok}, "", ErrInvalidRequest},
		{"two credentials comma-joined in one value", []string{"Bearer " + tok + ", Bearer " + tok}, "", ErrInvalidRequest},
		{"double scheme", []string{"Bearer Bearer " + tok}, "", ErrInvalidRequest},
		{"only padding", []string{"Bearer ==="}, "", ErrInvalidRequest},
		{"padding in the middle", []string{"Bearer ab=cd"}, "", ErrInvalidRequest},
		{"quoted token (auth-param syntax)", []string{`Bearer "` + tok + `"`}, "", ErrInvalidRequest},
		{"auth-param instead of token", []string{"Bearer token=" + tok + ",x=y"}, "", ErrInvalidRequest},
		{"NUL byte in token", []string{"Bearer abc\x00def"}, "", ErrInvalidRequest},
		{"CR LF injection in token", []string{"Bearer abc\r\nX-Admin: 1"}, "", ErrInvalidRequest},
		{"non-ASCII in token", []string{"Bearer abc\u00e9"}, "", ErrInvalidRequest},
		{"invalid UTF-8 in token", []string{"Bearer abc\xff"}, "", ErrInvalidRequest},
		{"percent-encoded token is not decoded", []string{"Bearer abc%2Edef"}, "", ErrInvalidRequest},
		{"Bearer-prefixed other scheme", []string{"Bearerx " + tok}, "", ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.values)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Parse(%q) = %q, %v; want %q, %v", tt.values, got, err, tt.want, tt.wantErr)
			}
			if err != nil && errors.Is(err, ErrMissing) == errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Parse(%q) error %v matches both or neither sentinel", tt.values, err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "bearer: ") {
				t.Fatalf("Parse(%q) error %q lacks the package prefix", tt.values, err)
			}
		})
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	inputs := [][]string{
		{"Bearer " + tok},
		{"Basic x"},
		{"Bearer a b"},
		{"a", "b"},
	}
	for _, in := range inputs {
		if n := testing.AllocsPerRun(100, func() { _, _ = Parse(in) }); n != 0 {
			t.Errorf("Parse(%q) allocates %v times, want 0", in, n)
		}
	}
}

// reference is an independent oracle written from RFC 6750 §2.1 with a
// regular expression (the implementation uses none).
var reference = regexp.MustCompile(`^[ \t]*(?i:bearer) +([A-Za-z0-9\-._~+/]+=*)[ \t]*$`)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Bearer " + tok, "bearer abc", "Bearer", "Bearer ", "Bearerabc", "Basic abc",
		"Bearer a b", "Bearer ab=c", " Bearer abc= ", "Bearer\tabc", "", "\t", "BEARER  a==",
	} {
		f.Add(s, false)
	}
	f.Add("Bearer abc", true)
	f.Fuzz(func(t *testing.T, v string, twice bool) {
		values := []string{v}
		if twice {
			values = append(values, v)
		}
		got, err := Parse(values)
		// Extract then Check decides exactly as Parse.
		xtok, xerr := Extract(values)
		if xerr == nil {
			xerr = Check(xtok)
		}
		if xerr != err || (err == nil && xtok != got) {
			t.Fatalf("Extract+Check(%q) = %q, %v; Parse: %q, %v", values, xtok, xerr, got, err)
		}
		// ExtractScheme agrees with Extract on Bearer, and reads "DPoP"
		// as Extract reads "Bearer".
		sch, stok, serr := ExtractScheme(values)
		btok, berr := Extract(values)
		switch {
		case berr == nil && (sch != SchemeBearer || stok != btok || serr != nil):
			t.Fatalf("ExtractScheme(%q) = %v, %q, %v; Extract: %q", values, sch, stok, serr, btok)
		case sch == SchemeDPoP:
			as := "Bearer" + strings.TrimLeft(v, " \t")[len("DPoP"):]
			if bt, err := Extract(append([]string{as}, values[1:]...)); err != nil || bt != stok {
				t.Fatalf("ExtractScheme(%q) = DPoP %q; as Bearer: %q, %v", values, stok, bt, err)
			}
		}
		if twice {
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Parse(two values %q) = %q, %v; want ErrInvalidRequest", v, got, err)
			}
			return
		}
		m := reference.FindStringSubmatch(v)
		switch {
		case m != nil && (err != nil || got != m[1]):
			t.Fatalf("Parse(%q) = %q, %v; reference accepts %q", v, got, err, m[1])
		case m == nil && err == nil:
			t.Fatalf("Parse(%q) = %q, nil; reference refuses", v, got)
		case err != nil && errors.Is(err, ErrMissing) == errors.Is(err, ErrInvalidRequest):
			t.Fatalf("Parse(%q) error %v matches both or neither sentinel", v, err)
		case err != nil && got != "":
			t.Fatalf("Parse(%q) returned token %q with error %v", v, got, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	long := "Bearer " + strings.Repeat("A", 16<<10)
	bad := "Bearer " + strings.Repeat("A", 16<<10) + "!"
	for _, bc := range []struct {
		name string
		v    []string
	}{
		{"valid", []string{"Bearer " + tok}},
		{"valid_16KiB", []string{long}},
		{"invalid_char_at_end_16KiB", []string{bad}},
		{"spaces_64KiB", []string{"Bearer" + strings.Repeat(" ", 64<<10) + "x"}},
		{"basic", []string{"Basic dXNlcjpwYXNz"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.v[0])))
			for b.Loop() {
				_, _ = Parse(bc.v)
			}
		})
	}
}

func TestIsToken(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"jwt", tok, true},
		{"padding at end", "ab==", true},
		{"empty", "", false},                    // 1* requires a character
		{"only padding", "==", false},           // 1* before padding
		{"padding in the middle", "a=b", false}, // '=' only trails
		{"space", "a b", false},                 // two tokens
		{"comma", "a,b", false},                 // list syntax
		{"quote", `"ab"`, false},                // quoted-string is not b64token
		{"percent", "a%2Eb", false},             // not URL-decoded here
		{"non-ASCII", "a\u00e9", false},         // outside the alphabet
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsToken(tt.in); got != tt.want {
				t.Fatalf("IsToken(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

var b64tokenRE = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// TestIsTokenEveryPosition puts one bad byte at every position of tokens
// longer than the eight-byte fast path, so each lane of the unrolled scan
// is checked, as is the padding boundary.
func TestIsTokenEveryPosition(t *testing.T) {
	for n := 1; n <= 19; n++ {
		for i := 0; i < n; i++ {
			for _, bad := range []byte{' ', '!', '=', 0x80, 0} {
				b := []byte(strings.Repeat("a", n))
				b[i] = bad
				s := string(b)
				want := b64tokenRE.MatchString(s)
				if got := IsToken(s); got != want {
					t.Fatalf("IsToken(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

func TestExtractScheme(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		scheme  Scheme
		want    string
		wantErr error
	}{
		{"Bearer", []string{"Bearer " + tok}, SchemeBearer, tok, nil},
		{"DPoP", []string{"DPoP " + tok}, SchemeDPoP, tok, nil},
		{"dpop in lower case", []string{"dpop " + tok}, SchemeDPoP, tok, nil},
		{"DPoP with OWS", []string{" \tDPoP   " + tok + " "}, SchemeDPoP, tok, nil},
		{"DPoP token with padding", []string{"DPoP abc=="}, SchemeDPoP, "abc==", nil},
		{"DPoP without token", []string{"DPoP"}, 0, "", ErrInvalidRequest},
		{"DPoP without space", []string{"DPoP" + tok}, 0, "", ErrInvalidRequest},
		{"DPoPx scheme", []string{"DPoPx " + tok}, 0, "", ErrInvalidRequest},
		{"DPoP with two tokens", []string{"DPoP a b"}, 0, "", ErrInvalidRequest},
		{"DPoP and Bearer values", []string{"DPoP " + tok, "Bearer " + tok}, 0, "", ErrInvalidRequest},
		{"DPo is another scheme", []string{"DPo " + tok}, 0, "", ErrMissing},
		{"Basic", []string{"Basic dXNlcjpwYXNz"}, 0, "", ErrMissing},
		{"none", nil, 0, "", ErrMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sch, got, err := ExtractScheme(tt.values)
			if sch != tt.scheme || got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ExtractScheme(%q) = %v, %q, %v; want %v, %q, %v", tt.values, sch, got, err, tt.scheme, tt.want, tt.wantErr)
			}
			// Extract still knows only Bearer.
			if _, err := Extract(tt.values); tt.scheme == SchemeDPoP && !errors.Is(err, ErrMissing) {
				t.Fatalf("Extract(%q) = %v; want ErrMissing", tt.values, err)
			}
		})
	}
}

func TestExtractSchemeDoesNotAllocate(t *testing.T) {
	for _, in := range [][]string{{"DPoP " + tok}, {"Bearer " + tok}, {"DPoP"}} {
		if n := testing.AllocsPerRun(100, func() { _, _, _ = ExtractScheme(in) }); n != 0 {
			t.Errorf("ExtractScheme(%q) allocates %v times, want 0", in, n)
		}
	}
}
