package connectguard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

func TestUnary(t *testing.T) {
	good := tokentest.Token(t, "sms.read")
	scoped := map[string]verify.ScopeRule{procWho: {AllOf: []string{"sms.read"}}}
	expired := tokentest.Claims("sms.read")
	expired["exp"] = tokentest.Now().Add(-time.Minute).Unix()
	wrongAud := tokentest.Claims("sms.read")
	wrongAud["aud"] = []string{"https://elsewhere.test/"}
	tests := []struct {
		name      string
		keys      jwks.Source
		procs     map[string]verify.ScopeRule
		deny      bool
		procedure string
		auth      []string
		want      connect.Code // 0: OK
		wantIs    error
		wantWho   string
	}{
		{name: "no header", procedure: procWho, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrMissingToken},
		{name: "basic scheme", procedure: procWho, auth: []string{"Basic dXNlcjpwYXNz"}, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrMissingToken},
		{name: "two headers", procedure: procWho, auth: []string{"Bearer " + good, "Bearer " + good}, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrInvalidRequest},
		{name: "bearer without token", procedure: procWho, auth: []string{"Bearer"}, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrInvalidRequest},
		{name: "two tokens", procedure: procWho, auth: []string{"Bearer " + good + " " + good}, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrInvalidRequest},
		{name: "not b64token", procedure: procWho, auth: []string{"Bearer a,b"}, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrInvalidRequest},
		{name: "not a JWT", procedure: procWho, auth: []string{"Bearer abc"}, want: connect.CodeUnauthenticated, wantIs: verify.ErrMalformed},
		{name: "expired", procedure: procWho, auth: []string{"Bearer " + tokentest.Sign(t, testkeys.RSA2048(0), tokentest.KID, expired)}, want: connect.CodeUnauthenticated, wantIs: verify.ErrExpired},
		{name: "wrong key", procedure: procWho, auth: []string{"Bearer " + tokentest.Sign(t, testkeys.RSA2048(1), tokentest.KID, tokentest.Claims("sms.read"))}, want: connect.CodeUnauthenticated, wantIs: verify.ErrInvalidSignature},
		{name: "wrong audience", procedure: procWho, auth: []string{"Bearer " + tokentest.Sign(t, testkeys.RSA2048(0), tokentest.KID, wrongAud)}, want: connect.CodeUnauthenticated, wantIs: verify.ErrInvalidAudience},
		{name: "keys unavailable", keys: downKeys{}, procedure: procWho, auth: []string{"Bearer " + good}, want: connect.CodeUnavailable, wantIs: verify.ErrUnavailable},
		{name: "missing scope", procedure: procWho, auth: []string{"Bearer " + tokentest.Token(t, "sms.write")}, want: connect.CodePermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "scope is not a prefix match", procedure: procWho, auth: []string{"Bearer " + tokentest.Token(t, "sms.readall")}, want: connect.CodePermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "scope present", procedure: procWho, auth: []string{"Bearer " + good}, wantWho: "sub=client-1 scopes=sms.read"},
		{name: "scheme case-insensitive", procedure: procWho, auth: []string{"bEARER " + good}, wantWho: "sub=client-1 scopes=sms.read"},
		{name: "any-of met", procs: map[string]verify.ScopeRule{procWho: {AnyOf: []string{"a", "b"}}}, procedure: procWho, auth: []string{"Bearer " + tokentest.Token(t, "b")}, wantWho: "sub=client-1 scopes=b"},
		{name: "prefix family met", procs: map[string]verify.ScopeRule{procWho: {AnyPrefix: []string{"cx."}}}, procedure: procWho, auth: []string{"Bearer " + tokentest.Token(t, "cx.calls")}, wantWho: "sub=client-1 scopes=cx.calls"},
		{name: "prefix family not met", procs: map[string]verify.ScopeRule{procWho: {AnyPrefix: []string{"cx."}}}, procedure: procWho, auth: []string{"Bearer " + good}, want: connect.CodePermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "unlisted token-only", procedure: procOpen, auth: []string{"Bearer " + tokentest.Token(t)}, wantWho: "sub=client-1 scopes="},
		{name: "unlisted token-only without token", procedure: procOpen, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrMissingToken},
		{name: "deny unlisted", deny: true, procedure: procOpen, auth: []string{"Bearer " + good}, want: connect.CodePermissionDenied, wantIs: connectguard.ErrUnlistedProcedure},
		{name: "deny unlisted without token", deny: true, procedure: procOpen, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrMissingToken},
		{name: "deny unlisted, listed procedure", deny: true, procedure: procWho, auth: []string{"Bearer " + good}, wantWho: "sub=client-1 scopes=sms.read"},
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					procs := tt.procs
					if procs == nil {
						procs = scoped
					}
					rec := &rejections{}
					i, err := connectguard.New(connectguard.Config{Checker: newVerifier(t, tt.keys), Procedures: procs, DenyUnlisted: tt.deny, OnReject: rec.record})
					if err != nil {
						t.Fatal(err)
					}
					s := startServer(t, i)
					got, err := callUnary(t.Context(), s, tt.procedure, p.opts, tt.auth)
					checkRefusal(t, err, tt.want, rec, tt.procedure, tt.wantIs)
					wantCalls := int64(0)
					if tt.want == 0 {
						wantCalls = 1
					}
					if n := s.calls.Load(); n != wantCalls {
						t.Errorf("handler ran %d times, want %d", n, wantCalls)
					}
					if tt.wantWho != "" && got != tt.wantWho {
						t.Errorf("handler saw %q, want %q", got, tt.wantWho)
					}
				})
			}
		})
	}
}

func TestStream(t *testing.T) {
	procs := map[string]verify.ScopeRule{procWhoSteam: {AllOf: []string{"events.read"}}}
	tests := []struct {
		name   string
		keys   jwks.Source
		auth   []string
		want   connect.Code
		wantIs error
	}{
		{name: "no header", want: connect.CodeUnauthenticated, wantIs: connectguard.ErrMissingToken},
		{name: "two headers", auth: []string{"Bearer a", "Bearer b"}, want: connect.CodeUnauthenticated, wantIs: connectguard.ErrInvalidRequest},
		{name: "bad token", auth: []string{"Bearer " + tokentest.Sign(t, testkeys.RSA2048(1), tokentest.KID, tokentest.Claims("events.read"))}, want: connect.CodeUnauthenticated, wantIs: verify.ErrInvalidSignature},
		{name: "missing scope", auth: []string{"Bearer " + tokentest.Token(t, "sms.read")}, want: connect.CodePermissionDenied, wantIs: verify.ErrInsufficientScope},
		{name: "keys unavailable", keys: downKeys{}, auth: []string{"Bearer " + tokentest.Token(t, "events.read")}, want: connect.CodeUnavailable, wantIs: verify.ErrUnavailable},
		{name: "ok", auth: []string{"Bearer " + tokentest.Token(t, "events.read")}},
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rec := &rejections{}
					i, err := connectguard.New(connectguard.Config{Checker: newVerifier(t, tt.keys), Procedures: procs, OnReject: rec.record})
					if err != nil {
						t.Fatal(err)
					}
					s := startServer(t, i)
					got, err := callStream(t.Context(), s, p.opts, tt.auth)
					checkRefusal(t, err, tt.want, rec, procWhoSteam, tt.wantIs)
					if tt.want == 0 {
						want := "sub=client-1 scopes=events.read"
						if len(got) != 3 || got[0] != want || got[2] != want {
							t.Errorf("stream sent %q, want 3 × %q", got, want)
						}
					} else if len(got) != 0 || s.calls.Load() != 0 {
						t.Errorf("refused stream reached the handler: %q", got)
					}
				})
			}
		})
	}
}

// TestOpaqueChecker proves any verify.Checker works, and that a checker
// failure without a Reason is Unavailable, not the client's fault.
func TestOpaqueChecker(t *testing.T) {
	claims := verify.Claims{Subject: "client-9", Scopes: []string{"sms.read"}}
	tests := []struct {
		name    string
		checker tokentest.OpaqueChecker
		auth    string
		want    connect.Code
	}{
		{"known", tokentest.OpaqueChecker{Tokens: map[string]verify.Claims{"opaque-1": claims}}, "Bearer opaque-1", 0},
		{"unknown", tokentest.OpaqueChecker{Tokens: map[string]verify.Claims{"opaque-1": claims}}, "Bearer opaque-2", connect.CodeUnauthenticated},
		{"down", tokentest.OpaqueChecker{Down: true}, "Bearer opaque-1", connect.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &rejections{}
			i, err := connectguard.New(connectguard.Config{Checker: tt.checker,
				Procedures: map[string]verify.ScopeRule{procWho: {AllOf: []string{"sms.read"}}}, OnReject: rec.record})
			if err != nil {
				t.Fatal(err)
			}
			got, err := callUnary(t.Context(), startServer(t, i), procWho, nil, []string{tt.auth})
			checkRefusal(t, err, tt.want, rec, procWho, nil)
			if tt.want == 0 && got != "sub=client-9 scopes=sms.read" {
				t.Errorf("handler saw %q", got)
			}
		})
	}
}

func TestUnavailableVersusCallerGone(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		keys jwks.Source
		ctx  func(*testing.T) context.Context
		want connect.Code
	}{
		{"keys down", downKeys{}, func(t *testing.T) context.Context { return t.Context() }, connect.CodeUnavailable},
		{"deadline passed while waiting for keys", blockedKeys{}, pastDeadline, connect.CodeDeadlineExceeded},
		{"caller canceled", blockedKeys{}, func(*testing.T) context.Context { return canceled }, connect.CodeCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, err := connectguard.New(connectguard.Config{Checker: newVerifier(t, tt.keys)})
			if err != nil {
				t.Fatal(err)
			}
			// Called directly: a real client would not send a call whose
			// deadline has passed.
			call := i.WrapUnary(func(context.Context, connect.AnyRequest) (connect.AnyResponse, error) {
				t.Error("handler ran")
				return nil, nil
			})
			req := connect.NewRequest(&struct{}{})
			req.Header().Set("Authorization", "Bearer "+tokentest.Token(t))
			_, err = call(tt.ctx(t), req)
			if got := connect.CodeOf(err); got != tt.want {
				t.Fatalf("code %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

func TestSkip(t *testing.T) {
	i, err := connectguard.New(connectguard.Config{
		Checker:    newVerifier(t, nil),
		Procedures: map[string]verify.ScopeRule{procWho: {AllOf: []string{"never.granted"}}},
		Skip:       func(_ context.Context, p string) bool { return p == procOpen },
	})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, i)
	if got, err := callUnary(t.Context(), s, procOpen, nil, nil); err != nil || got != "anonymous" {
		t.Errorf("skipped procedure: %q, %v", got, err)
	}
	if _, err := callUnary(t.Context(), s, procWho, nil, []string{"Bearer " + tokentest.Token(t)}); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Errorf("not skipped: %v", err)
	}
}

func TestNew(t *testing.T) {
	v := newVerifier(t, nil)
	tests := []struct {
		name string
		cfg  connectguard.Config
		want string
	}{
		{"no checker", connectguard.Config{}, "Checker is required"},
		{"no leading slash", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{"test.v1.WhoService/Who": {}}}, "not a procedure name"},
		{"no method", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{"/test.v1.WhoService/": {}}}, "not a procedure name"},
		{"no service", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{"//Who": {}}}, "not a procedure name"},
		{"extra slash", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{"/test.v1.WhoService/Who/": {}}}, "not a procedure name"},
		{"service only", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{"/test.v1.WhoService": {}}}, "not a procedure name"},
		{"empty scope", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{procWho: {AllOf: []string{""}}}}, "empty scope"},
		{"scope with doubled space", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{procWho: {AnyOf: []string{"a  b"}}}}, "doubled space"},
		{"scope with a control character", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{procWho: {AnyOf: []string{"a\nb"}}}}, "visible ASCII"},
		{"scope non-ASCII", connectguard.Config{Checker: v, Procedures: map[string]verify.ScopeRule{procWho: {AllOf: []string{"sms.läs"}}}}, "visible ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := connectguard.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
