package dpop_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"math/big"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

func rsaJWK(pub *rsa.PublicKey) map[string]any {
	enc := base64.RawURLEncoding.EncodeToString
	return map[string]any{"kty": "RSA", "n": enc(pub.N.Bytes()), "e": enc(big.NewInt(int64(pub.E)).Bytes())}
}

// TestAlgorithms checks proofs signed with each key family, and that a
// PSS signature must use the salt length RFC 7518 fixes.
func TestAlgorithms(t *testing.T) {
	rk := testkeys.RSA2048(0)
	ek := testkeys.Ed25519()
	sum := func(in []byte) []byte { s := sha256.Sum256(in); return s[:] }
	tests := []struct {
		name string
		alg  string
		pub  crypto.PublicKey
		jwk  map[string]any
		sign func([]byte) []byte
		want verify.Reason
	}{
		{"RS256", "RS256", &rk.PublicKey, rsaJWK(&rk.PublicKey), func(in []byte) []byte {
			s, _ := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, sum(in))
			return s
		}, ""},
		{"PS256", "PS256", &rk.PublicKey, rsaJWK(&rk.PublicKey), func(in []byte) []byte {
			s, _ := rsa.SignPSS(rand.Reader, rk, crypto.SHA256, sum(in), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
			return s
		}, ""},
		{"PS256 with a short salt", "PS256", &rk.PublicKey, rsaJWK(&rk.PublicKey), func(in []byte) []byte {
			s, _ := rsa.SignPSS(rand.Reader, rk, crypto.SHA256, sum(in), &rsa.PSSOptions{SaltLength: 8})
			return s
		}, verify.ReasonInvalidDPoPProof},
		{"RS256 signature under PS256", "PS256", &rk.PublicKey, rsaJWK(&rk.PublicKey), func(in []byte) []byte {
			s, _ := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, sum(in))
			return s
		}, verify.ReasonInvalidDPoPProof},
		{"EdDSA", "EdDSA", ek.Public(), map[string]any{"kty": "OKP", "crv": "Ed25519",
			"x": base64.RawURLEncoding.EncodeToString(ek.Public().(ed25519.PublicKey))},
			func(in []byte) []byte { return ed25519.Sign(ek, in) }, ""},
		{"weak RSA key", "RS256", &testkeys.RSA1024Weak().PublicKey, rsaJWK(&testkeys.RSA1024Weak().PublicKey), func(in []byte) []byte {
			s, _ := rsa.SignPKCS1v15(nil, testkeys.RSA1024Weak(), crypto.SHA256, sum(in))
			return s
		}, verify.ReasonInvalidDPoPProof},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			v := newVerifier(t, clk, dpop.Config{})
			jkt, err := dpop.Thumbprint(tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			p := newClient(clk).ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{
				Header: map[string]any{"alg": tt.alg, "jwk": tt.jwk}, Sign: tt.sign})
			got, err := v.Check(t.Context(), get(p), boundTo(t, jkt))
			if verify.ReasonOf(err) != tt.want {
				t.Fatalf("Check: %v; want %q", err, tt.want)
			}
			if err == nil && (got.JKT != jkt || got.Algorithm != tt.alg) {
				t.Fatalf("proof %+v", got)
			}
		})
	}
}

// TestCheckHTTP checks how htu is derived from an HTTP request.
func TestCheckHTTP(t *testing.T) {
	tests := []struct {
		name   string
		origin string
		target string // the request as the server sees it
		tls    bool
		htu    string // what the client signed
		want   verify.Reason
	}{
		{"TLS and Host", "", "https://api.example.com/v1/sms?x=1", true, apiURL, ""},
		{"plain HTTP", "", "http://api.example.com/v1/sms", false, "http://api.example.com/v1/sms", ""},
		{"plain HTTP, client signed https", "", "http://api.example.com/v1/sms", false, apiURL, verify.ReasonInvalidDPoPProof},
		{"Origin behind a proxy", "https://api.example.com", "http://10.0.0.7:8080/v1/sms", false, apiURL, ""},
		{"Origin overrides a forged Host", "https://api.example.com", "http://evil.example.com/v1/sms", false, "http://evil.example.com/v1/sms", verify.ReasonInvalidDPoPProof},
		{"escaped path", "", "https://api.example.com/v1/a%2Fb", true, "https://api.example.com/v1/a%2fb", ""},
		{"escaped path is not the decoded one", "", "https://api.example.com/v1/a%2Fb", true, "https://api.example.com/v1/a/b", verify.ReasonInvalidDPoPProof},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			v := newVerifier(t, clk, dpop.Config{Origin: tt.origin})
			cl := newClient(clk)
			r := httptest.NewRequest("GET", tt.target, nil)
			if !tt.tls {
				r.TLS = nil
			} else if r.TLS == nil {
				r.TLS = &tls.ConnectionState{}
			}
			r.Header.Set("DPoP", cl.Proof("GET", tt.htu, apiToken))
			if _, err := v.CheckHTTP(t.Context(), r, apiToken, boundTo(t, cl.JKT())); verify.ReasonOf(err) != tt.want {
				t.Fatalf("CheckHTTP: %v; want %q", err, tt.want)
			}
		})
	}
}
