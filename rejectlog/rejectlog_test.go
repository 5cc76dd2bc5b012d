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
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

func TestLabel(t *testing.T) {
	tests := []struct {
		name string
		r    verify.Rejection
		want string
	}{
		{"verify error", verify.Rejection{Outcome: verify.OutcomeInvalidToken, Reason: verify.ReasonExpired}, "expired"},
		{"scope", verify.Rejection{Outcome: verify.OutcomeInsufficientScope, Reason: verify.ReasonInsufficientScope}, "insufficient_scope"},
		{"missing", verify.Rejection{Outcome: verify.OutcomeMissingToken, Err: httpmw.ErrMissingToken}, "missing_token"},
		{"invalid request", verify.Rejection{Outcome: verify.OutcomeInvalidRequest, Err: grpcmw.ErrInvalidRequest}, "invalid_request"},
		{"invalid method", verify.Rejection{Outcome: verify.OutcomeInvalidRequest, Err: grpcmw.ErrInvalidMethod}, "invalid_method"},
		{"unlisted method", verify.Rejection{Outcome: verify.OutcomeInsufficientScope, Err: grpcmw.ErrUnlistedMethod}, "unlisted_method"},
		{"unlisted procedure", verify.Rejection{Outcome: verify.OutcomeInsufficientScope, Err: errors.New("connectguard: procedure not listed")}, "unlisted_method"},
		{"no method", verify.Rejection{Outcome: verify.OutcomeUnavailable, Err: grpcmw.ErrNoMethod}, "no_method"},
		{"checker failure without a reason", verify.Rejection{Outcome: verify.OutcomeUnavailable, Err: errors.New("introspection: 502")}, "unavailable"},
		{"zero", verify.Rejection{}, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rejectlog.Label(tt.r); got != tt.want {
				t.Errorf("Label(%+v) = %q, want %q", tt.r, got, tt.want)
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
		{name: "missing", want: `level=INFO msg="jwtguard: refused" transport=http method="GET /v1/sms" outcome=missing_token reason=missing_token error="bearer: no bearer credentials: no authorization value"`},
		{name: "invalid request", auth: "Bearer a b", want: `reason=invalid_request`},
		{name: "bad signature", auth: "Bearer " + tokentest.Sign(t, testkeys.RSA2048(1), tokentest.KID, tokentest.Claims("sms.read")), want: `outcome=invalid_token reason=invalid_signature error="verify: invalid_signature: signature does not verify"`},
		{name: "scope", auth: "Bearer " + tokentest.Token(t, "other"), want: `outcome=insufficient_scope reason=insufficient_scope`},
		{name: "unavailable at warn", keys: downKeys{}, auth: "Bearer " + good, level: slog.LevelWarn, want: `level=WARN msg="jwtguard: refused" transport=http method="GET /v1/sms" outcome=unavailable reason=unavailable`},
		{name: "client fault below the handler level", auth: "Bearer abc", level: slog.LevelWarn},
		{name: "client fault at a chosen level", auth: "Bearer abc", opts: rejectlog.Options{Level: slog.LevelDebug}, level: slog.LevelDebug, want: `level=DEBUG msg="jwtguard: refused"`},
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
			mw, err := httpmw.New(httpmw.Config{Checker: v,
				OnReject: rejectlog.Hook(logLines(&buf, tt.level), tt.opts), RetryAfter: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/v1/sms", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			mw.Require(verify.ScopeRule{AllOf: []string{"sms.read"}})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
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
		{"missing", grpcmw.ErrMissingToken, `level=INFO msg="jwtguard: refused" transport=grpc method=/sms.v1.Sms/Send outcome=missing_token reason=missing_token error="bearer: no bearer credentials`},
		{"unlisted", grpcmw.ErrUnlistedMethod, `outcome=insufficient_scope reason=unlisted_method error="grpcmw: method not listed"`},
		{"unavailable", &verify.Error{Reason: verify.ReasonUnavailable, Detail: "keys down"}, `level=WARN msg="jwtguard: refused" transport=grpc method=/sms.v1.Sms/Send outcome=unavailable reason=unavailable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			i, err := grpcmw.New(grpcmw.Config{Checker: failChecker{tt.err}, DenyUnlisted: true,
				OnReject: rejectlog.Hook(logLines(&buf, slog.LevelInfo), rejectlog.Options{})})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if !errors.Is(tt.err, grpcmw.ErrMissingToken) {
				ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", "Bearer abc"))
			}
			_, err = i.Unary()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/sms.v1.Sms/Send"},
				func(context.Context, any) (any, error) { return nil, nil })
			if err == nil {
				t.Fatal("call allowed")
			}
			if got := buf.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, tt.want) {
				t.Fatalf("logged %q, want one record containing %q", got, tt.want)
			}
		})
	}
}

// failChecker refuses every token with err, or accepts it when err is a
// transport's own sentinel (so that the transport decides).
type failChecker struct{ err error }

func (c failChecker) Verify(context.Context, string, verify.ScopeRule) (*verify.Claims, error) {
	var ve *verify.Error
	if errors.As(c.err, &ve) {
		return nil, c.err
	}
	return verify.NewClaims(verify.Claims{Subject: "s"}, nil)
}
