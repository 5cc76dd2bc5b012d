package verify_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/verify"
)

func TestNewClaims(t *testing.T) {
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		raw     string
		wantErr bool
	}{
		{name: "object", raw: `{"sub":"u","phone_number":"+4799999999"}`},
		{name: "empty means {}", raw: ``},
		{name: "array", raw: `[1]`, wantErr: true},
		{name: "string", raw: `"x"`, wantErr: true},
		{name: "duplicate member", raw: `{"sub":"a","sub":"b"}`, wantErr: true},
		{name: "trailing data", raw: `{} {}`, wantErr: true},
		{name: "invalid UTF-8", raw: "{\"sub\":\"\xff\"}", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := verify.Claims{Subject: "u", ExpiresAt: exp, Scopes: []string{"a", "b"}, Audience: []string{"x"}}
			c, err := verify.NewClaims(in, []byte(tt.raw))
			if tt.wantErr {
				if err == nil {
					t.Fatal("NewClaims accepted", tt.raw)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != "u" || !c.ExpiresAt.Equal(exp) || !c.HasScope("b") || c.Audience[0] != "x" {
				t.Fatalf("claims = %+v", c)
			}
			in.Scopes[0] = "changed"
			if c.Scopes[0] != "a" {
				t.Fatal("NewClaims shares the caller's ScopeRule")
			}
			var m map[string]any
			if err := c.Decode(&m); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestScopesValidate(t *testing.T) {
	tests := []struct {
		name string
		s    verify.ScopeRule
		ok   bool
	}{
		{name: "zero", ok: true},
		{name: "plain", s: verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}}, ok: true},
		{name: "empty", s: verify.ScopeRule{AllOf: []string{""}}},
		{name: "role with a space", s: verify.ScopeRule{AnyOf: []string{"Office Manager"}}, ok: true},
		{name: "leading space", s: verify.ScopeRule{AllOf: []string{" Office"}}},
		{name: "trailing space", s: verify.ScopeRule{AllOf: []string{"Office "}}},
		{name: "doubled space", s: verify.ScopeRule{AllOf: []string{"Office  Manager"}}},
		{name: "only a space", s: verify.ScopeRule{AllOf: []string{" "}}},
		{name: "tab", s: verify.ScopeRule{AllOf: []string{"Office\tManager"}}},
		{name: "non-ASCII", s: verify.ScopeRule{AllOf: []string{"läs"}}},
		{name: "control", s: verify.ScopeRule{AllOf: []string{"a\x00"}}},
		{name: "prefix", s: verify.ScopeRule{AnyPrefix: []string{"cx."}}, ok: true},
		{name: "prefix colon", s: verify.ScopeRule{AnyPrefix: []string{"sms.text:"}}, ok: true},
		{name: "prefix ends in a letter", s: verify.ScopeRule{AnyPrefix: []string{"admin"}}},
		{name: "prefix ends in a digit", s: verify.ScopeRule{AnyPrefix: []string{"v1"}}},
		{name: "prefix empty", s: verify.ScopeRule{AnyPrefix: []string{""}}},
		{name: "prefix with a space", s: verify.ScopeRule{AnyPrefix: []string{"Office ."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if err := (verify.ScopeRule{AllOf: []string{"a"}}).Check([]string{"b"}); !errors.Is(err, verify.ErrInsufficientScope) {
		t.Fatalf("Check = %v", err)
	}
}

func TestScopesCheck(t *testing.T) {
	tests := []struct {
		name    string
		need    verify.ScopeRule
		granted []string
		ok      bool
		str     string // String(), the RFC 6750 scope= value
	}{
		{name: "zero", ok: true},
		{name: "all-of", need: verify.ScopeRule{AllOf: []string{"a", "b"}}, granted: []string{"b", "a"}, ok: true, str: "a b"},
		{name: "all-of missing one", need: verify.ScopeRule{AllOf: []string{"a", "b"}}, granted: []string{"a"}, str: "a b"},
		{name: "role kept whole", need: verify.ScopeRule{AllOf: []string{"Office Manager"}}, granted: []string{"Office Manager"}, ok: true},
		{name: "role split is no match", need: verify.ScopeRule{AllOf: []string{"Office Manager"}}, granted: []string{"Office", "Manager"}},
		{name: "role needs exact case", need: verify.ScopeRule{AnyOf: []string{"Office Manager"}}, granted: []string{"office manager"}},
		{name: "prefix family", need: verify.ScopeRule{AnyPrefix: []string{"cx."}}, granted: []string{"cx.agent-calls"}, ok: true},
		{name: "prefix alone is a member", need: verify.ScopeRule{AnyPrefix: []string{"cx."}}, granted: []string{"cx."}, ok: true},
		{name: "prefix no member", need: verify.ScopeRule{AnyPrefix: []string{"cx."}}, granted: []string{"cxagent", "sms.cx.x"}},
		{name: "granted wildcard is a plain name", need: verify.ScopeRule{AnyOf: []string{"cx.agent-calls"}}, granted: []string{"cx.*"}, str: "cx.agent-calls"},
		{name: "granted wildcard meets no prefix", need: verify.ScopeRule{AnyPrefix: []string{"sms."}}, granted: []string{"*", "sms*"}},
		{name: "any-of or prefix", need: verify.ScopeRule{AnyOf: []string{"admin:all"}, AnyPrefix: []string{"cx."}}, granted: []string{"cx.queue-calls"}, ok: true, str: "admin:all"},
		{name: "all-of and prefix", need: verify.ScopeRule{AllOf: []string{"a"}, AnyPrefix: []string{"cx."}}, granted: []string{"cx.queue-calls"}, str: "a"},
		{name: "mixed role hides scope attr", need: verify.ScopeRule{AllOf: []string{"a"}, AnyOf: []string{"Office Manager"}}, granted: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.need.Validate(); err != nil {
				t.Fatal(err)
			}
			err := tt.need.Check(tt.granted)
			if (err == nil) != tt.ok {
				t.Fatalf("Check(%q) = %v, want ok=%v", tt.granted, err, tt.ok)
			}
			if err != nil && !errors.Is(err, verify.ErrInsufficientScope) {
				t.Fatalf("Check = %v, not insufficient_scope", err)
			}
			if got := tt.need.String(); got != tt.str {
				t.Fatalf("String() = %q, want %q", got, tt.str)
			}
		})
	}
}

// TestScopesDetail checks that a refusal's Detail names what was needed,
// unambiguously when the requirement has a role or a prefix.
func TestScopesDetail(t *testing.T) {
	tests := []struct {
		need verify.ScopeRule
		want string
	}{
		{verify.ScopeRule{AllOf: []string{"a", "b"}}, `need "a b"`},
		{verify.ScopeRule{AllOf: []string{"Office Manager"}}, `need all of ["Office Manager"]`},
		{verify.ScopeRule{AllOf: []string{"a"}, AnyPrefix: []string{"cx."}}, `need all of ["a"], any prefix ["cx."]`},
	}
	for _, tt := range tests {
		if err := tt.need.Check(nil); err == nil || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("Check(%+v) = %v, want ending %q", tt.need, err, tt.want)
		}
	}
}

// FuzzScopeRequirement builds requirements and grants from arbitrary
// values: Validate, Check and String never panic, a valid requirement's
// String is a safe header value, and Check agrees with a plain reading of
// the rules.
func FuzzScopeRequirement(f *testing.F) {
	f.Add("Office Manager", "cx.", "Office Manager")
	f.Add("a", "sms.text:", "sms.text:send_to_subscriber a")
	f.Add(" ", "admin", "administrator")
	f.Add("a\x00b", "\xff.", "a\x00b")
	f.Fuzz(func(t *testing.T, name, prefix, granted string) {
		need := verify.ScopeRule{AllOf: []string{name}, AnyPrefix: []string{prefix}}
		have := strings.Split(granted, " ")
		err := need.Check(have)
		if need.Validate() != nil {
			return
		}
		if s := need.String(); strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
			t.Fatalf("String() = %q", s)
		}
		ok := slices.Contains(have, name) && slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, prefix) })
		if (err == nil) != ok {
			t.Fatalf("Check(%q) = %v, want ok=%v", have, err, ok)
		}
	})
}

func TestScopeRuleClone(t *testing.T) {
	s := verify.ScopeRule{AllOf: []string{"a"}, AnyOf: []string{"b"}, AnyPrefix: []string{"cx."}}
	c := s.Clone()
	s.AllOf[0], s.AnyOf[0], s.AnyPrefix[0] = "x", "y", "z."
	if c.AllOf[0] != "a" || c.AnyOf[0] != "b" || c.AnyPrefix[0] != "cx." {
		t.Fatalf("clone shares slices with the original: %+v", c)
	}
	if z := (verify.ScopeRule{}).Clone(); z.AllOf != nil || z.AnyOf != nil || z.AnyPrefix != nil {
		t.Fatalf("zero clone = %+v, want zero", z)
	}
}
