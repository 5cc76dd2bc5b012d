package verify

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// rogueSource returns k for every lookup, ignoring kid and alg, so the
// verifier's own key binding is what stands between k and the token.
type rogueSource struct{ k *jwks.Key }

func (r rogueSource) Key(context.Context, string, string) (*jwks.Key, error) { return r.k, nil }

// errSource fails every lookup with err.
type errSource struct{ err error }

func (e errSource) Key(context.Context, string, string) (*jwks.Key, error) { return nil, e.err }

const hdrRS256 = `{"alg":"RS256","kid":"` + testKID + `","typ":"JWT"}`

// rawTok signs raw header and payload JSON with RSA2048(0), RS256.
func rawTok(t testing.TB, header, payload string) string {
	return mintRaw(t, testkeys.RSA2048(0), "RS256", header, payload)
}

// payloadWith is a valid Hydra payload with extra raw members appended
// (each `"name":value`) after removing the named registered members.
func payloadWith(t testing.TB, drop []string, extra ...string) string {
	t.Helper()
	m := hydraClaims(testNow)
	for _, d := range drop {
		delete(m, d)
	}
	s := mustJSON(t, m)
	if len(extra) > 0 {
		if len(m) > 0 {
			s = s[:len(s)-1] + "," + strings.Join(extra, ",") + "}"
		} else {
			s = "{" + strings.Join(extra, ",") + "}"
		}
	}
	return s
}

func TestVerifyReasons(t *testing.T) {
	now := testNow
	rsa0 := testkeys.RSA2048(0)
	good := mint(t, hydraClaims(now))
	goodParts := strings.Split(good, ".")
	other := mintRaw(t, testkeys.RSA2048(1), "RS256", hdrRS256, payloadWith(t, nil))
	otherSig := strings.Split(other, ".")[2]
	hsTok := func() string { // HS256 keyed with the RSA public key's DER (A2)
		pubDER := rsa0.PublicKey.N.Bytes()
		in := b64url([]byte(`{"alg":"HS256","kid":"`+testKID+`"}`)) + "." + goodParts[1]
		sig, _ := jwt.SigningMethodHS256.Sign(in, pubDER)
		return in + "." + b64url(sig)
	}()
	noneTok := func(alg string) string {
		return b64url([]byte(`{"alg":"`+alg+`"}`)) + "." + goodParts[1] + "."
	}
	// Keys for binding cases.
	rs512Key := testKey(t, testKID, "RS512", rsa0.Public())
	ecKey := testKey(t, testKID, "ES256", testkeys.ECP256().Public())

	type tc struct {
		name  string
		tok   string
		edit  func(*Config)
		src   jwks.Source // nil: defaultSource
		ctx   func() context.Context
		need  ScopeRule
		want  Reason // "" = accepted
		calls int    // expected key-source calls, -1 = don't care
	}
	sd := func(extra ...string) string { return payloadWith(t, nil, extra...) }
	cases := []tc{
		{name: "ok", tok: good, calls: 1},
		{name: "ok/scope-all-and-any", tok: good, need: ScopeRule{AllOf: []string{testScope1}, AnyOf: []string{"x", testScope3}}, calls: 1},

		// token_too_large
		{name: "too-large/default", tok: good + strings.Repeat("A", DefaultMaxTokenBytes), want: ReasonTokenTooLarge},
		{name: "too-large/configured", tok: good, edit: func(c *Config) { c.MaxTokenBytes = len(good) - 1 }, want: ReasonTokenTooLarge},

		// malformed: shape
		{name: "shape/empty", tok: "", want: ReasonMalformed},
		{name: "shape/one-segment", tok: goodParts[0], want: ReasonMalformed},
		{name: "shape/hydra-opaque", tok: "ih_iwZar30-sjSJiJkBRsNePNZ_MGjhmhgAwMg6tLr0.YzzYG3UIUOb9W8XFZkUQ1S0OuIJE5mvmSGsO1cBx_RE", want: ReasonMalformed},
		{name: "shape/ory-at", tok: "ory_at_" + strings.Repeat("a", 43) + "." + strings.Repeat("b", 43), want: ReasonMalformed},
		{name: "shape/jwe-5-segments", tok: good + ".AAAA.BBBB", want: ReasonMalformed},
		{name: "shape/4-segments", tok: good + ".", want: ReasonMalformed},
		{name: "shape/empty-signature", tok: goodParts[0] + "." + goodParts[1] + ".", want: ReasonMalformed},
		{name: "shape/empty-header", tok: "." + goodParts[1] + "." + goodParts[2], want: ReasonMalformed},
		{name: "shape/json-serialization", tok: `{"payload":"` + goodParts[1] + `","protected":"` + goodParts[0] + `","signature":"` + goodParts[2] + `"}`, want: ReasonMalformed},
		{name: "shape/padding", tok: good + "==", want: ReasonMalformed},
		{name: "shape/std-alphabet", tok: goodParts[0] + "." + goodParts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(goodParts[2]) + "+", want: ReasonMalformed},
		{name: "shape/crlf", tok: goodParts[0] + "." + goodParts[1][:10] + "\r\n" + goodParts[1][10:] + "." + goodParts[2], want: ReasonMalformed},
		{name: "shape/space", tok: " " + good, want: ReasonMalformed},
		{name: "shape/trailing-bits", tok: goodParts[0] + "." + goodParts[1] + "." + goodParts[2][:len(goodParts[2])-1] + "B", want: ReasonMalformed},
		{name: "shape/len-mod-4-is-1", tok: goodParts[0] + "." + goodParts[1] + "." + goodParts[2] + "AAA", want: ReasonMalformed},
		{name: "shape/bearer-prefix", tok: "Bearer " + good, want: ReasonMalformed},

		// malformed: header
		{name: "header/not-json", tok: rawTok(t, `not json`, sd()), want: ReasonMalformed},
		{name: "header/array", tok: rawTok(t, `["RS256"]`, sd()), want: ReasonMalformed},
		{name: "header/trailing", tok: rawTok(t, hdrRS256+`{}`, sd()), want: ReasonMalformed},
		{name: "header/duplicate-alg", tok: rawTok(t, `{"alg":"none","alg":"RS256","kid":"`+testKID+`"}`, sd()), want: ReasonMalformed},
		{name: "header/escaped-duplicate-alg", tok: rawTok(t, `{"alg":"RS256","\u0061lg":"RS256","kid":"`+testKID+`"}`, sd()), want: ReasonMalformed},
		{name: "header/upper-ALG-only", tok: rawTok(t, `{"ALG":"RS256","kid":"`+testKID+`"}`, sd()), want: ReasonMalformed},
		{name: "header/no-alg", tok: rawTok(t, `{"kid":"`+testKID+`"}`, sd()), want: ReasonMalformed},
		{name: "header/alg-number", tok: rawTok(t, `{"alg":256,"kid":"`+testKID+`"}`, sd()), want: ReasonMalformed},
		{name: "header/crit", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","crit":["exp"],"exp":1}`, sd()), want: ReasonMalformed},
		{name: "header/crit-empty", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","crit":[]}`, sd()), want: ReasonMalformed},
		{name: "header/b64-false", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","b64":false}`, sd()), want: ReasonMalformed},
		{name: "header/enc", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","enc":"A128GCM"}`, sd()), want: ReasonMalformed},
		{name: "header/cty-jwt", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","cty":"JWT"}`, sd()), want: ReasonMalformed},
		{name: "header/kid-number", tok: rawTok(t, `{"alg":"RS256","kid":7}`, sd()), want: ReasonMalformed},
		{name: "header/kid-too-long", tok: rawTok(t, `{"alg":"RS256","kid":"`+strings.Repeat("k", 257)+`"}`, sd()), want: ReasonMalformed},
		{name: "header/invalid-utf8", tok: rawTok(t, "{\"alg\":\"RS256\",\"kid\":\""+testKID+"\",\"x\":\"\xff\"}", sd()), want: ReasonMalformed},
		{name: "header/lone-surrogate", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","x":"\ud800"}`, sd()), want: ReasonMalformed},
		{name: "header/deep-nesting", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","x":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`, sd()), want: ReasonMalformed},
		{name: "header/jwk-ignored", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"},"jku":"https://evil.example/jwks","x5u":"https://evil.example/x","x5c":["AAAA"]}`, sd()), calls: 1},

		// malformed: payload
		{name: "payload/not-object", tok: rawTok(t, hdrRS256, `[1]`), want: ReasonMalformed},
		{name: "payload/duplicate-exp", tok: rawTok(t, hdrRS256, sd(`"exp":1`)), want: ReasonMalformed},
		{name: "payload/escaped-duplicate-nbf", tok: rawTok(t, hdrRS256, sd(`"n\u0062f":1`)), want: ReasonMalformed},
		{name: "payload/nested-duplicate", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"ext"}, `"ext":{"a":1,"a":2}`)), want: ReasonMalformed},
		{name: "payload/exp-string", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, fmt.Sprintf(`"exp":"%d"`, now.Add(time.Hour).Unix()))), want: ReasonMalformed},
		{name: "payload/exp-null", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, `"exp":null`)), want: ReasonMalformed},
		{name: "payload/exp-bool", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, `"exp":true`)), want: ReasonMalformed},
		{name: "payload/exp-negative", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, `"exp":-1`)), want: ReasonMalformed},
		{name: "payload/exp-year-10000", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, `"exp":253402300800`)), want: ReasonMalformed},
		{name: "payload/exp-1e400", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, `"exp":1e400`)), want: ReasonMalformed},
		{name: "payload/nbf-1e19", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"nbf"}, `"nbf":1e19`)), want: ReasonMalformed},
		{name: "payload/iat-array", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"iat"}, `"iat":[1]`)), want: ReasonMalformed},
		{name: "payload/iss-number", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"iss"}, `"iss":1`)), want: ReasonMalformed},
		{name: "payload/iss-null", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"iss"}, `"iss":null`)), want: ReasonMalformed},
		{name: "payload/sub-object", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"sub"}, `"sub":{}`)), want: ReasonMalformed},
		{name: "payload/aud-number", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"aud"}, `"aud":1`)), want: ReasonMalformed},
		{name: "payload/aud-null", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"aud"}, `"aud":null`)), want: ReasonMalformed},
		{name: "payload/aud-number-element", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"aud"}, `"aud":["`+testAudience+`",1]`)), want: ReasonMalformed},
		{name: "payload/scope-number", tok: rawTok(t, hdrRS256, sd(`"scope":1`)), want: ReasonMalformed},
		{name: "payload/scp-number-element", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"scp"}, `"scp":["a",1]`)), want: ReasonMalformed},
		{name: "payload/trailing-data", tok: rawTok(t, hdrRS256, sd()+`x`), want: ReasonMalformed},
		{name: "payload/leading-zero", tok: rawTok(t, hdrRS256, sd(`"n":01`)), want: ReasonMalformed},
		{name: "payload/control-char", tok: rawTok(t, hdrRS256, sd("\"n\":\"a\x01\"")), want: ReasonMalformed},

		// unsupported_algorithm
		{name: "alg/none-empty-signature", tok: noneTok("none"), want: ReasonMalformed},
		{name: "alg/none", tok: noneTok("none") + "AAAA", want: ReasonUnsupportedAlgorithm},
		{name: "alg/None", tok: noneTok("None") + "AAAA", want: ReasonUnsupportedAlgorithm, calls: 0},
		{name: "alg/nOnE", tok: noneTok("nOnE") + "AAAA", want: ReasonUnsupportedAlgorithm, calls: 0},
		{name: "alg/rs256-lowercase", tok: rawTok(t, `{"alg":"rs256","kid":"`+testKID+`"}`, sd()), want: ReasonUnsupportedAlgorithm},
		{name: "alg/HS256-with-public-key", tok: hsTok, want: ReasonUnsupportedAlgorithm, calls: 0},
		{name: "alg/PS256-not-configured", tok: mintRaw(t, rsa0, "PS256", `{"alg":"PS256","kid":"`+testKID+`"}`, sd()), want: ReasonUnsupportedAlgorithm, calls: 0},
		{name: "alg/key-alg-RS512-mismatch", tok: good, src: testSet(t, rs512Key), want: ReasonUnsupportedAlgorithm, calls: -1},
		{name: "alg/binding-enforced-against-rogue-source", tok: good, src: rogueSource{rs512Key}, want: ReasonUnsupportedAlgorithm, calls: -1},
		{name: "alg/binding-ec-key-for-RS256", tok: good, src: rogueSource{ecKey}, want: ReasonUnsupportedAlgorithm, calls: -1},

		// unknown_key
		{name: "kid/unknown", tok: mintRaw(t, rsa0, "RS256", `{"alg":"RS256","kid":"public:nope"}`, sd()), want: ReasonUnknownKey, calls: 1},
		{name: "kid/absent-one-key", tok: mintRaw(t, rsa0, "RS256", `{"alg":"RS256"}`, sd()), calls: 1},
		{name: "kid/absent-two-keys", tok: mintRaw(t, rsa0, "RS256", `{"alg":"RS256"}`, sd()),
			src:  testSet(t, testKey(t, testKID, "RS256", rsa0.Public()), testKey(t, testKID2, "RS256", testkeys.RSA2048(1).Public())),
			want: ReasonUnknownKey, calls: -1},
		{name: "kid/injection", tok: mintRaw(t, rsa0, "RS256", `{"alg":"RS256","kid":"../../dev/null' OR '1'='1\u0000"}`, sd()), want: ReasonUnknownKey, calls: 1},

		// invalid_signature
		{name: "sig/other-key-same-kid", tok: other, want: ReasonInvalidSignature, calls: 1},
		{name: "sig/spliced", tok: goodParts[0] + "." + goodParts[1] + "." + otherSig, want: ReasonInvalidSignature, calls: 1},
		{name: "sig/payload-swapped", tok: goodParts[0] + "." + b64url([]byte(payloadWith(t, []string{"scp"}, `"scp":["admin"]`))) + "." + goodParts[2], want: ReasonInvalidSignature, calls: 1},
		{name: "sig/truncated", tok: goodParts[0] + "." + goodParts[1] + "." + b64url(decodeSeg(t, goodParts[2])[:255]), want: ReasonInvalidSignature, calls: 1},
		{name: "sig/zero-prefixed", tok: goodParts[0] + "." + goodParts[1] + "." + b64url(append([]byte{0}, decodeSeg(t, goodParts[2])...)), want: ReasonInvalidSignature, calls: 1},
		{name: "sig/all-zero", tok: goodParts[0] + "." + goodParts[1] + "." + b64url(make([]byte, 256)), want: ReasonInvalidSignature, calls: 1},

		// time
		{name: "time/expired", tok: mint(t, with(hydraClaims(now), "exp", now.Add(-time.Second).Unix())), want: ReasonExpired, calls: 0},
		{name: "time/exp-equals-now", tok: mint(t, with(hydraClaims(now), "exp", now.Unix())), want: ReasonExpired, calls: 0},
		{name: "time/exp-fraction-after-now", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, fmt.Sprintf(`"exp":%d.5`, now.Unix()))), calls: 1},
		{name: "time/exp-fraction-sub-ns", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"exp"}, fmt.Sprintf(`"exp":%d.0000000001`, now.Unix()))), calls: 1},
		{name: "time/expired-within-leeway", tok: mint(t, with(hydraClaims(now), "exp", now.Add(-30*time.Second).Unix())), edit: func(c *Config) { c.Leeway = time.Minute }, calls: 1},
		{name: "time/expired-beyond-leeway", tok: mint(t, with(hydraClaims(now), "exp", now.Add(-61*time.Second).Unix())), edit: func(c *Config) { c.Leeway = time.Minute }, want: ReasonExpired, calls: 0},
		{name: "time/not-yet-valid", tok: mint(t, with(hydraClaims(now), "nbf", now.Add(time.Second).Unix())), want: ReasonNotYetValid, calls: 0},
		{name: "time/nbf-within-leeway", tok: mint(t, with(hydraClaims(now), "nbf", now.Add(time.Minute).Unix())), edit: func(c *Config) { c.Leeway = time.Minute }, calls: 1},
		{name: "time/nbf-fraction-future", tok: rawTok(t, hdrRS256, payloadWith(t, []string{"nbf"}, fmt.Sprintf(`"nbf":%d.000000001`, now.Unix()))), want: ReasonNotYetValid},
		{name: "time/issued-in-future", tok: mint(t, with(hydraClaims(now), "iat", now.Add(time.Second).Unix(), "nbf", nil)), want: ReasonIssuedInFuture, calls: 0},
		{name: "time/max-age-exceeded", tok: mint(t, with(hydraClaims(now), "iat", now.Add(-2*time.Hour).Unix(), "nbf", nil)), edit: func(c *Config) { c.MaxTokenAge = time.Hour }, want: ReasonExpired, calls: 0},
		{name: "time/max-age-ok", tok: good, edit: func(c *Config) { c.MaxTokenAge = time.Hour }, calls: 1},
		{name: "time/lifetime-too-long", tok: mint(t, with(hydraClaims(now), "exp", now.Add(2*time.Hour).Unix())), edit: func(c *Config) { c.MaxLifetime = time.Hour }, want: ReasonLifetimeTooLong, calls: 0},
		{name: "time/lifetime-at-cap", tok: good, edit: func(c *Config) { c.MaxLifetime = time.Hour }, calls: 1},
		{name: "time/lifetime-no-leeway", tok: mint(t, with(hydraClaims(now), "exp", now.Add(time.Hour+time.Second).Unix())), edit: func(c *Config) { c.MaxLifetime, c.Leeway = time.Hour, time.Minute }, want: ReasonLifetimeTooLong, calls: 0},
		{name: "time/lifetime-iat-long-ago", tok: mint(t, with(hydraClaims(now), "iat", now.Add(-2*time.Hour).Unix(), "nbf", nil)), edit: func(c *Config) { c.MaxLifetime = time.Hour }, want: ReasonLifetimeTooLong, calls: 0},

		// missing_claim
		{name: "missing/exp", tok: mint(t, with(hydraClaims(now), "exp", nil)), want: ReasonMissingClaim, calls: 0},
		{name: "missing/iss", tok: mint(t, with(hydraClaims(now), "iss", nil)), want: ReasonMissingClaim, calls: 0},
		{name: "missing/aud", tok: mint(t, with(hydraClaims(now), "aud", nil)), want: ReasonMissingClaim, calls: 0},
		{name: "missing/iat-with-max-age", tok: mint(t, with(hydraClaims(now), "iat", nil)), edit: func(c *Config) { c.MaxTokenAge = time.Hour }, want: ReasonMissingClaim, calls: 0},
		{name: "missing/iat-with-max-lifetime", tok: mint(t, with(hydraClaims(now), "iat", nil)), edit: func(c *Config) { c.MaxLifetime = time.Hour }, want: ReasonMissingClaim, calls: 0},
		{name: "missing/iss-skipped", tok: mint(t, with(hydraClaims(now), "iss", nil)), edit: func(c *Config) { c.InsecureSkipIssuerCheck = true }, calls: 1},

		// invalid_issuer
		{name: "iss/other", tok: mint(t, with(hydraClaims(now), "iss", "https://evil.example/")), want: ReasonInvalidIssuer, calls: 0},
		{name: "iss/no-trailing-slash", tok: mint(t, with(hydraClaims(now), "iss", "https://id.wgtwo.com")), want: ReasonInvalidIssuer, calls: 0},
		{name: "iss/case", tok: mint(t, with(hydraClaims(now), "iss", "https://ID.wgtwo.com/")), want: ReasonInvalidIssuer, calls: 0},

		// invalid_audience
		{name: "aud/other", tok: mint(t, with(hydraClaims(now), "aud", []string{"https://other.example/"})), want: ReasonInvalidAudience, calls: 0},
		{name: "aud/empty-array", tok: mint(t, with(hydraClaims(now), "aud", []string{})), want: ReasonInvalidAudience, calls: 0},
		{name: "aud/empty-string", tok: mint(t, with(hydraClaims(now), "aud", "")), want: ReasonInvalidAudience, calls: 0},
		{name: "aud/string-match", tok: mint(t, with(hydraClaims(now), "aud", testAudience)), calls: 1},
		{name: "aud/any-of", tok: mint(t, with(hydraClaims(now), "aud", []string{"x", "https://b.example/"})), edit: func(c *Config) { c.Audiences = []string{"https://a.example/", "https://b.example/"} }, calls: 1},
		{name: "aud/empty-array-skipped", tok: mint(t, with(hydraClaims(now), "aud", []string{})), edit: func(c *Config) { c.Audiences, c.InsecureSkipAudienceCheck = nil, true }, calls: 1},

		// invalid_type
		{name: "typ/JWT-when-at+jwt-required", tok: good, edit: func(c *Config) { c.RequiredType = "at+jwt" }, want: ReasonInvalidType, calls: 0},
		{name: "typ/absent-when-required", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`"}`, sd()), edit: func(c *Config) { c.RequiredType = "at+jwt" }, want: ReasonInvalidType, calls: 0},
		{name: "typ/application-at+jwt", tok: rawTok(t, `{"alg":"RS256","kid":"`+testKID+`","typ":"application/AT+JWT"}`, sd()), edit: func(c *Config) { c.RequiredType = "at+jwt" }, calls: 1},

		// insufficient_scope
		{name: "scope/missing", tok: good, need: ScopeRule{AllOf: []string{"admin"}}, want: ReasonInsufficientScope, calls: 1},
		{name: "scope/prefix-is-not-match", tok: mint(t, with(hydraClaims(now), "scp", []string{"superadmin"})), need: ScopeRule{AllOf: []string{"admin"}}, want: ReasonInsufficientScope, calls: 1},
		{name: "scope/any-of-none", tok: good, need: ScopeRule{AnyOf: []string{"a", "b"}}, want: ReasonInsufficientScope, calls: 1},

		// unavailable
		{name: "keys/unavailable", tok: good, src: errSource{fmt.Errorf("%w: never loaded", jwks.ErrUnavailable)}, want: ReasonUnavailable, calls: -1},
		{name: "keys/closed", tok: good, src: errSource{jwks.ErrClosed}, want: ReasonUnavailable, calls: -1},
		{name: "keys/ctx-cancelled", tok: good, src: errSource{context.Canceled}, ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, want: ReasonUnavailable, calls: -1},
		{name: "keys/mismatch-from-source", tok: good, src: errSource{jwks.ErrKeyMismatch}, want: ReasonUnsupportedAlgorithm, calls: -1},
		{name: "keys/not-found-from-source", tok: good, src: errSource{jwks.ErrKeyNotFound}, want: ReasonUnknownKey, calls: -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := defaultSource(t)
			if c.src != nil {
				cs.set(c.src, nil)
			}
			v := newVerifier(t, cs, func(cfg *Config) {
				cfg.TokenCache.Disable = true
				if c.edit != nil {
					c.edit(cfg)
				}
			})
			ctx := context.Background()
			if c.ctx != nil {
				ctx = c.ctx()
			}
			claims, err := v.Verify(ctx, c.tok, c.need)
			if got := ReasonOf(err); got != c.want {
				t.Fatalf("reason = %q, want %q (err: %v)", got, c.want, err)
			}
			if c.want == "" {
				if claims == nil {
					t.Fatal("nil claims on success")
				}
			} else {
				if claims != nil {
					t.Error("claims returned with an error")
				}
				if !errors.Is(err, sentinels[c.want]) {
					t.Errorf("errors.Is(err, %v) = false", sentinels[c.want])
				}
				var e *Error
				if !errors.As(err, &e) || e.Detail == "" {
					t.Errorf("no *Error with detail: %#v", err)
				}
			}
			if got := cs.calls.Load(); c.calls >= 0 && got != int64(c.calls) {
				t.Errorf("key source calls = %d, want %d", got, c.calls)
			}
		})
	}
}

func decodeSeg(t testing.TB, s string) []byte {
	t.Helper()
	b := make([]byte, jose.DecodedLen(len(s)))
	n, ok := jose.DecodeSegment(b, s)
	if !ok {
		t.Fatalf("bad base64 %q", s)
	}
	return b[:n]
}

// TestVerifyOtherAlgorithms covers the opt-in algorithms end to end.
func TestVerifyOtherAlgorithms(t *testing.T) {
	rsa0 := testkeys.RSA2048(0)
	for _, alg := range []string{"RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "EdDSA"} {
		c := struct{ alg string }{alg}
		t.Run(c.alg, func(t *testing.T) {
			var key *jwks.Key
			var tok string
			hdr := `{"alg":"` + c.alg + `","kid":"k1"}`
			switch c.alg[:2] {
			case "RS", "PS":
				key = testKey(t, "k1", c.alg, rsa0.Public())
				tok = mintRaw(t, rsa0, c.alg, hdr, payloadWith(t, nil))
			case "ES":
				key = testKey(t, "k1", c.alg, testkeys.ECP256().Public())
				tok = mintRaw(t, testkeys.ECP256(), c.alg, hdr, payloadWith(t, nil))
			default:
				key = testKey(t, "k1", c.alg, testkeys.Ed25519().Public())
				tok = mintRaw(t, testkeys.Ed25519(), c.alg, hdr, payloadWith(t, nil))
			}
			v := newVerifier(t, testSet(t, key), func(cfg *Config) { cfg.Algorithms = []string{c.alg} })
			if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			// Flip one signature bit: refused.
			parts := strings.Split(tok, ".")
			sig := decodeSeg(t, parts[2])
			sig[len(sig)/2] ^= 1
			bad := parts[0] + "." + parts[1] + "." + b64url(sig)
			v2 := newVerifier(t, testSet(t, key), func(cfg *Config) { cfg.Algorithms = []string{c.alg}; cfg.TokenCache.Disable = true })
			if _, err := v2.Verify(context.Background(), bad, ScopeRule{}); ReasonOf(err) != ReasonInvalidSignature {
				t.Fatalf("flipped signature: %v", err)
			}
		})
	}
	// PSS with a salt other than the hash length is refused (RFC 7518 §3.5).
	t.Run("PS256-salt-auto", func(t *testing.T) {
		m := &jwt.SigningMethodRSAPSS{SigningMethodRSA: jwt.SigningMethodPS256.SigningMethodRSA,
			Options: &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}}
		in := b64url([]byte(`{"alg":"PS256","kid":"k1"}`)) + "." + b64url([]byte(payloadWith(t, nil)))
		sig, err := m.Sign(in, rsa0)
		if err != nil {
			t.Fatal(err)
		}
		v := newVerifier(t, testSet(t, testKey(t, "k1", "PS256", rsa0.Public())), func(cfg *Config) { cfg.Algorithms = []string{"PS256"} })
		if _, err := v.Verify(context.Background(), in+"."+b64url(sig), ScopeRule{}); ReasonOf(err) != ReasonInvalidSignature {
			t.Fatalf("salt auto: %v", err)
		}
	})
}
