package verify

// The attack table (threat model T1–T11, docs/threat-model.md): one named row per
// technique, each asserting the exact refusal reason with errors.Is on the
// sentinel, not just "it failed". Tokens are built by hand (header and
// claims as raw JSON text, so duplicates, case variants and odd types reach
// the verifier byte for byte) and signed with the shared test keys.

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

const (
	atkIssuer   = "https://issuer.test/"
	atkAudience = "api://test"
	atkKID      = "k1"
)

// atkNow is the fixed clock of every attack row.
var atkNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

var b64 = base64.RawURLEncoding.EncodeToString

// claimsJSON is a valid claim set at atkNow, with extra members appended
// verbatim (so callers can add duplicates).
func claimsJSON(extra string) string {
	s := fmt.Sprintf(`{"iss":%q,"sub":"user-1","aud":%q,"exp":%d,"iat":%d`,
		atkIssuer, atkAudience, atkNow.Add(time.Hour).Unix(), atkNow.Add(-time.Minute).Unix())
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// claimsWith is a claim set made only of the given members (raw JSON).
func claimsWith(members string) string { return "{" + members + "}" }

func stdIss() string { return fmt.Sprintf(`"iss":%q,"sub":"user-1"`, atkIssuer) }
func stdAud() string { return fmt.Sprintf(`"aud":%q`, atkAudience) }
func stdExp() string { return fmt.Sprintf(`"exp":%d`, atkNow.Add(time.Hour).Unix()) }

func rs256Header(extra string) string {
	s := fmt.Sprintf(`{"alg":"RS256","kid":%q`, atkKID)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// signRS256 signs header.payload (both raw JSON text) with key.
func signRS256(key *rsa.PrivateKey, header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

func signPS256(key *rsa.PrivateKey, header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, h[:], nil)
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

// signHS256 signs with golang-jwt's HS256 keyed by secret, as an attacker
// who found the server's public key would.
func signHS256(secret []byte, header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(input, secret)
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

func unsigned(header, payload, sig string) string {
	return b64([]byte(header)) + "." + b64([]byte(payload)) + "." + sig
}

// swapSource is a key source whose set can be replaced, as a JWKS refresh
// does. Keys shared between sets keep their *jwks.Key pointer, as the
// Cache guarantees.
type swapSource struct{ set atomic.Pointer[jwks.Set] }

func (s *swapSource) Key(ctx context.Context, kid, alg string) (*jwks.Key, error) {
	return s.set.Load().Key(ctx, kid, alg)
}

func mustKey(t testing.TB, kid, alg string, pub crypto.PublicKey) *jwks.Key {
	t.Helper()
	k, err := jwks.NewKey(kid, alg, "sig", pub)
	if err != nil {
		t.Fatalf("NewKey(%s): %v", kid, err)
	}
	return k
}

func mustSet(t testing.TB, keys ...*jwks.Key) *jwks.Set {
	t.Helper()
	s, err := jwks.NewSet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func atkVerifier(t testing.TB, src jwks.Source, mod func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{
		Issuers:   []Issuer{{Name: atkIssuer, Keys: src}},
		Audiences: []string{atkAudience},
		Now:       func() time.Time { return atkNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// countingServer answers anything with an attacker JWKS and counts hits: a
// token's jku/x5u must never make the verifier call it.
func countingServer(t *testing.T, body string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func jwkJSON(kid string, pub *rsa.PublicKey) string {
	return fmt.Sprintf(`{"kty":"RSA","kid":%q,"use":"sig","alg":"RS256","n":%q,"e":%q}`,
		kid, b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes()))
}

func selfSignedCertB64(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "issuer.test"},
		NotBefore:    atkNow.Add(-time.Hour),
		NotAfter:     atkNow.Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// flipLastChar changes the final base64url character of seg to another
// character with the same top bits, so only the unused trailing bits
// differ (non-canonical encoding of the same bytes).
func flipTrailingBits(t *testing.T, seg string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	unused := map[int]int{2: 4, 3: 2}[len(seg)%4]
	if unused == 0 {
		t.Fatalf("segment length %d has no unused bits", len(seg))
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	alt := alphabet[last^1] // toggles the lowest (unused) bit
	return seg[:len(seg)-1] + string(alt)
}

type attackRow struct {
	name  string
	token string
	want  error // sentinel; nil means the token must be accepted
	// v, when set, replaces the default verifier for this row.
	v *Verifier
}

// TestAttacks is the attack table. Every row is a subtest named after its
// technique; each fails if the check that refuses it were removed (a
// control row shows the same construction is accepted when honest).
func TestAttacks(t *testing.T) {
	key := testkeys.RSA2048(0)
	attacker := testkeys.RSA2048(7)
	k1 := mustKey(t, atkKID, "RS256", &key.PublicKey)
	set := mustSet(t, k1)
	v := atkVerifier(t, set, nil)

	// Verifier allowing RS256 and PS256, to show key binding refuses a
	// PS256 token for a key published as RS256 even when PS256 is allowed.
	vRSPS := atkVerifier(t, set, func(c *Config) { c.Algorithms = []string{"RS256", "PS256"} })

	// jku / x5u targets that would hand out the attacker's key.
	jkuSrv, jkuHits := countingServer(t, `{"keys":[`+jwkJSON("evil", &attacker.PublicKey)+`]}`)

	good := signRS256(key, rs256Header(""), claimsJSON(""))
	gh, gp, gs := splitToken(t, good)
	sigBytes := mustB64(t, gs)

	pubPKIX, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemPKIX := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubPKIX})
	pemPKCS1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})
	hsHeader := fmt.Sprintf(`{"alg":"HS256","kid":%q}`, atkKID)

	// The configuration recommended for Hydra, whose access tokens carry
	// "aud": []: audience not checked, so only the token kind tells an ID
	// token (aud = the client id) from an access token.
	vSkipAud := atkVerifier(t, set, func(c *Config) { c.Audiences, c.InsecureSkipAudienceCheck = nil, true })
	idToken := func(members string) string {
		return signRS256(key, rs256Header(`"typ":"JWT"`), claimsWith(stdIss()+`,"aud":["client-1"],`+stdExp()+fmt.Sprintf(`,"iat":%d`, atkNow.Unix())+members))
	}

	past := atkNow.Add(-time.Hour).Unix()
	future := atkNow.Add(time.Hour).Unix()
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)

	rows := []attackRow{
		// Controls: the constructions below are accepted when honest.
		{name: "control/valid_token", token: good},
		{name: "control/fractional_exp_in_future", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":%d.5`, future)))},
		{name: "control/unknown_header_member_ignored", token: signRS256(key, rs256Header(`"x-custom":"y"`), claimsJSON(""))},

		// A1: alg none and case variants.
		{name: "alg_none/empty_signature", token: unsigned(`{"alg":"none"}`, claimsJSON(""), ""), want: ErrMalformed},
		{name: "alg_none/bogus_signature", token: unsigned(`{"alg":"none","kid":"k1"}`, claimsJSON(""), "AAAA"), want: ErrUnsupportedAlgorithm},
		{name: "alg_None", token: unsigned(`{"alg":"None","kid":"k1"}`, claimsJSON(""), "AAAA"), want: ErrUnsupportedAlgorithm},
		{name: "alg_NONE", token: unsigned(`{"alg":"NONE","kid":"k1"}`, claimsJSON(""), "AAAA"), want: ErrUnsupportedAlgorithm},
		{name: "alg_nOnE", token: unsigned(`{"alg":"nOnE","kid":"k1"}`, claimsJSON(""), "AAAA"), want: ErrUnsupportedAlgorithm},
		{name: "alg_none/with_real_rs256_signature", token: signedWithHeader(`{"alg":"none","kid":"k1"}`, key), want: ErrUnsupportedAlgorithm},
		{name: "alg_rs256_lowercase", token: signRS256(key, `{"alg":"rs256","kid":"k1"}`, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "alg_missing", token: signRS256(key, `{"kid":"k1"}`, claimsJSON("")), want: ErrMalformed},
		{name: "alg_not_a_string", token: signRS256(key, `{"alg":["RS256"],"kid":"k1"}`, claimsJSON("")), want: ErrMalformed},

		// A2: HS256 keyed with the RSA public key in every encoding.
		{name: "hs256_rsa_pubkey/pem_pkix", token: signHS256(pemPKIX, hsHeader, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "hs256_rsa_pubkey/pem_pkcs1", token: signHS256(pemPKCS1, hsHeader, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "hs256_rsa_pubkey/der", token: signHS256(pubPKIX, hsHeader, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "hs256_rsa_pubkey/jwk", token: signHS256([]byte(jwkJSON(atkKID, &key.PublicKey)), hsHeader, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "hs256_rsa_pubkey/modulus", token: signHS256(key.N.Bytes(), hsHeader, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "hs256_rsa_pubkey/no_kid", token: signHS256(pemPKIX, `{"alg":"HS256"}`, claimsJSON("")), want: ErrUnsupportedAlgorithm},

		// A32: RS256 <-> PS256 swap.
		{name: "rs_ps_swap/ps256_token_rs256_only", token: signPS256(key, `{"alg":"PS256","kid":"k1"}`, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "rs_ps_swap/ps256_token_key_bound_to_rs256", v: vRSPS, token: signPS256(key, `{"alg":"PS256","kid":"k1"}`, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "rs_ps_swap/rs256_header_pss_signature", token: pssUnderRS256(key), want: ErrInvalidSignature},
		{name: "rs_ps_swap/ps256_header_pkcs1_signature", v: vRSPS, token: replaceHeader(t, good, `{"alg":"PS256","kid":"k1"}`), want: ErrUnsupportedAlgorithm},

		// A3-A5: header keys pointing at the attacker, signed by the attacker.
		{name: "header_jwk/attacker_key_same_kid", token: signRS256(attacker, rs256Header(`"jwk":`+jwkJSON(atkKID, &attacker.PublicKey)), claimsJSON("")), want: ErrInvalidSignature},
		{name: "header_jwk/attacker_key_no_kid", token: signRS256(attacker, `{"alg":"RS256","jwk":`+jwkJSON("evil", &attacker.PublicKey)+`}`, claimsJSON("")), want: ErrInvalidSignature},
		{name: "header_jwk/attacker_kid", token: signRS256(attacker, `{"alg":"RS256","kid":"evil","jwk":`+jwkJSON("evil", &attacker.PublicKey)+`}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "header_jku/attacker_kid", token: signRS256(attacker, fmt.Sprintf(`{"alg":"RS256","kid":"evil","jku":%q}`, jkuSrv.URL+"/jwks.json"), claimsJSON("")), want: ErrUnknownKey},
		{name: "header_jku/same_kid", token: signRS256(attacker, rs256Header(fmt.Sprintf(`"jku":%q`, jkuSrv.URL+"/jwks.json")), claimsJSON("")), want: ErrInvalidSignature},
		{name: "header_x5u/attacker_kid", token: signRS256(attacker, fmt.Sprintf(`{"alg":"RS256","kid":"evil","x5u":%q}`, jkuSrv.URL+"/cert.pem"), claimsJSON("")), want: ErrUnknownKey},
		{name: "header_x5u/same_kid", token: signRS256(attacker, rs256Header(fmt.Sprintf(`"x5u":%q`, jkuSrv.URL+"/cert.pem")), claimsJSON("")), want: ErrInvalidSignature},
		{name: "header_x5c/self_signed_attacker_chain", token: signRS256(attacker, rs256Header(fmt.Sprintf(`"x5c":[%q]`, selfSignedCertB64(t, attacker))), claimsJSON("")), want: ErrInvalidSignature},
		{name: "header_x5c/attacker_kid", token: signRS256(attacker, fmt.Sprintf(`{"alg":"RS256","kid":"evil","x5c":[%q]}`, selfSignedCertB64(t, attacker)), claimsJSON("")), want: ErrUnknownKey},

		// A6: kid injection.
		{name: "kid/path_traversal", token: signRS256(key, `{"alg":"RS256","kid":"../../../../../../dev/null"}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "kid/sql_injection", token: signRS256(key, `{"alg":"RS256","kid":"' OR '1'='1"}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "kid/sql_union", token: signRS256(key, `{"alg":"RS256","kid":"k1' UNION SELECT 'key"}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "kid/nul_suffix", token: signRS256(key, `{"alg":"RS256","kid":"k1\u0000"}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "kid/crlf", token: signRS256(key, `{"alg":"RS256","kid":"k1\r\nX-Injected: 1"}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "kid/case_variant", token: signRS256(key, `{"alg":"RS256","kid":"K1"}`, claimsJSON("")), want: ErrUnknownKey},
		{name: "kid/too_long", token: signRS256(key, fmt.Sprintf(`{"alg":"RS256","kid":%q}`, strings.Repeat("k", 4096)), claimsJSON("")), want: ErrMalformed},
		{name: "kid/number", token: signRS256(key, `{"alg":"RS256","kid":1}`, claimsJSON("")), want: ErrMalformed},
		{name: "kid/null", token: signRS256(key, `{"alg":"RS256","kid":null}`, claimsJSON("")), want: ErrMalformed},

		// A7: crit.
		{name: "crit/unknown_extension", token: signRS256(key, rs256Header(`"crit":["http://example.com/ext"],"http://example.com/ext":true`), claimsJSON("")), want: ErrMalformed},
		{name: "crit/empty_array", token: signRS256(key, rs256Header(`"crit":[]`), claimsJSON("")), want: ErrMalformed},
		{name: "crit/standard_name", token: signRS256(key, rs256Header(`"crit":["alg"]`), claimsJSON("")), want: ErrMalformed},
		{name: "crit/not_an_array", token: signRS256(key, rs256Header(`"crit":"exp"`), claimsJSON("")), want: ErrMalformed},

		// A8: b64 false (RFC 7797).
		{name: "b64_false/with_crit", token: b64FalseToken(key, true), want: ErrMalformed},
		{name: "b64_false/without_crit", token: b64FalseToken(key, false), want: ErrMalformed},
		{name: "b64_true/present", token: signRS256(key, rs256Header(`"b64":true`), claimsJSON("")), want: ErrMalformed},

		// A14: JWE.
		{name: "jwe/five_segments", token: b64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"k1"}`)) + ".AAAA.AAAA.AAAA.AAAA", want: ErrMalformed},
		{name: "jwe/enc_header_three_segments", token: signRS256(key, rs256Header(`"enc":"A256GCM"`), claimsJSON("")), want: ErrMalformed},
		{name: "jws_four_segments", token: good + ".AAAA", want: ErrMalformed},
		{name: "jws_two_segments", token: gh + "." + gp, want: ErrMalformed},
		{name: "hydra_opaque_token", token: "ory_at_" + strings.Repeat("a", 43) + "." + strings.Repeat("b", 43), want: ErrMalformed},

		// A13: JSON serialization.
		{name: "json_serialization/flattened", token: jsonSerialization(gh, gp, gs), want: ErrMalformed},
		{name: "json_serialization/general", token: fmt.Sprintf(`{"payload":%q,"signatures":[{"protected":%q,"signature":%q}]}`, gp, gh, gs), want: ErrMalformed},

		// A20: non-canonical base64url.
		{name: "base64/padding_on_signature", token: good + "==", want: ErrMalformed},
		{name: "base64/padding_on_header", token: gh + "=." + gp + "." + gs, want: ErrMalformed},
		{name: "base64/std_alphabet_plus_slash", token: strings.NewReplacer("-", "+", "_", "/").Replace(good), want: ErrMalformed},
		{name: "base64/trailing_bits_signature", token: gh + "." + gp + "." + flipTrailingBits(t, gs), want: ErrMalformed},
		{name: "base64/length_1_mod_4", token: gh + "." + gp + "." + gs + strings.Repeat("A", (5-len(gs)%4)%4), want: ErrMalformed},
		{name: "base64/empty_header", token: "." + gp + "." + gs, want: ErrMalformed},
		{name: "base64/empty_payload", token: gh + ".." + gs, want: ErrMalformed},

		// A21: whitespace and CR/LF.
		{name: "whitespace/leading_space", token: " " + good, want: ErrMalformed},
		{name: "whitespace/trailing_space", token: good + " ", want: ErrMalformed},
		{name: "whitespace/crlf_in_signature", token: gh + "." + gp + "." + gs[:100] + "\r\n" + gs[100:], want: ErrMalformed},
		{name: "whitespace/lf_in_header", token: gh[:10] + "\n" + gh[10:] + "." + gp + "." + gs, want: ErrMalformed},
		{name: "whitespace/tab_between_segments", token: gh + ".\t" + gp + "." + gs, want: ErrMalformed},
		{name: "whitespace/trailing_crlf", token: good + "\r\n", want: ErrMalformed},

		// A15: duplicate JSON members, header and claims, incl. case variants.
		{name: "dup/header_alg_rs256_then_none", token: signRS256(key, `{"alg":"RS256","alg":"none","kid":"k1"}`, claimsJSON("")), want: ErrMalformed},
		{name: "dup/header_alg_none_then_rs256", token: signRS256(key, `{"alg":"none","alg":"RS256","kid":"k1"}`, claimsJSON("")), want: ErrMalformed},
		{name: "dup/header_kid", token: signRS256(key, `{"alg":"RS256","kid":"evil","kid":"k1"}`, claimsJSON("")), want: ErrMalformed},
		{name: "dup/header_case_variant_ALG_only", token: signRS256(key, `{"ALG":"RS256","kid":"k1"}`, claimsJSON("")), want: ErrMalformed},
		{name: "dup/header_case_variant_ALG_overrides_none", token: signRS256(key, `{"alg":"none","ALG":"RS256","kid":"k1"}`, claimsJSON("")), want: ErrUnsupportedAlgorithm},
		{name: "dup/claims_exp", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":%d,"exp":%d`, past, future))), want: ErrMalformed},
		{name: "dup/claims_aud", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+fmt.Sprintf(`,"aud":"other","aud":%q`, atkAudience))), want: ErrMalformed},
		{name: "dup/claims_iss", token: signRS256(key, rs256Header(""), claimsWith(fmt.Sprintf(`"iss":"https://evil.test/","iss":%q,`, atkIssuer)+stdAud()+","+stdExp())), want: ErrMalformed},
		{name: "dup/claims_case_variant_EXP", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":%d,"EXP":%d`, past, future))), want: ErrExpired},
		{name: "dup/claims_case_variant_EXP_only", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"EXP":%d`, future))), want: ErrMissingClaim},
		{name: "dup/claims_case_variant_AUD", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+fmt.Sprintf(`,"aud":"other","AUD":%q`, atkAudience))), want: ErrInvalidAudience},
		{name: "dup/claims_case_variant_ISS", token: signRS256(key, rs256Header(""), claimsWith(fmt.Sprintf(`"iss":"https://evil.test/","ISS":%q,`, atkIssuer)+stdAud()+","+stdExp())), want: ErrInvalidIssuer},

		// A16: exp/nbf/iat types and ranges.
		{name: "exp/string", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":"%d"`, future))), want: ErrMalformed},
		{name: "exp/bool", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+`,"exp":true`)), want: ErrMalformed},
		{name: "exp/null", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+`,"exp":null`)), want: ErrMalformed},
		{name: "exp/array", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":[%d]`, future))), want: ErrMalformed},
		{name: "exp/negative", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+`,"exp":-1`)), want: ErrMalformed},
		{name: "exp/huge_1e19", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+`,"exp":1e19`)), want: ErrMalformed},
		{name: "exp/overflow_1e400", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+`,"exp":1e400`)), want: ErrMalformed},
		{name: "exp/year_10000", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+`,"exp":253402300800`)), want: ErrMalformed},
		{name: "exp/fraction_just_past", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":%d.9`, atkNow.Unix()-1))), want: ErrExpired},
		{name: "exp/missing", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud())), want: ErrMissingClaim},
		{name: "exp/in_the_past", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"exp":%d`, past))), want: ErrExpired},
		{name: "nbf/string", token: signRS256(key, rs256Header(""), claimsJSON(fmt.Sprintf(`"nbf":"%d"`, past))), want: ErrMalformed},
		{name: "nbf/huge_1e19_fails_closed", token: signRS256(key, rs256Header(""), claimsJSON(`"nbf":1e19`)), want: ErrMalformed},
		{name: "nbf/negative", token: signRS256(key, rs256Header(""), claimsJSON(`"nbf":-5`)), want: ErrMalformed},
		{name: "nbf/fraction_not_truncated", token: signRS256(key, rs256Header(""), claimsJSON(fmt.Sprintf(`"nbf":%d.5`, atkNow.Unix()))), want: ErrNotYetValid},
		{name: "nbf/future", token: signRS256(key, rs256Header(""), claimsJSON(fmt.Sprintf(`"nbf":%d`, future))), want: ErrNotYetValid},
		{name: "iat/string", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+","+stdExp()+fmt.Sprintf(`,"iat":"%d"`, past))), want: ErrMalformed},
		{name: "iat/float_huge", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+","+stdExp()+`,"iat":9.9e300`)), want: ErrMalformed},
		{name: "iat/negative", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+","+stdExp()+`,"iat":-100`)), want: ErrMalformed},
		{name: "iat/future", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+","+stdExp()+fmt.Sprintf(`,"iat":%d`, future-60))), want: ErrIssuedInFuture},

		// A18: aud type confusion (CVE-2020-26160 class).
		{name: "aud/number", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+`,"aud":1`)), want: ErrMalformed},
		{name: "aud/object", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+fmt.Sprintf(`,"aud":{"0":%q}`, atkAudience))), want: ErrMalformed},
		{name: "aud/array_of_number", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+`,"aud":[1]`)), want: ErrMalformed},
		{name: "aud/array_mixed", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+fmt.Sprintf(`,"aud":[%q,1]`, atkAudience))), want: ErrMalformed},
		{name: "aud/null", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+`,"aud":null`)), want: ErrMalformed},
		{name: "aud/empty_array", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+`,"aud":[]`)), want: ErrInvalidAudience},
		{name: "aud/empty_string", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+`,"aud":""`)), want: ErrInvalidAudience},
		{name: "aud/missing", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp())), want: ErrMissingClaim},
		{name: "aud/prefix_of_configured", token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdExp()+`,"aud":"api://tes"`)), want: ErrInvalidAudience},

		// A19: issuer confusion.
		{name: "iss/trailing_slash_mismatch", token: signRS256(key, rs256Header(""), claimsWith(`"iss":"https://issuer.test","sub":"u",`+stdAud()+","+stdExp())), want: ErrInvalidIssuer},
		{name: "iss/number", token: signRS256(key, rs256Header(""), claimsWith(`"iss":1,`+stdAud()+","+stdExp())), want: ErrMalformed},

		// A12: signature of the wrong length.
		{name: "sig_length/truncated_255", token: gh + "." + gp + "." + b64(sigBytes[:255]), want: ErrInvalidSignature},
		{name: "sig_length/leading_zero_257", token: gh + "." + gp + "." + b64(append([]byte{0}, sigBytes...)), want: ErrInvalidSignature},
		{name: "sig_length/trailing_zero_257", token: gh + "." + gp + "." + b64(append(append([]byte{}, sigBytes...), 0)), want: ErrInvalidSignature},
		{name: "sig_length/one_byte", token: gh + "." + gp + ".AA", want: ErrInvalidSignature},
		{name: "sig_value/zero", token: gh + "." + gp + "." + b64(make([]byte, 256)), want: ErrInvalidSignature},
		{name: "sig_value/modulus_n", token: gh + "." + gp + "." + b64(key.N.Bytes()), want: ErrInvalidSignature},
		{name: "sig_value/s_plus_n", token: gh + "." + gp + "." + b64(new(big.Int).Add(new(big.Int).SetBytes(sigBytes), key.N).Bytes()), want: ErrInvalidSignature},

		// A22: oversized tokens and dot bombs.
		{name: "size/over_16KiB", token: signRS256(key, rs256Header(""), claimsJSON(fmt.Sprintf(`"pad":%q`, strings.Repeat("x", 16<<10)))), want: ErrTokenTooLarge},
		{name: "size/dot_bomb", token: strings.Repeat(".", 1<<20), want: ErrTokenTooLarge},
		{name: "size/dots_under_cap", token: strings.Repeat(".", 1000), want: ErrMalformed},
		{name: "size/empty", token: "", want: ErrMalformed},

		// A23: deeply nested JSON (inside the size cap).
		{name: "nested/claims_5000_deep", token: signRS256(key, rs256Header(""), claimsJSON(`"deep":`+deep)), want: ErrMalformed},
		{name: "nested/header_5000_deep", token: signRS256(key, rs256Header(`"deep":`+deep), claimsJSON("")), want: ErrMalformed},

		// A31: no kid with several keys.
		{name: "no_kid/one_key", token: signRS256(key, `{"alg":"RS256"}`, claimsJSON(""))},
		{name: "no_kid/two_keys", v: atkVerifier(t, mustSet(t, k1, mustKey(t, "k2", "RS256", &testkeys.RSA2048(1).PublicKey)), nil), token: signRS256(key, `{"alg":"RS256"}`, claimsJSON("")), want: ErrUnknownKey},

		// A19/A27-style typ: not required by default, enforced when set.
		{name: "typ/jwt_when_at_jwt_required", v: atkVerifier(t, set, func(c *Config) { c.RequiredType = "at+jwt" }), token: signRS256(key, rs256Header(`"typ":"JWT"`), claimsJSON("")), want: ErrInvalidType},

		// A19: an OpenID Connect ID token on an access-token route.
		{name: "id_token_as_access/hydra_shape", v: vSkipAud, token: idToken(`,"at_hash":"Q9pzLUovNYaU_V5Kn-7YSg","auth_time":1795506300,"nonce":"n","rat":1795507140,"sid":"s"`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/nonce_only", v: vSkipAud, token: idToken(`,"nonce":"n"`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/empty_nonce", v: vSkipAud, token: idToken(`,"nonce":""`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/at_hash_only", v: vSkipAud, token: idToken(`,"at_hash":"x"`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/c_hash_only", v: vSkipAud, token: idToken(`,"c_hash":"x"`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/auth_time_without_grant", v: vSkipAud, token: idToken(`,"auth_time":1795506300`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/escaped_nonce_name", v: vSkipAud, token: idToken(`,"nonce":"n"`), want: ErrWrongTokenKind},
		{name: "id_token_as_access/duplicate_nonce", v: vSkipAud, token: idToken(`,"nonce":"n","nonce":"m"`), want: ErrMalformed},
		{name: "id_token_as_access/nonce_wrong_type", v: vSkipAud, token: idToken(`,"nonce":1`), want: ErrMalformed},
		{name: "id_token_as_access/typ_absent", v: vSkipAud, token: signRS256(key, rs256Header(""), claimsJSON(`"nonce":"n"`)), want: ErrWrongTokenKind},
		{name: "id_token_as_access/audience_checked", token: idToken(`,"nonce":"n"`), want: ErrInvalidAudience},
		{name: "control/NONCE_is_not_nonce", v: vSkipAud, token: idToken(`,"NONCE":"n"`)},
		{name: "control/at+jwt_with_auth_time", v: vSkipAud, token: signRS256(key, rs256Header(`"typ":"at+jwt"`), claimsJSON(`"auth_time":1795506300`))},
		{name: "control/auth_time_with_scope", v: vSkipAud, token: idToken(`,"auth_time":1795506300,"scope":"a"`)},

		// Lifetime cap: a token minted to live for a year.
		{name: "max_lifetime/one_year", v: atkVerifier(t, set, func(c *Config) { c.MaxLifetime = time.Hour }), token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+fmt.Sprintf(`,"iat":%d,"exp":%d`, atkNow.Unix(), atkNow.AddDate(1, 0, 0).Unix()))), want: ErrLifetimeTooLong},
		{name: "max_lifetime/no_iat", v: atkVerifier(t, set, func(c *Config) { c.MaxLifetime = time.Hour }), token: signRS256(key, rs256Header(""), claimsWith(stdIss()+","+stdAud()+","+stdExp())), want: ErrMissingClaim},

		// Cross-issuer: a token from an unconfigured issuer never reaches a key source.
		{name: "iss/unconfigured_issuer", token: signRS256(attacker, rs256Header(""), claimsWith(`"iss":"https://evil.test/","sub":"u",`+stdAud()+","+stdExp())), want: ErrInvalidIssuer},
	}

	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.name] {
			t.Fatalf("duplicate row %q", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, func(t *testing.T) {
			vv := v
			if r.v != nil {
				vv = r.v
			}
			c, err := vv.Verify(context.Background(), r.token, ScopeRule{})
			if r.want == nil {
				if err != nil {
					t.Fatalf("control refused: %v", err)
				}
				if c == nil {
					t.Fatal("nil claims on success")
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %v", r.want)
			}
			if !errors.Is(err, r.want) {
				t.Fatalf("err = %v (reason %q), want %v", err, ReasonOf(err), r.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *Error", err)
			}
			if c != nil {
				t.Fatal("claims returned with an error")
			}
		})
	}
	if n := jkuHits.Load(); n != 0 {
		t.Errorf("jku/x5u server got %d requests; the verifier must never follow token-supplied URLs", n)
	}
	t.Logf("attack rows: %d", len(rows))
}

// signedWithHeader builds a token whose header is hdr and whose signature is a genuine
// RS256 signature by key over that header and a valid payload.
func signedWithHeader(hdr string, key *rsa.PrivateKey) string {
	return signRS256(key, hdr, claimsJSON(""))
}

// pssUnderRS256: a PS256 signature by the right key under an RS256 header.
func pssUnderRS256(key *rsa.PrivateKey) string {
	input := b64([]byte(rs256Header(""))) + "." + b64([]byte(claimsJSON("")))
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, h[:], nil)
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

// replaceHeader keeps payload and signature and swaps the header.
func replaceHeader(t *testing.T, token, hdr string) string {
	_, p, s := splitToken(t, token)
	return b64([]byte(hdr)) + "." + p + "." + s
}

// b64FalseToken is an RFC 7797 unencoded-payload JWS: the signature covers
// the raw payload, and the middle segment is the payload text itself
// (kept base64url-safe so only the b64 rule can refuse it).
func b64FalseToken(key *rsa.PrivateKey, withCrit bool) string {
	hdr := rs256Header(`"b64":false`)
	if withCrit {
		hdr = rs256Header(`"b64":false,"crit":["b64"]`)
	}
	payload := "payload-that-was-never-base64url-encoded"
	input := b64([]byte(hdr)) + "." + payload
	h := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

// TestAttackWeakKeys: keys under 2048 bits or with e = 1 never make it into
// a key set, so tokens they sign are refused as unknown_key, whether the
// JWKS publishes them or code tries to build them directly.
func TestAttackWeakKeys(t *testing.T) {
	weak := testkeys.RSA1024Weak()
	strong := testkeys.RSA2048(0)
	e1 := &rsa.PublicKey{N: strong.N, E: 1}

	for _, c := range []struct {
		name string
		pub  *rsa.PublicKey
	}{
		{"rsa_1024", &weak.PublicKey},
		{"rsa_e_1", e1},
		{"rsa_e_3", &rsa.PublicKey{N: strong.N, E: 3}},
		{"rsa_even_e", &rsa.PublicKey{N: strong.N, E: 65536}},
	} {
		t.Run(c.name+"/NewKey", func(t *testing.T) {
			if _, err := jwks.NewKey("weak", "RS256", "sig", c.pub); !errors.Is(err, jwks.ErrInvalidKey) {
				t.Fatalf("NewKey err = %v, want ErrInvalidKey", err)
			}
		})
		t.Run(c.name+"/jwks_document", func(t *testing.T) {
			doc := fmt.Sprintf(`{"keys":[%s,%s]}`, jwkJSON("weak", c.pub), jwkJSON(atkKID, &strong.PublicKey))
			set, skipped, err := jwks.ParseSet([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if set.Len() != 1 || len(skipped) != 1 || skipped[0].KID != "weak" {
				t.Fatalf("kept %d, skipped %+v; want only the weak key skipped", set.Len(), skipped)
			}
			v := atkVerifier(t, set, nil)
			var token string
			switch c.name {
			case "rsa_1024":
				token = signRS256(weak, `{"alg":"RS256","kid":"weak"}`, claimsJSON(""))
			default:
				// With d = 1 the signature is the encoded message itself,
				// which verifies under e = 1 (Wycheproof json_web_key tc 9).
				// For the other exponents the key is refused before any
				// signature math, so the same bytes serve.
				input := b64([]byte(`{"alg":"RS256","kid":"weak"}`)) + "." + b64([]byte(claimsJSON("")))
				token = input + "." + b64(rawPKCS1v15Sign(c.pub.N, big.NewInt(1), []byte(input)))
			}
			if _, err := v.Verify(context.Background(), token, ScopeRule{}); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("err = %v, want unknown_key", err)
			}
			// Control: the strong key in the same document still works
			// (one bad key never empties the set).
			if _, err := v.Verify(context.Background(), signRS256(strong, rs256Header(""), claimsJSON("")), ScopeRule{}); err != nil {
				t.Fatalf("strong key in the same set refused: %v", err)
			}
		})
	}
	t.Run("config_refuses_none_and_hs", func(t *testing.T) {
		for _, algs := range [][]string{{"none"}, {"HS256"}, {"RS256", "HS512"}, {"NONE"}} {
			_, err := New(Config{
				Issuers:    []Issuer{{Name: atkIssuer, Keys: mustSet(t)}},
				Audiences:  []string{atkAudience},
				Algorithms: algs,
			})
			if err == nil {
				t.Errorf("New accepted Algorithms %q", algs)
			}
		}
	})
}

// TestAttackRemovedKey: a token signed by a key that a JWKS refresh removed
// must fail at once, even though it verified (and was cached) before.
func TestAttackRemovedKey(t *testing.T) {
	k1 := mustKey(t, "k1", "RS256", &testkeys.RSA2048(0).PublicKey)
	k2 := mustKey(t, "k2", "RS256", &testkeys.RSA2048(1).PublicKey)
	src := &swapSource{}
	src.set.Store(mustSet(t, k1, k2))
	for _, cacheOff := range []bool{false, true} {
		t.Run(fmt.Sprintf("token_cache_disabled=%v", cacheOff), func(t *testing.T) {
			src.set.Store(mustSet(t, k1, k2))
			v := atkVerifier(t, src, func(c *Config) { c.TokenCache.Disable = cacheOff })
			tok := signRS256(testkeys.RSA2048(1), `{"alg":"RS256","kid":"k2"}`, claimsJSON(""))
			for i := range 2 { // twice: the second call is a cache hit when enabled
				if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil {
					t.Fatalf("call %d while k2 is published: %v", i, err)
				}
			}
			src.set.Store(mustSet(t, k1)) // refresh drops k2
			if _, err := v.Verify(context.Background(), tok, ScopeRule{}); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("after k2 removed: err = %v, want unknown_key", err)
			}
			// Republishing the same material under a new *Key is a new key.
			k2b := mustKey(t, "k2", "RS256", &testkeys.RSA2048(1).PublicKey)
			src.set.Store(mustSet(t, k1, k2b))
			if _, err := v.Verify(context.Background(), tok, ScopeRule{}); err != nil {
				t.Fatalf("after k2 republished: %v", err)
			}
			// Same kid, different material (key substitution): refused.
			src.set.Store(mustSet(t, k1, mustKey(t, "k2", "RS256", &testkeys.RSA2048(2).PublicKey)))
			if _, err := v.Verify(context.Background(), tok, ScopeRule{}); !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("kid k2 now names another key: err = %v, want invalid_signature", err)
			}
		})
	}
}
