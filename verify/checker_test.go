package verify_test

import (
	"errors"
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
				t.Fatal("NewClaims shares the caller's Scopes")
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
		s    verify.Scopes
		ok   bool
	}{
		{name: "zero", ok: true},
		{name: "plain", s: verify.Scopes{AllOf: []string{"sms.text:send_to_subscriber"}}, ok: true},
		{name: "empty", s: verify.Scopes{AllOf: []string{""}}},
		{name: "space", s: verify.Scopes{AnyOf: []string{"a b"}}},
		{name: "non-ASCII", s: verify.Scopes{AllOf: []string{"läs"}}},
		{name: "control", s: verify.Scopes{AllOf: []string{"a\x00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if err := (verify.Scopes{AllOf: []string{"a"}}).Check([]string{"b"}); !errors.Is(err, verify.ErrInsufficientScope) {
		t.Fatalf("Check = %v", err)
	}
}
