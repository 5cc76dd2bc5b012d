package issuertest

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func TestMint(t *testing.T) {
	s := newTestServer(t, Config{})
	cur := s.SigningKID()
	old := cur
	cur = s.Rotate()
	pub := func(k crypto.Signer) any { return k.Public() }
	pemOf := func(k crypto.Signer) []byte {
		der, _ := x509.MarshalPKIXPublicKey(k.Public())
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	tests := []struct {
		name       string
		claims     map[string]any
		opts       MintOptions
		wantHeader map[string]any // exact header
		verifyKey  any            // key that must verify the signature; nil = signature must be empty
		verifyAlg  string
		wantClaims map[string]any // subset
	}{
		{"defaults", map[string]any{"sub": "x"}, MintOptions{},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256", map[string]any{"sub": "x"}},
		{"nil claims", nil, MintOptions{},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256", map[string]any{}},
		{"older kid signs with its own key", nil, MintOptions{KID: old},
			map[string]any{"alg": "RS256", "kid": old, "typ": "JWT"}, pub(testkeys.RSA2048(0)), "RS256", nil},
		{"omit kid", nil, MintOptions{KID: "-"},
			map[string]any{"alg": "RS256", "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256", nil},
		{"unknown kid, current key", nil, MintOptions{KID: "public:unknown"},
			map[string]any{"alg": "RS256", "kid": "public:unknown", "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256", nil},
		{"wrong key under trusted kid", nil, MintOptions{Key: testkeys.RSA2048(7)},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(7)), "RS256", nil},
		{"PS256", nil, MintOptions{Alg: "PS256"},
			map[string]any{"alg": "PS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "PS256", nil},
		{"RS512", nil, MintOptions{Alg: "RS512"},
			map[string]any{"alg": "RS512", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS512", nil},
		{"ES256", nil, MintOptions{Alg: "ES256", Key: testkeys.ECP256(), KID: "ec"},
			map[string]any{"alg": "ES256", "kid": "ec", "typ": "JWT"}, pub(testkeys.ECP256()), "ES256", nil},
		{"EdDSA", nil, MintOptions{Alg: "EdDSA", Key: testkeys.Ed25519()},
			map[string]any{"alg": "EdDSA", "kid": cur, "typ": "JWT"}, pub(testkeys.Ed25519()), "EdDSA", nil},
		{"weak RSA", nil, MintOptions{Key: testkeys.RSA1024Weak()},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA1024Weak()), "RS256", nil},
		{"HS256 with public key PEM (alg confusion)", nil, MintOptions{Alg: "HS256"},
			map[string]any{"alg": "HS256", "kid": cur, "typ": "JWT"}, pemOf(testkeys.RSA2048(1)), "HS256", nil},
		{"HS256 with secret", nil, MintOptions{Alg: "HS256", HMACKey: []byte("k")},
			map[string]any{"alg": "HS256", "kid": cur, "typ": "JWT"}, []byte("k"), "HS256", nil},
		{"none", nil, MintOptions{Alg: "none"},
			map[string]any{"alg": "none", "kid": cur, "typ": "JWT"}, nil, "none", nil},
		{"header overrides", nil, MintOptions{Header: map[string]any{"typ": "at+jwt", "crit": []string{"exp"}, "x": 1}},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "at+jwt", "crit": []any{"exp"}, "x": float64(1)}, pub(testkeys.RSA2048(1)), "RS256", nil},
		{"header removes typ", nil, MintOptions{Header: map[string]any{"typ": nil}},
			map[string]any{"alg": "RS256", "kid": cur}, pub(testkeys.RSA2048(1)), "RS256", nil},
		{"header alg lies", nil, MintOptions{Header: map[string]any{"alg": "HS256"}},
			map[string]any{"alg": "HS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256", nil},
		{"expired", map[string]any{"sub": "x"}, MintOptions{Expired: true},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256",
			map[string]any{"exp": float64(fixedNow.Add(-time.Hour).Unix()), "iat": float64(fixedNow.Add(-2 * time.Hour).Unix())}},
		{"expired keeps explicit exp", map[string]any{"exp": 5}, MintOptions{Expired: true},
			map[string]any{"alg": "RS256", "kid": cur, "typ": "JWT"}, pub(testkeys.RSA2048(1)), "RS256",
			map[string]any{"exp": float64(5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.Mint(tt.claims, tt.opts)
			header, claims := decodeSegments(t, tok)
			if !deepEqualJSON(header, tt.wantHeader) {
				t.Errorf("header = %v, want %v", header, tt.wantHeader)
			}
			for k, v := range tt.wantClaims {
				if !deepEqualJSON(claims[k], v) {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
			if len(tt.wantClaims) == 0 && tt.claims == nil && len(claims) != 0 {
				t.Errorf("claims = %v, want {}", claims)
			}
			i := strings.LastIndex(tok, ".")
			sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
			if err != nil {
				t.Fatal(err)
			}
			if tt.verifyKey == nil {
				if len(sig) != 0 {
					t.Errorf("signature = %x, want empty", sig)
				}
				return
			}
			if err := jwt.GetSigningMethod(tt.verifyAlg).Verify(tok[:i], sig, tt.verifyKey); err != nil {
				t.Errorf("%s signature does not verify with the expected key: %v", tt.verifyAlg, err)
			}
		})
	}
	if len(s.KIDs()) != 2 {
		t.Errorf("Mint changed the published keys: %v", s.KIDs())
	}
}

func deepEqualJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if !deepEqualJSON(v, b[k]) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !deepEqualJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

func TestMintPanicsOnMisuse(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, tt := range []struct {
		name string
		opts MintOptions
	}{
		{"unknown alg", MintOptions{Alg: "XX999"}},
		{"ES256 with RSA key", MintOptions{Alg: "ES256"}},
		{"RS256 with EC key", MintOptions{Key: testkeys.ECP256()}},
		{"unmarshalable claim", MintOptions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			claims := map[string]any{}
			if tt.name == "unmarshalable claim" {
				claims["c"] = make(chan int)
			}
			mustPanic(t, tt.name, func() { s.Mint(claims, tt.opts) })
		})
	}
}

func TestMintDoesNotAliasClaims(t *testing.T) {
	s := newTestServer(t, Config{})
	in := map[string]any{"sub": "x"}
	s.Mint(in, MintOptions{Expired: true})
	if len(in) != 1 {
		t.Errorf("Mint modified the caller's map: %v", in)
	}
}

func TestIDToken(t *testing.T) {
	s := newTestServer(t, Config{})
	const client = "b7e67c47-8dfc-4180-8fef-3326a2c79985"
	tests := []struct {
		name, nonce, phone string
	}{
		{"wgtwo with nonce and phone", "my-nonce", "+4799999999"},
		{"no nonce, no phone", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.IDToken(client, tt.nonce, tt.phone)
			claims, parsed, err := verify(tok, mustKeys(t, s), fixedNow)
			if err != nil {
				t.Fatalf("ID token does not verify: %v", err)
			}
			if parsed.Header["typ"] != "JWT" || parsed.Header["kid"] != s.SigningKID() {
				t.Errorf("header = %v", parsed.Header)
			}
			iat := float64(fixedNow.Unix())
			for k, v := range map[string]any{
				"iss": s.Issuer(), "iat": iat, "exp": iat + 3600, "auth_time": iat - 900, "rat": iat - 60,
			} {
				if claims[k] != v {
					t.Errorf("%s = %v, want %v", k, claims[k], v)
				}
			}
			if aud := toStrings(claims["aud"]); len(aud) != 1 || aud[0] != client {
				t.Errorf("aud = %v, want [%s]", claims["aud"], client)
			}
			sub, _ := claims["sub"].(string)
			if !hex128RE.MatchString(sub) {
				t.Errorf("sub = %q, want 128 lower-case hex", sub)
			}
			if again, _ := decodeSegmentsClaims(t, s.IDToken(client, "n2", tt.phone))["sub"].(string); again != sub {
				t.Errorf("sub not stable per client and user: %q then %q", sub, again)
			}
			if other, _ := decodeSegmentsClaims(t, s.IDToken("other", "", tt.phone))["sub"].(string); other == sub {
				t.Errorf("sub not pairwise: same for two clients")
			}
			for _, k := range []string{"jti", "sid"} {
				if v, _ := claims[k].(string); !uuidV4RE.MatchString(v) {
					t.Errorf("%s = %q, want UUIDv4", k, v)
				}
			}
			if h, _ := claims["at_hash"].(string); len(h) != 22 {
				t.Errorf("at_hash = %q, want 22 base64url chars (left half of SHA-256)", h)
			}
			if _, ok := claims["nbf"]; ok {
				t.Errorf("nbf present; Hydra ID tokens have none")
			}
			_, hasNonce := claims["nonce"]
			if hasNonce != (tt.nonce != "") || (hasNonce && claims["nonce"] != tt.nonce) {
				t.Errorf("nonce = %v, want %q", claims["nonce"], tt.nonce)
			}
			_, hasPhone := claims["phone_number"]
			if hasPhone != (tt.phone != "") || (hasPhone && (claims["phone_number"] != tt.phone || claims["phone_number_verified"] != true)) {
				t.Errorf("phone_number = %v, verified = %v, want %q", claims["phone_number"], claims["phone_number_verified"], tt.phone)
			}
		})
	}
}

func decodeSegmentsClaims(t *testing.T, tok string) map[string]any {
	_, c := decodeSegments(t, tok)
	return c
}
