package dpop_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// TestAttacks checks that each way of misusing a proof or a bound token
// is refused with the right reason, and that the valid request next to it
// is accepted (so no case passes for an unrelated reason).
func TestAttacks(t *testing.T) {
	type env struct {
		clk   *clock
		cl    *issuertest.DPoPClient // the token's key holder
		other *issuertest.DPoPClient // another key
	}
	ok := verify.Reason("")
	bad, binding := verify.ReasonInvalidDPoPProof, verify.ReasonBindingMismatch
	hdr := func(e env, o issuertest.ProofOptions) string { return e.cl.ProofWith("GET", apiURL, apiToken, o) }
	tests := []struct {
		name   string
		req    func(e env) dpop.Request
		claims func(t *testing.T, e env) *verify.Claims // nil: bound to e.cl
		want   verify.Reason
	}{
		{name: "valid", req: func(e env) dpop.Request { return get(e.cl.Proof("GET", apiURL, apiToken)) }, want: ok},

		// htm
		{name: "wrong htm", req: func(e env) dpop.Request { return get(e.cl.Proof("POST", apiURL, apiToken)) }, want: bad},
		{name: "htm in lower case", req: func(e env) dpop.Request { return get(e.cl.Proof("get", apiURL, apiToken)) }, want: bad},
		{name: "htm missing", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"htm": nil}}))
		}, want: bad},

		// htu: variants that must match
		{name: "htu scheme and host in upper case", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "HTTPS://API.Example.COM/v1/sms", apiToken))
		}, want: ok},
		{name: "htu with default port", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com:443/v1/sms", apiToken))
		}, want: ok},
		{name: "htu with query and fragment", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"htu": apiURL + "?a=1#f"}}))
		}, want: ok},
		{name: "request URL with query", req: func(e env) dpop.Request {
			r := get(e.cl.Proof("GET", apiURL, apiToken))
			r.URL += "?page=2"
			return r
		}, want: ok},
		{name: "htu with encoded unreserved characters", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com/%76%31/sms", apiToken))
		}, want: ok},
		{name: "htu with dot segments", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com/v1/x/../sms", apiToken))
		}, want: ok},
		// htu: variants that must not match
		{name: "htu other host", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://evil.example.com/v1/sms", apiToken))
		}, want: bad},
		{name: "htu http instead of https", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "http://api.example.com/v1/sms", apiToken))
		}, want: bad},
		{name: "htu other port", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com:8443/v1/sms", apiToken))
		}, want: bad},
		{name: "htu path case", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com/v1/SMS", apiToken))
		}, want: bad},
		{name: "htu trailing slash", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", apiURL+"/", apiToken))
		}, want: bad},
		{name: "htu double slash", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com/v1//sms", apiToken))
		}, want: bad},
		{name: "htu encoded slash", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://api.example.com/v1%2Fsms", apiToken))
		}, want: bad},
		{name: "htu with user information", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", "https://u@api.example.com/v1/sms", apiToken))
		}, want: bad},
		{name: "htu relative", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"htu": "/v1/sms"}}))
		}, want: bad},

		// iat
		{name: "iat at the end of MaxAge", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"iat": t0.Add(-dpop.DefaultMaxAge).Unix()}}))
		}, want: ok},
		{name: "stale iat", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"iat": t0.Add(-dpop.DefaultMaxAge - time.Second).Unix()}}))
		}, want: bad},
		{name: "iat within the leeway", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"iat": t0.Add(dpop.DefaultLeeway).Unix()}}))
		}, want: ok},
		{name: "future iat", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"iat": t0.Add(dpop.DefaultLeeway + time.Second).Unix()}}))
		}, want: bad},
		{name: "iat as a string", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"iat": "1795503600"}}))
		}, want: bad},
		{name: "iat missing", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"iat": nil}}))
		}, want: bad},

		// ath
		{name: "ath of another token", req: func(e env) dpop.Request { return get(e.cl.Proof("GET", apiURL, "other")) }, want: bad},
		{name: "ath missing", req: func(e env) dpop.Request { return get(e.cl.Proof("GET", apiURL, "")) }, want: bad},

		// jti
		{name: "jti missing", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"jti": nil}}))
		}, want: bad},
		{name: "jti too long", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"jti": strings.Repeat("j", dpop.MaxJTIBytes+1)}}))
		}, want: bad},

		// algorithm and key
		{name: "symmetric alg keyed with the public JWK", req: func(e env) dpop.Request {
			key, _ := json.Marshal(e.cl.JWK())
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"alg": "HS256"},
				Sign: func(in []byte) []byte { m := hmac.New(sha256.New, key); m.Write(in); return m.Sum(nil) }}))
		}, want: bad},
		{name: "alg none without signature", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"alg": "none"}, Sign: func([]byte) []byte { return nil }}))
		}, want: bad},
		{name: "alg none with a signature", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"alg": "none"}}))
		}, want: bad},
		{name: "alg the JWK does not fit", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"alg": "ES384"}}))
		}, want: bad},
		{name: "embedded private key", req: func(e env) dpop.Request {
			jwk := e.cl.JWK()
			jwk["d"] = e.cl.PrivateD()
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"jwk": jwk}}))
		}, want: bad},
		{name: "symmetric JWK", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"jwk": map[string]any{"kty": "oct", "k": "c2VjcmV0"}}}))
		}, want: bad},
		{name: "jwk missing", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"jwk": nil}}))
		}, want: bad},
		{name: "signed by another key than the jwk", req: func(e env) dpop.Request {
			return get(e.other.ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{Header: map[string]any{"jwk": e.cl.JWK()}}))
		}, want: bad},
		{name: "proof key is not cnf.jkt", req: func(e env) dpop.Request {
			return get(e.other.Proof("GET", apiURL, apiToken))
		}, want: binding},
		{name: "token bound to no key", req: func(e env) dpop.Request { return get(e.cl.Proof("GET", apiURL, apiToken)) },
			claims: func(t *testing.T, _ env) *verify.Claims { return boundTo(t, "") }, want: binding},
		{name: "cnf of the wrong type", req: func(e env) dpop.Request { return get(e.cl.Proof("GET", apiURL, apiToken)) },
			claims: func(t *testing.T, _ env) *verify.Claims {
				c, err := verify.NewClaims(verify.Claims{}, []byte(`{"cnf":"x"}`))
				if err != nil {
					t.Fatal(err)
				}
				return c
			}, want: binding},

		// header
		{name: "typ missing", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"typ": nil}}))
		}, want: bad},
		{name: "typ JWT", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"typ": "JWT"}}))
		}, want: bad},
		{name: "typ in other case", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"typ": "DPoP+jwt"}}))
		}, want: bad},
		{name: "member name in other case", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"typ": nil, "TYP": dpop.Type}}))
		}, want: bad},
		{name: "crit", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Header: map[string]any{"crit": []string{"exp"}}}))
		}, want: bad},
		{name: "duplicate alg", req: func(e env) dpop.Request {
			jwk, _ := json.Marshal(e.cl.JWK())
			return get(hdr(e, issuertest.ProofOptions{
				RawHeader: `{"typ":"dpop+jwt","alg":"ES256","alg":"HS256","jwk":` + string(jwk) + `}`}))
		}, want: bad},
		{name: "duplicate htu", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{RawClaims: `{"jti":"j1","htm":"GET","htu":"https://evil.example/","htu":"` +
				apiURL + `","iat":` + itoa(t0.Unix()) + `}`}))
		}, want: bad},

		// the header field
		{name: "no DPoP header", req: func(env) dpop.Request { return get() }, want: bad},
		{name: "two DPoP headers", req: func(e env) dpop.Request {
			return get(e.cl.Proof("GET", apiURL, apiToken), e.cl.Proof("GET", apiURL, apiToken))
		}, want: bad},
		{name: "proof too large", req: func(e env) dpop.Request {
			return get(hdr(e, issuertest.ProofOptions{Claims: map[string]any{"pad": strings.Repeat("x", dpop.DefaultMaxProofBytes)}}))
		}, want: bad},
		{name: "not a JWS", req: func(env) dpop.Request { return get("a.b") }, want: bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			e := env{clk: clk, cl: newClient(clk), other: newClient(clk)}
			v := newVerifier(t, clk, dpop.Config{})
			c := boundTo(t, e.cl.JKT())
			if tt.claims != nil {
				c = tt.claims(t, e)
			}
			p, err := v.Check(t.Context(), tt.req(e), c)
			if got := verify.ReasonOf(err); got != tt.want || (err == nil) != (p != nil) {
				t.Fatalf("Check = %v, %v (reason %q); want reason %q", p, err, got, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "verify: ") {
				t.Fatalf("error %q is not a verify.Error", err)
			}
		})
	}
}

func TestReplay(t *testing.T) {
	clk := newClock()
	cl := newClient(clk)
	v := newVerifier(t, clk, dpop.Config{})
	c := boundTo(t, cl.JKT())
	proof := cl.ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{Claims: map[string]any{"jti": "fixed"}})
	steps := []struct {
		name  string
		proof string
		want  verify.Reason
	}{
		{"first use", proof, ""},
		{"the same proof again", proof, verify.ReasonInvalidDPoPProof},
		{"a new proof with the same jti", cl.ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{Claims: map[string]any{"jti": "fixed"}}), verify.ReasonInvalidDPoPProof},
		{"a new jti", cl.Proof("GET", apiURL, apiToken), ""},
	}
	for _, s := range steps {
		if _, err := v.Check(t.Context(), get(s.proof), c); verify.ReasonOf(err) != s.want {
			t.Fatalf("%s: %v; want %q", s.name, err, s.want)
		}
	}
	// Another key may use the same jti: replay is per key.
	other := newClient(clk)
	p := other.ProofWith("GET", apiURL, apiToken, issuertest.ProofOptions{Claims: map[string]any{"jti": "fixed"}})
	if _, err := v.Check(t.Context(), get(p), boundTo(t, other.JKT())); err != nil {
		t.Fatalf("same jti, other key: %v", err)
	}
	// Once the proof has expired it is refused for its age, not replay.
	clk.Advance(dpop.DefaultMaxAge + time.Second)
	if _, err := v.Check(t.Context(), get(proof), c); err == nil || !strings.Contains(err.Error(), "old") {
		t.Fatalf("expired replay: %v", err)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
