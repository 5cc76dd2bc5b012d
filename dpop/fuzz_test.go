package dpop_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/verify"
)

// FuzzProof feeds arbitrary DPoP header values to Verifier.Check. It must
// never panic, refuse only with invalid_dpop_proof, and accept a proof
// only once, reporting the thumbprint of the key it was verified with.
// Seeds (testdata/fuzz/FuzzProof) hold the RFC 9449 examples and
// near-misses of them.
func FuzzProof(f *testing.F) {
	f.Add(rfcResourceProof)
	f.Add(rfcTokenProof)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, proof string) {
		clk := clockAt(time.Unix(rfcResourceIAT, 0))
		v, err := dpop.NewVerifier(dpop.Config{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		req := dpop.Request{Method: "GET", URL: "https://resource.example.org/protectedresource",
			AccessToken: rfcResourceToken, Proofs: []string{proof}}
		p, err := v.Check(t.Context(), req, nil)
		if err != nil {
			var ve *verify.Error
			if p != nil || !errors.As(err, &ve) || ve.Reason != verify.ReasonInvalidDPoPProof {
				t.Fatalf("Check(%q) = %v, %v", proof, p, err)
			}
			return
		}
		if jkt, err := dpop.Thumbprint(p.Key); err != nil || jkt != p.JKT {
			t.Fatalf("accepted proof's JKT %q, thumbprint of its key %q, %v", p.JKT, jkt, err)
		}
		if _, err := v.Check(t.Context(), req, nil); verify.ReasonOf(err) != verify.ReasonInvalidDPoPProof {
			t.Fatalf("accepted proof %q twice: %v", proof, err)
		}
	})
}

// FuzzProofJSON signs fuzzed header and claims JSON with a fixed key, so
// that the fuzzer reaches what FuzzProof's forged signatures never do:
// the JWK, the claims and htu. An accepted proof must name the request.
func FuzzProofJSON(f *testing.F) {
	jwk := fuzzJWK()
	hdr := `{"typ":"dpop+jwt","alg":"ES256","jwk":` + jwk + `}`
	iat := strconv.FormatInt(t0.Unix(), 10) // 1795503600, as in the committed seeds
	for _, c := range []string{
		`{"jti":"j","htm":"GET","htu":"https://api.example.com/v1/sms","iat":` + iat + `,"ath":"` + fuzzATH + `"}`,
		`{"jti":"j","htm":"GET","htu":"HTTPS://API.example.com:443/v1/%73ms?q#f","iat":` + iat + `,"ath":"` + fuzzATH + `"}`,
		`{"jti":"j","htm":"GET","htu":"https://api.example.com/v1/./x/../sms","iat":` + iat + `.5,"ath":"` + fuzzATH + `"}`,
		`{"jti":"j","htm":"GET","htu":"https://api.example.com/v1/sms","iat":1e9,"ath":"` + fuzzATH + `"}`,
		`{"jti":"j","jti":"k","htm":"GET","htu":"https://api.example.com/v1/sms","iat":` + iat + `}`,
	} {
		f.Add(hdr, c)
	}
	f.Add(`{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"","y":""}}`, `{}`)
	f.Add(`{"typ":"dpop+jwt","alg":"ES256","jwk":`+jwk[:len(jwk)-1]+`,"d":"AA"}}`, `{}`)
	f.Fuzz(func(t *testing.T, header, claims string) {
		clk := newClock()
		v, err := dpop.NewVerifier(dpop.Config{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		proof := fuzzSign(header, claims)
		p, err := v.Check(t.Context(), get(proof), nil)
		if err != nil {
			if p != nil || verify.ReasonOf(err) != verify.ReasonInvalidDPoPProof {
				t.Fatalf("Check(%q, %q) = %v, %v", header, claims, p, err)
			}
			return
		}
		var c struct {
			HTM string `json:"htm"`
			HTU string `json:"htu"`
		}
		if err := json.Unmarshal([]byte(claims), &c); err != nil {
			t.Fatalf("accepted claims %q do not decode: %v", claims, err)
		}
		if n, err := dpop.NormalizeHTU(c.HTU); c.HTM != "GET" || err != nil || n != apiURL {
			t.Fatalf("accepted htm %q htu %q (%q, %v) for GET %s", c.HTM, c.HTU, n, err, apiURL)
		}
	})
}

// FuzzNormalizeHTU checks that a normalised URI is a fixed point, an
// absolute http(s) URI without query or fragment.
func FuzzNormalizeHTU(f *testing.F) {
	for _, s := range []string{apiURL, "HTTPS://A.example:443/%7e/./b/../c?x#y", "http://[::1]:80", "https://h/%2f%2F", "https://u@h/", "https://h/a b", "https://h/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := dpop.NormalizeHTU(raw)
		if err != nil {
			return
		}
		if again, err := dpop.NormalizeHTU(n); err != nil || again != n {
			t.Fatalf("NormalizeHTU(%q) = %q; again: %q, %v", raw, n, again, err)
		}
		if !strings.HasPrefix(n, "http://") && !strings.HasPrefix(n, "https://") || strings.ContainsAny(n, "?#") {
			t.Fatalf("NormalizeHTU(%q) = %q", raw, n)
		}
	})
}

// fuzzATH is ath for apiToken.
var fuzzATH = func() string { s := sha256.Sum256([]byte(apiToken)); return base64.RawURLEncoding.EncodeToString(s[:]) }()

// fuzzJWK is testkeys.ECP256's public JWK.
func fuzzJWK() string {
	pt, err := testkeys.ECP256().PublicKey.Bytes()
	if err != nil {
		panic(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return `{"kty":"EC","crv":"P-256","x":"` + enc(pt[1:33]) + `","y":"` + enc(pt[33:]) + `"}`
}

// fuzzSign returns a compact JWS of header and claims signed ES256 with
// testkeys.ECP256.
func fuzzSign(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	in := enc([]byte(header)) + "." + enc([]byte(claims))
	sum := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, testkeys.ECP256(), sum[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + enc(sig)
}
