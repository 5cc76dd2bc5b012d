package reliability

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/grpcmw"
	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	issuerName = "https://issuer.test/"
	audience   = "api://reliability"
	testMethod = "/grpc.testing.TestService/UnaryCall"
)

var b64 = base64.RawURLEncoding.EncodeToString

// jwkJSON renders an RSA public key as a JWKS member.
func jwkJSON(kid string, pub *rsa.PublicKey) string {
	return fmt.Sprintf(`{"kty":"RSA","use":"sig","alg":"RS256","kid":%q,"n":%q,"e":%q}`,
		kid, b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes()))
}

// jwksDoc is a JWK Set of the given members.
func jwksDoc(members ...string) []byte {
	return []byte(`{"keys":[` + strings.Join(members, ",") + `]}`)
}

var jtiSeq atomic.Int64

// mint signs a valid access token (RS256) at time.Now (the fake clock inside
// a synctest bubble) that expires in 48 h. Every call has a new jti, so the
// verifier's token cache has never seen it.
func mint(key *rsa.PrivateKey, kid string) string {
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": issuerName, "sub": "client-1", "aud": []string{audience},
		"exp": now.Add(48 * time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
		"jti": fmt.Sprintf("jti-%d", jtiSeq.Add(1)), "client_id": "client-1",
	})
	input := b64([]byte(fmt.Sprintf(`{"alg":"RS256","kid":%q,"typ":"JWT"}`, kid))) + "." + b64(claims)
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

// stack is one service's verification path, built the way users build it:
// a jwks.Cache feeding a verify.Verifier used by httpmw and grpcmw.
type stack struct {
	cache *jwks.Cache
	v     *verify.Verifier
	http  http.Handler
	unary grpc.UnaryServerInterceptor
}

func newStack(t *testing.T, cache *jwks.Cache) *stack {
	t.Helper()
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: issuerName, Keys: cache}},
		Audiences: []string{audience},
	})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := httpmw.New(httpmw.Config{Checker: v})
	if err != nil {
		t.Fatal(err)
	}
	ic, err := grpcmw.New(grpcmw.Config{Checker: v})
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, found := verify.FromContext(r.Context()); !found {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	return &stack{cache: cache, v: v, http: mw.Handler(ok), unary: ic.Unary()}
}

// answers is what clients of each layer get for one token.
type answers struct {
	http       int
	retryAfter string
	grpc       codes.Code
	reason     verify.Reason // the verifier's own verdict ("" = accepted)
}

func (a answers) String() string {
	return fmt.Sprintf("http %d, grpc %v, verify %q", a.http, a.grpc, a.reason)
}

// ask presents tok to the verifier, to the HTTP middleware (in memory, via
// httptest.NewRecorder) and to the gRPC unary interceptor (called directly,
// as grpc-go would), so it runs inside a synctest bubble without sockets.
func (s *stack) ask(tok string) answers {
	var a answers
	if _, err := s.v.Verify(context.Background(), tok, verify.ScopeRule{}); err != nil {
		a.reason = verify.ReasonOf(err)
		if a.reason == "" {
			a.reason = verify.Reason("not-an-*Error: " + err.Error())
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/things", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	s.http.ServeHTTP(rec, req)
	a.http = rec.Code
	a.retryAfter = rec.Header().Get("Retry-After")

	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tok))
	_, err := s.unary(ctx, struct{}{}, &grpc.UnaryServerInfo{FullMethod: testMethod},
		func(ctx context.Context, _ any) (any, error) {
			if _, ok := verify.FromContext(ctx); !ok {
				return nil, status.Error(codes.Internal, "no claims")
			}
			return "ok", nil
		})
	a.grpc = status.Code(err)
	return a
}

// up asserts that every layer accepts tok.
func (s *stack) up(t *testing.T, what, tok string) {
	t.Helper()
	if a := s.ask(tok); a.http != http.StatusOK || a.grpc != codes.OK || a.reason != "" {
		t.Fatalf("%s: %v; want 200 / OK / accepted", what, a)
	}
}

// down asserts that every layer answers "keys unavailable": 503 with
// Retry-After, codes.Unavailable, verify.ReasonUnavailable.
func (s *stack) down(t *testing.T, what, tok string) {
	t.Helper()
	a := s.ask(tok)
	if a.http != http.StatusServiceUnavailable || a.retryAfter == "" || a.grpc != codes.Unavailable || a.reason != verify.ReasonUnavailable {
		t.Fatalf("%s: %v (Retry-After %q); want 503 with Retry-After / Unavailable / unavailable", what, a, a.retryAfter)
	}
}
