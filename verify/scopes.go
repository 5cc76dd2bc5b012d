package verify

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// ScopeRule is a scope requirement: the token must carry every scope in AllOf
// and, when AnyOf or AnyPrefix is non-empty, at least one scope that is in
// AnyOf or starts with a prefix in AnyPrefix. The zero value requires
// nothing. Matching is exact, token by token ("admin" never matches
// "superadmin"); granted scopes are never read as patterns, so a granted
// "cx.*" is just the scope named "cx.*". [ScopeRule.Validate] lists the values
// a requirement may hold.
type ScopeRule struct {
	AllOf []string
	AnyOf []string
	// AnyPrefix names scope families: "cx." is met by any granted scope
	// starting with "cx.", such as "cx.agent-calls". Each prefix must end
	// in punctuation so that a family cannot swallow a longer word
	// ("admin" would match "administrator"; "admin:" cannot).
	AnyPrefix []string
}

// Check reports whether scopes satisfy s; on failure it returns an *Error
// with ReasonInsufficientScope and Required set to s.
func (s ScopeRule) Check(scopes []string) error {
	if s.satisfiedBy(scopes) {
		return nil
	}
	return &Error{Reason: ReasonInsufficientScope, Required: s, Detail: "need " + s.describe()}
}

func (s ScopeRule) satisfiedBy(scopes []string) bool {
	for _, want := range s.AllOf {
		if !containsString(scopes, want) {
			return false
		}
	}
	if len(s.AnyOf) == 0 && len(s.AnyPrefix) == 0 {
		return true
	}
	for _, want := range s.AnyOf {
		if containsString(scopes, want) {
			return true
		}
	}
	for _, p := range s.AnyPrefix {
		for _, have := range scopes {
			if strings.HasPrefix(have, p) {
				return true
			}
		}
	}
	return false
}

func (s ScopeRule) error(c *Claims) *Error {
	return &Error{Reason: ReasonInsufficientScope, Required: s, Issuer: c.Issuer, KID: c.KeyID,
		Detail: "need " + s.describe() + ", token has " + strconv.Quote(jose.Truncate(strings.Join(c.Scopes, " "), 256))}
}

// describe renders s for an Error's Detail: the quoted names, as
// before prefixes and roles existed, or each part labelled when the
// requirement has a prefix or a name with a space.
func (s ScopeRule) describe() string {
	if str := s.String(); len(s.AnyPrefix) == 0 && (str != "" || len(s.AllOf)+len(s.AnyOf) == 0) {
		return strconv.Quote(str)
	}
	var b strings.Builder
	for _, part := range []struct {
		name string
		list []string
	}{{"all of", s.AllOf}, {"any of", s.AnyOf}, {"any prefix", s.AnyPrefix}} {
		if len(part.list) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q", part.name, part.list)
	}
	return b.String()
}

// String renders the requirement for RFC 6750's scope= attribute: the
// AllOf scopes then the AnyOf scopes, space-separated. That attribute is a
// space-separated list of scope names, so it cannot carry a value with a
// space: when AllOf or AnyOf holds one ("Office Manager" would read as the
// two scopes "Office" and "Manager"), String returns "" and the transports
// leave the attribute out. AnyPrefix entries are families, not scopes a
// client could request, and are never listed.
func (s ScopeRule) String() string {
	for _, list := range [][]string{s.AllOf, s.AnyOf} {
		for _, sc := range list {
			if strings.Contains(sc, " ") {
				return ""
			}
		}
	}
	return strings.Join(append(append(make([]string, 0, len(s.AllOf)+len(s.AnyOf)), s.AllOf...), s.AnyOf...), " ")
}

// Validate reports whether s can be enforced. Every AllOf and AnyOf value
// must be printable ASCII (RFC 6749 §3.3 scope-token characters, plus the
// space) without leading, trailing or doubled spaces. A value with a space,
// such as the role "Office Manager", can only be met by a checker that
// keeps granted scopes whole (the JWT [Verifier] splits granted scope
// strings on spaces, so there it never matches). Every AnyPrefix value must
// be printable ASCII without spaces and end in punctuation (see
// [ScopeRule.AnyPrefix]). The transports call Validate once, when a
// requirement is configured.
func (s ScopeRule) Validate() error {
	for _, list := range [][]string{s.AllOf, s.AnyOf} {
		for _, sc := range list {
			if err := validScope(sc, true); err != nil {
				return err
			}
		}
	}
	for _, p := range s.AnyPrefix {
		if err := validScope(p, false); err != nil {
			return fmt.Errorf("prefix: %w", err)
		}
		if last := p[len(p)-1]; last >= '0' && last <= '9' || last >= 'A' && last <= 'Z' || last >= 'a' && last <= 'z' {
			return fmt.Errorf("prefix %q does not end in punctuation, so it would also match longer words", p)
		}
	}
	return nil
}

// Clone returns a copy of s that shares no slices with it, for a transport
// that keeps a requirement given in its configuration.
func (s ScopeRule) Clone() ScopeRule {
	return ScopeRule{AllOf: slices.Clone(s.AllOf), AnyOf: slices.Clone(s.AnyOf), AnyPrefix: slices.Clone(s.AnyPrefix)}
}

func validScope(sc string, spaces bool) error {
	if sc == "" {
		return errors.New("empty scope")
	}
	for i := 0; i < len(sc); i++ {
		switch c := sc[i]; {
		case c == ' ' && spaces:
			if i == 0 || i == len(sc)-1 || sc[i-1] == ' ' {
				return fmt.Errorf("scope %q has a leading, trailing or doubled space", sc)
			}
		case c <= 0x20 || c >= 0x7f:
			return fmt.Errorf("scope %q has characters other than visible ASCII and inner spaces", sc)
		}
	}
	return nil
}
