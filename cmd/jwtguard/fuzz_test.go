package main

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzTokenArg feeds arbitrary standard input (attacker-influenced: tokens
// are pasted from logs and headers) through token extraction, the
// unverified iss hint and the one-line rendering used for verdicts.
func FuzzTokenArg(f *testing.F) {
	for _, s := range []string{"", "-", " Bearer abc.def.ghi\n", "Authorization: Bearer x.y.z", `{"access_token":"x.y.z"}`, `{"access_token":1}`, "bearer", "BEARER  x", "a\x00b", "e30.eyJpc3MiOiJ4XG4ifQ.c2ln", "\u2028tok\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tok, _, err := tokenArg([]string{"-"}, strings.NewReader(in))
		if err == nil {
			if tok == "" || tok != strings.TrimSpace(tok) {
				t.Errorf("tokenArg(%q) = %q: empty or untrimmed", in, tok)
			}
			if len(tok) > len(in) {
				t.Errorf("tokenArg(%q) = %q grew", in, tok)
			}
		}
		if iss := unverifiedIssuer(in); strings.IndexFunc(iss, unicode.IsControl) >= 0 {
			t.Errorf("unverifiedIssuer(%q) = %q keeps a control character", in, iss)
		}
		line := oneLine(in)
		if strings.IndexFunc(line, unicode.IsControl) >= 0 {
			t.Errorf("oneLine(%q) = %q keeps a control character", in, line)
		}
		if utf8.ValidString(in) && utf8.RuneCountInString(line) != utf8.RuneCountInString(in) {
			t.Errorf("oneLine(%q) changed the length", in)
		}
	})
}
