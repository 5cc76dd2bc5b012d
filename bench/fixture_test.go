package bench

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// The token every benchmark verifies: a Hydra-shaped access token
// (issuer with a trailing slash, kid public:<uuid>, scp list) with an
// audience, as a resource server sees it.
const (
	issuer   = "https://id.wgtwo.com/"
	audience = "https://api.example/"
	clientID = "86b76cb5-caf3-4c1c-bdfe-8b3454f580b8"
	jti      = "5f0c2b7e-3a1d-4e8f-9b6c-7d2e1f0a9c84"
	kid2048  = "public:2b0c7a1e-9d4f-4c55-8a61-0f1e2d3c4b5a"
	kid4096  = "public:4f60eca7-a5de-4617-a456-9c120b91d839"
)

// Fixture is one key size: its key, kid and the token it signed.
type fixture struct {
	name  string // sub-benchmark label, "rsa2048" or "rsa4096"
	kid   string
	priv  *rsa.PrivateKey
	pub   *rsa.PublicKey
	token string
	// For the floor: SHA-256 of the signing input and the raw signature.
	digest []byte
	sig    []byte
}

// env is built once in TestMain; it holds no goroutines and is read-only
// afterwards.
var env struct {
	now      time.Time
	fixtures []*fixture // rsa2048, rsa4096
	jwks     []byte     // both public keys, newest (2048) first
}

func TestMain(m *testing.M) {
	env.now = time.Now()
	env.fixtures = []*fixture{
		newFixture("rsa2048", kid2048, testkeys.RSA2048(0)),
		newFixture("rsa4096", kid4096, testkeys.RSA4096(0)),
	}
	env.jwks = jwksJSON(env.fixtures...)
	// Every benchmark closes what it starts (servers, caches, clients);
	// goleak proves it, including the peers' refresh goroutines.
	goleak.VerifyTestMain(m)
}

func newFixture(name, kid string, priv *rsa.PrivateKey) *fixture {
	f := &fixture{name: name, kid: kid, priv: priv, pub: &priv.PublicKey}
	f.token = sign(priv, kid, accessClaims(env.now, jti))
	input := f.token[:strings.LastIndexByte(f.token, '.')]
	d := sha256.Sum256([]byte(input))
	f.digest = d[:]
	var err error
	f.sig, err = base64.RawURLEncoding.DecodeString(f.token[len(input)+1:])
	if err != nil {
		panic(err)
	}
	return f
}

// accessClaims is a Hydra client_credentials access token in Hydra's
// member order, with an audience set.
func accessClaims(now time.Time, id string) string {
	iat := now.Unix()
	return fmt.Sprintf(`{"aud":[%q],"client_id":%q,"exp":%d,"ext":{},"iat":%d,"iss":%q,"jti":%q,"nbf":%d,`+
		`"scp":["sms.text:send_from_subscriber","subscription.handset_details:read","events.voicemail:read"],"sub":%q}`,
		audience, clientID, iat+3600, iat, issuer, id, iat, clientID)
}

func header(kid string) string {
	return fmt.Sprintf(`{"alg":"RS256","kid":%q,"typ":"JWT"}`, kid)
}

var b64 = base64.RawURLEncoding

// sign returns the compact RS256 JWS of claims under kid.
func sign(priv *rsa.PrivateKey, kid, claims string) string {
	input := b64.EncodeToString([]byte(header(kid))) + "." + b64.EncodeToString([]byte(claims))
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// withKID returns tok with its header replaced by one naming kid; the
// payload and signature stay (the signature no longer matches, which does
// not matter: an unknown kid is refused before any signature check).
func withKID(tok, kid string) string {
	_, rest, _ := strings.Cut(tok, ".")
	return b64.EncodeToString([]byte(header(kid))) + "." + rest
}

// stormTokens returns n tokens like tok with random, never-published kids
// ("public:<uuid>"), from a fixed seed so every library sees the same list.
func stormTokens(tok string, n int) []string {
	r := rand.New(rand.NewPCG(6, 10000))
	out := make([]string, n)
	for i := range out {
		var u [16]byte
		for j := range u {
			u[j] = byte(r.Uint32())
		}
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		kid := fmt.Sprintf("public:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
		out[i] = withKID(tok, kid)
	}
	return out
}

func jwksJSON(fs ...*fixture) []byte {
	type jwk struct {
		Use string `json:"use"`
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	for _, f := range fs {
		doc.Keys = append(doc.Keys, jwk{
			Use: "sig", Kty: "RSA", Kid: f.kid, Alg: "RS256",
			N: b64.EncodeToString(f.pub.N.Bytes()),
			E: b64.EncodeToString(big.NewInt(int64(f.pub.E)).Bytes()),
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// jwksServer serves env.jwks on loopback like Hydra v1 (no Cache-Control)
// and counts the requests it answers.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int64
}

// newJWKSServer starts a JWKS server that tb's cleanup closes.
func newJWKSServer(tb testing.TB) *jwksServer {
	tb.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(env.jwks)
	}))
	tb.Cleanup(s.Close)
	return s
}

// URL of the JWK Set document.
func (s *jwksServer) JWKSURL() string { return s.URL + "/.well-known/jwks.json" }

// forEachKey runs fn as a sub-benchmark per key size.
func forEachKey(b *testing.B, fn func(b *testing.B, f *fixture)) {
	for _, f := range env.fixtures {
		b.Run("key="+f.name, func(b *testing.B) { fn(b, f) })
	}
}

// seqPar runs an operation sequentially ("mode=seq") and under
// b.RunParallel ("mode=par"), reporting allocations in both. newOp is called
// once per goroutine (and once for a warm-up call outside the timer) and
// returns the operation; per-goroutine state lives in its closure.
func seqPar(b *testing.B, newOp func() func() error) {
	b.Run("mode=seq", func(b *testing.B) {
		b.ReportAllocs()
		op := newOp()
		if err := op(); err != nil { // warm up: first fetch, lazy init
			b.Fatal(err)
		}
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mode=par", func(b *testing.B) {
		b.ReportAllocs()
		if err := newOp()(); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			op := newOp()
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// same returns newOp for an operation without per-goroutine state.
func same(op func() error) func() func() error {
	return func() func() error { return op }
}
