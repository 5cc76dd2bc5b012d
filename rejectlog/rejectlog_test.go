package rejectlog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/internal/tokentest"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/rejectlog"
	"github.com/jwtguard/jwtguard/verify"
)

func TestReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"verify error", &verify.Error{Reason: verify.ReasonExpired}, "expired"},
		{"wrapped verify error", fmt.Errorf("x: %w", &verify.Error{Reason: verify.ReasonInsufficientScope}), "insufficient_scope"},
		{"missing", httpmw.ErrMissingToken, "missing_token"},
		{"invalid request", fmt.Errorf("two tokens: %w", grpcmw.ErrInvalidRequest), "invalid_request"},
		{"unlisted", grpcmw.ErrUnlistedMethod, "unlisted_method"},
		{"no method", grpcmw.ErrNoMethod, "no_method"},
		{"checker failure without a reason", errors.New("introspection: 502"), "unavailable"},
		{"verify error without a reason", &verify.Error{Detail: "?"}, "other"},
		{"nil", nil, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rejectlog.Reason(tt.err); got != tt.want {
				t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// downKeys cannot vouch for any key.
type downKeys struct{}

func (downKeys) Key(context.Context, string, string) (*jwks.Key, error) {
	return nil, fmt.Errorf("test: %w", jwks.ErrUnavailable)
}

// logLines returns a logger writing JSON lines without time into buf.
func logLines(buf *bytes.Buffer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}

func TestHTTP(t *testing.T) {
	good := tokentest.Token(t, "sms.read")
	tests := []struct {
		name  string
		keys  jwks.Source
		auth  string
		opts  rejectlog.Options
		level slog.Level // handler level
		want  string     // "" means no record
	}{
		{name: "missing", want: `level=INFO msg="jwtguard: request refused" transport=http method=GET path=/v1/sms status=401 reason=missing_token error="bearer: no bearer credentials: no authorization value"`},
		{name: "invalid request", auth: "Bearer a b", want: `reason=invalid_request`},
		{name: "bad signature", auth: "Bearer " + tokentest.Sign(t, testkeys.RSA2048(1), tokentest.KID, tokentest.Claims("sms.read")), want: `status=401 reason=invalid_signature error="verify: invalid_signature: signature does not verify"`},
		{name: "scope", auth: "Bearer " + tokentest.Token(t, "other"), want: `status=403 reason=insufficient_scope`},
		{name: "unavailable at warn", keys: downKeys{}, auth: "Bearer " + good, level: slog.LevelWarn, want: `level=WARN msg="jwtguard: request refused" transport=http method=GET path=/v1/sms status=503 reason=unavailable`},
		{name: "client fault below the handler level", auth: "Bearer abc", level: slog.LevelWarn},
		{name: "client fault at a chosen level", auth: "Bearer abc", opts: rejectlog.Options{Level: slog.LevelDebug}, level: slog.LevelDebug, want: `level=DEBUG msg="jwtguard: request refused"`},
		{name: "allowed", auth: "Bearer " + good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := tt.keys
			if keys == nil {
				keys = tokentest.StaticKeys(t)
			}
			v, err := verify.New(verify.Config{Issuers: []verify.Issuer{{Name: tokentest.Issuer, Keys: keys}},
				Audiences: []string{tokentest.Audience}, Now: tokentest.Now})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			mw, err := httpmw.New(httpmw.Config{Checker: v, Scopes: verify.ScopeRule{AllOf: []string{"sms.read"}},
				OnReject: rejectlog.HTTP(logLines(&buf, tt.level), tt.opts), RetryAfter: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/v1/sms", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
			got := buf.String()
			if tt.want == "" {
				if got != "" {
					t.Fatalf("logged %q", got)
				}
				return
			}
			if strings.Count(got, "\n") != 1 || !strings.Contains(got, tt.want) {
				t.Fatalf("logged %q, want one record containing %q", got, tt.want)
			}
			if strings.Contains(got, good) {
				t.Error("the token was logged")
			}
		})
	}
}

func TestRPC(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"missing", grpcmw.ErrMissingToken, `level=INFO msg="jwtguard: call refused" transport=grpc method=/sms.v1.Sms/Send reason=missing_token error="bearer: no bearer credentials"`},
		{"unlisted", grpcmw.ErrUnlistedMethod, `reason=unlisted_method error="grpcmw: method not listed"`},
		{"unavailable", &verify.Error{Reason: verify.ReasonUnavailable, Detail: "keys down"}, `level=WARN msg="jwtguard: call refused" transport=grpc method=/sms.v1.Sms/Send reason=unavailable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			rejectlog.RPC(logLines(&buf, slog.LevelInfo), "grpc", rejectlog.Options{})(t.Context(), "/sms.v1.Sms/Send", tt.err)
			if got := buf.String(); !strings.Contains(got, tt.want) {
				t.Fatalf("logged %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
