package verify

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

func TestMultiIssuer(t *testing.T) {
	const issA, issB = "https://id.wgtwo.com/", "https://id.wgtwo.com" // v1 and v2 spelling
	srcA := &countingSource{src: testSet(t, testKey(t, "a", "RS256", testkeys.RSA2048(0).Public()))}
	srcB := &countingSource{src: testSet(t, testKey(t, "b", "RS256", testkeys.RSA2048(1).Public()))}
	v := newVerifier(t, nil, func(c *Config) {
		c.Issuers = []Issuer{{Name: issA, Keys: srcA}, {Name: issB, Keys: srcB}}
		c.TokenCache.Disable = true
	})
	tokA := mintRaw(t, testkeys.RSA2048(0), "RS256", `{"alg":"RS256","kid":"a"}`, mustJSON(t, with(hydraClaims(testNow), "iss", issA)))
	tokB := mintRaw(t, testkeys.RSA2048(1), "RS256", `{"alg":"RS256","kid":"b"}`, mustJSON(t, with(hydraClaims(testNow), "iss", issB)))
	// B's key under A's issuer name: A's source does not know kid "b".
	tokBasA := mintRaw(t, testkeys.RSA2048(1), "RS256", `{"alg":"RS256","kid":"b"}`, mustJSON(t, with(hydraClaims(testNow), "iss", issA)))
	tokC := mintRaw(t, testkeys.RSA2048(0), "RS256", `{"alg":"RS256","kid":"a"}`, mustJSON(t, with(hydraClaims(testNow), "iss", "https://evil.example/")))

	tests := []struct {
		name         string
		tok          string
		want         Reason
		wantA, wantB int64
	}{
		{"issuer-A", tokA, "", 1, 0},
		{"issuer-B", tokB, "", 0, 1},
		{"B-key-claiming-A", tokBasA, ReasonUnknownKey, 1, 0},
		{"unknown-issuer-touches-no-source", tokC, ReasonInvalidIssuer, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a0, b0 := srcA.calls.Load(), srcB.calls.Load()
			c, err := v.Verify(context.Background(), tt.tok, ScopeRule{})
			if ReasonOf(err) != tt.want {
				t.Fatalf("reason %q, want %q (%v)", ReasonOf(err), tt.want, err)
			}
			if tt.want == "" && c.Issuer == "" {
				t.Error("no issuer in claims")
			}
			if da, db := srcA.calls.Load()-a0, srcB.calls.Load()-b0; da != tt.wantA || db != tt.wantB {
				t.Errorf("source calls A=%d B=%d, want %d %d", da, db, tt.wantA, tt.wantB)
			}
		})
	}
}

func TestOnDecision(t *testing.T) {
	var mu sync.Mutex
	var got []Decision
	v := newVerifier(t, defaultSource(t), func(c *Config) {
		c.OnDecision = func(d Decision) { mu.Lock(); got = append(got, d); mu.Unlock() }
	})
	good := mint(t, hydraClaims(testNow))
	expired := mint(t, with(hydraClaims(testNow), "exp", testNow.Add(-time.Hour).Unix()))
	ctx := context.Background()
	v.Verify(ctx, good, ScopeRule{})
	v.Verify(ctx, good, ScopeRule{})
	v.Verify(ctx, good, ScopeRule{AllOf: []string{"admin"}})
	v.Verify(ctx, expired, ScopeRule{})
	v.Verify(ctx, "junk", ScopeRule{})
	want := []Decision{
		{Reason: "", Issuer: testIssuer, KID: testKID, Cached: false},
		{Reason: "", Issuer: testIssuer, KID: testKID, Cached: true},
		{Reason: ReasonInsufficientScope, Issuer: testIssuer, KID: testKID, Cached: true},
		{Reason: ReasonExpired, Issuer: testIssuer, KID: testKID, Cached: false},
		{Reason: ReasonMalformed},
	}
	if len(got) != len(want) {
		t.Fatalf("%d decisions, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Reason != w.Reason || g.Issuer != w.Issuer || g.KID != w.KID || g.Cached != w.Cached {
			t.Errorf("decision %d = %+v, want %+v", i, g, w)
		}
		if (g.Err == nil) != (w.Reason == "") || ReasonOf(g.Err) != w.Reason {
			t.Errorf("decision %d Err = %v", i, g.Err)
		}
		if g.Latency <= 0 {
			t.Errorf("decision %d latency %v", i, g.Latency)
		}
	}
}

func TestContextHelpers(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Error("claims in empty context")
	}
	if _, ok := FromContext(NewContext(context.Background(), nil)); ok {
		t.Error("nil claims reported present")
	}
	c := &Claims{Subject: "s"}
	got, ok := FromContext(NewContext(context.Background(), c))
	if !ok || got != c {
		t.Errorf("FromContext = %v, %v", got, ok)
	}
}

func TestDecode(t *testing.T) {
	v := newVerifier(t, defaultSource(t), nil)
	tok := rawTok(t, hdrRS256, payloadWith(t, []string{"ext"}, `"ext":{"tenant":"t1"}`, `"Sub":"upper"`))
	c, err := v.Verify(context.Background(), tok, ScopeRule{})
	if err != nil {
		t.Fatal(err)
	}
	var dst struct {
		Sub string `json:"sub"`
		Ext struct {
			Tenant string `json:"tenant"`
		} `json:"ext"`
		Exp float64 `json:"exp"`
	}
	if err := c.Decode(&dst); err != nil {
		t.Fatal(err)
	}
	// Case-sensitive: "Sub" does not land in sub.
	if dst.Sub != testClientID || dst.Ext.Tenant != "t1" || dst.Exp != float64(testNow.Add(time.Hour).Unix()) {
		t.Errorf("Decode = %+v", dst)
	}
	var m map[string]any
	if err := c.Decode(&m); err != nil || m["Sub"] != "upper" {
		t.Errorf("Decode map = %v, %v", m, err)
	}
	if err := (&Claims{}).Decode(&m); err == nil {
		t.Error("Decode of unverified Claims succeeded")
	}
	if err := c.Decode(m); err == nil || !strings.HasPrefix(err.Error(), "verify: decode") {
		t.Errorf("Decode into non-pointer: %v", err)
	}
}

// TestIDTokenNonce uses an ID token shaped like id.wgtwo.com's (RSA-4096,
// nonce, phone_number).
func TestIDTokenNonce(t *testing.T) {
	const client = "b7e67c47-8dfc-4180-8fef-3326a2c79985"
	sub := strings.Repeat("4c42b5eb", 16) // 128 hex chars
	claims := map[string]any{
		"at_hash": "Q9pzLUovNYaU_V5Kn-7YSg", "aud": []string{client}, "auth_time": testNow.Add(-time.Minute).Unix(),
		"exp": testNow.Add(time.Hour).Unix(), "iat": testNow.Unix(), "iss": testIssuer,
		"jti": "5f55d59b-0fbc-4ee6-9cbc-6e1454a00cdc", "nonce": "my-nonce", "phone_number": "+4799999999",
		"phone_number_verified": true, "rat": testNow.Add(-2 * time.Minute).Unix(),
		"sid": "235e615c-c52d-407c-8760-7ff1256d0e66", "sub": sub,
	}
	src := testSet(t, testKey(t, testKID2, "RS256", testkeys.RSA4096(0).Public()))
	v := newVerifier(t, src, func(c *Config) { c.Audiences = []string{client}; c.Kind = TokenKindID })
	hdr := `{"alg":"RS256","kid":"` + testKID2 + `","typ":"JWT"}`
	tok := mintRaw(t, testkeys.RSA4096(0), "RS256", hdr, mustJSON(t, claims))
	c, err := v.Verify(context.Background(), tok, ScopeRule{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != sub || c.Nonce != "my-nonce" || len(c.Scopes) != 0 {
		t.Errorf("claims %+v", c)
	}
	if err := c.CheckNonce("my-nonce"); err != nil {
		t.Errorf("CheckNonce: %v", err)
	}
	for _, n := range []string{"other", "", "my-nonce "} {
		if err := c.CheckNonce(n); ReasonOf(err) != ReasonInvalidNonce || !errors.Is(err, ErrInvalidNonce) {
			t.Errorf("CheckNonce(%q) = %v", n, err)
		}
	}
	delete(claims, "nonce")
	c2, err := v.Verify(context.Background(), mintRaw(t, testkeys.RSA4096(0), "RS256", hdr, mustJSON(t, claims)), ScopeRule{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.CheckNonce("my-nonce"); ReasonOf(err) != ReasonMissingClaim {
		t.Errorf("no nonce: %v", err)
	}
	// An ID token is not an access token: with RequiredType at+jwt it fails.
	v2 := newVerifier(t, src, func(c *Config) { c.Audiences = []string{client}; c.RequiredType = "at+jwt" })
	if _, err := v2.Verify(context.Background(), tok, ScopeRule{}); ReasonOf(err) != ReasonInvalidType {
		t.Errorf("ID token as access token: %v", err)
	}
}

// TestScopeShapes covers Hydra's scope_claim strategies (list, string,
// both), configured extra scope claims and the exact matching.
func TestScopeShapes(t *testing.T) {
	base := with(hydraClaims(testNow), "scp", nil)
	tests := []struct {
		name   string
		claims map[string]any
		extra  []string
		want   []string
	}{
		{"scp-list", with(base, "scp", []string{"a", "b"}), nil, []string{"a", "b"}},
		{"scope-string", with(base, "scope", "a b  c"), nil, []string{"a", "b", "c"}},
		{"both", with(base, "scope", "a b", "scp", []string{"b", "c"}), nil, []string{"a", "b", "c"}},
		{"scp-string", with(base, "scp", "x y"), nil, []string{"x", "y"}},
		{"none", base, nil, nil},
		{"scp-null", with(base, "scp", []string(nil)), nil, nil},
		{"extra-claim", with(base, "scope", "a", "permissions", []string{"p:read", "a"}), []string{"permissions"}, []string{"a", "p:read"}},
		{"extra-claim-not-configured", with(base, "permissions", []string{"p"}), nil, nil},
		{"case-kept", with(base, "scp", []string{"Admin", "admin"}), nil, []string{"Admin", "admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, defaultSource(t), func(c *Config) { c.ScopeClaims = tt.extra })
			c, err := v.Verify(context.Background(), mint(t, tt.claims), ScopeRule{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Scopes, tt.want) {
				t.Errorf("Scopes = %q, want %q", c.Scopes, tt.want)
			}
			for _, s := range tt.want {
				if !c.HasScope(s) {
					t.Errorf("HasScope(%q) false", s)
				}
			}
		})
	}
}

func TestScopesCheckAndString(t *testing.T) {
	have := []string{"a", "b", "superadmin"}
	tests := []struct {
		name string
		s    ScopeRule
		ok   bool
		str  string
	}{
		{"zero", ScopeRule{}, true, ""},
		{"all-present", ScopeRule{AllOf: []string{"a", "b"}}, true, "a b"},
		{"all-missing-one", ScopeRule{AllOf: []string{"a", "c"}}, false, "a c"},
		{"any-one", ScopeRule{AnyOf: []string{"x", "b"}}, true, "x b"},
		{"any-none", ScopeRule{AnyOf: []string{"x", "y"}}, false, "x y"},
		{"all-and-any", ScopeRule{AllOf: []string{"a"}, AnyOf: []string{"admin"}}, false, "a admin"},
		{"no-substring", ScopeRule{AllOf: []string{"admin"}}, false, "admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Check(have)
			if (err == nil) != tt.ok {
				t.Fatalf("Check = %v, ok want %v", err, tt.ok)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Reason != ReasonInsufficientScope || !slices.Equal(e.Required.AllOf, tt.s.AllOf) {
					t.Errorf("error %#v", err)
				}
			}
			if got := tt.s.String(); got != tt.str {
				t.Errorf("String = %q, want %q", got, tt.str)
			}
		})
	}
}

// TestRFC7520 verifies the RFC 7520 §4.1 RS256 example: the signature
// verifies, and the verifier then refuses the token because its payload is
// prose, not a claims set.
func TestRFC7520Example(t *testing.T) {
	raw, err := os.ReadFile("../testdata/rfc7520/4_1.rsa_v15_signature.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Output struct {
			Compact string `json:"compact"`
		} `json:"output"`
	}
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	jwk, err := os.ReadFile("../testdata/rfc7520/3_3.rsa_public_key.json")
	if err != nil {
		t.Fatal(err)
	}
	set, _, err := jwks.ParseSet([]byte(`{"keys":[` + string(jwk) + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, set, func(c *Config) { c.InsecureSkipIssuerCheck = true; c.Issuers[0].Name = "" })
	if err := v.verifySignatureOnly(context.Background(), ex.Output.Compact); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if _, err := v.Verify(context.Background(), ex.Output.Compact, ScopeRule{}); ReasonOf(err) != ReasonMalformed {
		t.Fatalf("Verify: %v", err)
	}
	// One flipped payload byte: the signature check catches it.
	parts := strings.Split(ex.Output.Compact, ".")
	p := decodeSeg(t, parts[1])
	p[0] ^= 1
	if err := v.verifySignatureOnly(context.Background(), parts[0]+"."+b64url(p)+"."+parts[2]); ReasonOf(err) != ReasonInvalidSignature {
		t.Fatalf("tampered: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	src := defaultSource(t)
	ok := func() Config {
		return Config{Issuers: []Issuer{{Name: testIssuer, Keys: src}}, Audiences: []string{testAudience}}
	}
	tests := []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"minimal", func(*Config) {}, true},
		{"no-issuers", func(c *Config) { c.Issuers = nil }, false},
		{"nil-keys", func(c *Config) { c.Issuers[0].Keys = nil }, false},
		{"empty-name", func(c *Config) { c.Issuers[0].Name = "" }, false},
		{"duplicate-issuer", func(c *Config) { c.Issuers = append(c.Issuers, c.Issuers[0]) }, false},
		{"skip-issuer-one", func(c *Config) { c.InsecureSkipIssuerCheck = true; c.Issuers[0].Name = "" }, true},
		{"skip-issuer-two", func(c *Config) {
			c.InsecureSkipIssuerCheck = true
			c.Issuers = append(c.Issuers, Issuer{Name: "x", Keys: src})
		}, false},
		{"no-audience", func(c *Config) { c.Audiences = nil }, false},
		{"skip-audience", func(c *Config) { c.Audiences = nil; c.InsecureSkipAudienceCheck = true }, true},
		{"audience-and-skip", func(c *Config) { c.InsecureSkipAudienceCheck = true }, false},
		{"empty-audience", func(c *Config) { c.Audiences = []string{""} }, false},
		{"alg-none", func(c *Config) { c.Algorithms = []string{"none"} }, false},
		{"alg-HS256", func(c *Config) { c.Algorithms = []string{"RS256", "HS256"} }, false},
		{"alg-hs512-lower", func(c *Config) { c.Algorithms = []string{"hs512"} }, false},
		{"alg-unknown", func(c *Config) { c.Algorithms = []string{"RS1"} }, false},
		{"alg-lowercase", func(c *Config) { c.Algorithms = []string{"rs256"} }, false},
		{"alg-all", func(c *Config) {
			c.Algorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
		}, true},
		{"leeway-5m", func(c *Config) { c.Leeway = 5 * time.Minute }, true},
		{"leeway-too-big", func(c *Config) { c.Leeway = 5*time.Minute + 1 }, false},
		{"leeway-negative", func(c *Config) { c.Leeway = -1 }, false},
		{"max-age-negative", func(c *Config) { c.MaxTokenAge = -1 }, false},
		{"max-bytes-negative", func(c *Config) { c.MaxTokenBytes = -1 }, false},
		{"cache-negative", func(c *Config) { c.TokenCache.MaxEntries = -1 }, false},
		{"scope-claim-registered", func(c *Config) { c.ScopeClaims = []string{"scp"} }, false},
		{"scope-claim-empty", func(c *Config) { c.ScopeClaims = []string{""} }, false},
		{"scope-claim-repeated", func(c *Config) { c.ScopeClaims = []string{"p", "p"} }, false},
		{"scope-claim-ok", func(c *Config) { c.ScopeClaims = []string{"permissions"} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok()
			tt.edit(&cfg)
			v, err := New(cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && (!strings.HasPrefix(err.Error(), "verify: config: ") || v != nil) {
				t.Errorf("error %q (v=%v)", err, v)
			}
		})
	}
	// New copies its slices: later edits by the caller change nothing.
	cfg := ok()
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Audiences[0] = "https://other.example/"
	if _, err := v.Verify(context.Background(), mint(t, hydraClaims(time.Now())), ScopeRule{}); err != nil {
		t.Errorf("after caller edit: %v", err)
	}
}
