package verify

// Conformance against Project Wycheproof (C2SP/wycheproof testvectors_v1,
// Apache-2.0) and RFC 7520 §4.1, decided as testdata/README.md maps them for
// an RS256-only verifier:
//
//	accept  ⇔  result == "valid"  ∧  header alg == "RS256"
//	           ∧  the key is an RSA key whose JWK alg (if present) is "RS256"
//
// and every other case is refused. Every case is a named subtest
// (TestWycheproofJWS/tc345, …). Wycheproof payloads are not JWT claim sets,
// so the JWS and JWK files are decided by verifySignatureOnly (every check
// Verify runs except the claims), and the RSA file by the RS256 primitive
// the verifier calls (verifyRS256Primitive below).
//
// Known gaps and deliberate deviations. Each is asserted explicitly: the
// test fails if the behaviour changes, so fixing a gap forces this table to
// be updated.
//
//	file                                 tcId  mapping says  jwtguard  why
//	json_web_signature_test.json         259   accept        reject    Empty payload segment. jwtguard verifies JWTs: a
//	                                                                   payload must be a JSON object, and the shape check
//	                                                                   refuses empty segments before any crypto
//	                                                                   (malformed). Not a security gap (stricter).
//	rsa_signature_2048_sha256_test.json  8     acceptable    reject    MissingNull DigestInfo; Go's VerifyPKCS1v15 refuses
//	                                                                   it, which Wycheproof allows.
//
// The e=3 groups of the RSA file (tc 258, 259) are decided by the primitive
// as Wycheproof says (valid), and additionally the key policy is asserted:
// jwks.NewKey refuses e=3, so no such key ever reaches the primitive.

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwks"
)

const vectorsDir = "../testdata"

// gap records a case where jwtguard's verdict differs from the README
// mapping. got is jwtguard's actual verdict; reason is the refusal reason
// when got is false.
type gap struct {
	got    bool
	reason Reason
	why    string
}

var wycheproofGaps = map[string]map[int]gap{
	"json_web_signature_test.json": {
		259: {got: false, reason: ReasonMalformed, why: "empty payload segment refused by the shape check"},
	},
	"rsa_signature_2048_sha256_test.json": {
		8: {got: false, why: "acceptable MissingNull: Go refuses it"},
	},
}

// wantAccepted are the tcIds the README mapping accepts, written out so a
// drift in the rule (or in the vectors) is noticed.
var wantAccepted = map[string][]int{
	"json_web_signature_test.json": {33, 259, 260, 261, 262, 263, 345, 349},
	"json_web_key_test.json":       {5},
}

type wpTest struct {
	TcID    int             `json:"tcId"`
	Comment string          `json:"comment"`
	Flags   []string        `json:"flags"`
	JWS     json.RawMessage `json:"jws"`
	Result  string          `json:"result"`
	Msg     string          `json:"msg"`
	Sig     string          `json:"sig"`
}

type wpGroup struct {
	Comment      string          `json:"comment"`
	Private      json.RawMessage `json:"private"`
	Public       json.RawMessage `json:"public"`
	PublicKeyDer string          `json:"publicKeyDer"`
	KeyJwk       json.RawMessage `json:"keyJwk"`
	Tests        []wpTest        `json:"tests"`
}

type wpFile struct {
	NumberOfTests int       `json:"numberOfTests"`
	TestGroups    []wpGroup `json:"testGroups"`
}

func loadWycheproof(t *testing.T, name string) wpFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir, "wycheproof", name))
	if err != nil {
		t.Fatal(err)
	}
	var f wpFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	n := 0
	for _, g := range f.TestGroups {
		n += len(g.Tests)
	}
	if n != f.NumberOfTests {
		t.Fatalf("%s: %d tests in groups, numberOfTests says %d", name, n, f.NumberOfTests)
	}
	return f
}

// jwsString returns the test's token: the compact string, or for the JSON
// serialization (tc 17) the JSON text itself, which is what an attacker
// would send in its place.
func (tc wpTest) jwsString(t *testing.T) string {
	var s string
	if err := json.Unmarshal(tc.JWS, &s); err == nil {
		return s
	}
	return string(tc.JWS)
}

// newSigOnlyVerifier is a verifier with the defaults (RS256 only) whose sole
// issuer's keys are src. Claims are never looked at by verifySignatureOnly;
// the token cache is off so every call does the full work.
func newSigOnlyVerifier(t *testing.T, src jwks.Source) *Verifier {
	t.Helper()
	v, err := New(Config{
		Issuers:                   []Issuer{{Name: "https://issuer.test/", Keys: src}},
		InsecureSkipAudienceCheck: true,
		TokenCache:                TokenCacheConfig{Disable: true},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// parseSetJSON wraps a single JWK (object) or a JWK Set into jwks.ParseSet.
func parseSetJSON(t *testing.T, raw json.RawMessage) (*jwks.Set, []jwks.Skipped) {
	t.Helper()
	doc := raw
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		t.Fatalf("key JSON: %v", err)
	}
	if _, ok := probe["keys"]; !ok {
		doc = json.RawMessage(`{"keys":[` + string(raw) + `]}`)
	}
	set, skipped, err := jwks.ParseSet(doc)
	if err != nil {
		t.Fatalf("ParseSet: %v", err)
	}
	return set, skipped
}

// publicPart removes private members from a JWK or every JWK of a set, so a
// group that only gives "private" can be published as a JWKS would be.
func publicPart(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	strip := func(m map[string]any) {
		for _, k := range []string{"d", "p", "q", "dp", "dq", "qi", "oth"} {
			delete(m, k)
		}
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if keys, ok := v["keys"].([]any); ok {
		for _, k := range keys {
			if m, ok := k.(map[string]any); ok {
				strip(m)
			}
		}
	} else {
		strip(v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// strictB64 is the oracle's own base64url check (independent of the
// verifier): non-empty, [A-Za-z0-9_-] only, canonical.
func strictB64(s string) ([]byte, bool) {
	if s == "" {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, false
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return b, err == nil
}

// oracle decides a compact token for an RS256-only verifier whose keys are
// set, independently of the verifier's code: the expected verdict for a
// case that must be refused, as the set of acceptable reasons (checks that
// could fire first, given the documented order). It returns nil when only
// the signature can decide.
func oracle(token string, set *jwks.Set) (alg string, reasons []Reason) {
	segs := strings.Split(token, ".")
	if len(segs) != 3 {
		return "", []Reason{ReasonMalformed}
	}
	var dec [3][]byte
	for i, s := range segs {
		b, ok := strictB64(s)
		if !ok {
			return "", []Reason{ReasonMalformed}
		}
		dec[i] = b
	}
	var hdr map[string]any
	if err := json.Unmarshal(dec[0], &hdr); err != nil {
		return "", []Reason{ReasonMalformed}
	}
	alg, _ = hdr["alg"].(string)
	_, hasCrit := hdr["crit"]
	_, hasB64 := hdr["b64"]
	_, hasEnc := hdr["enc"]
	if alg != "RS256" {
		if hasCrit || hasB64 || hasEnc {
			return alg, []Reason{ReasonUnsupportedAlgorithm, ReasonMalformed}
		}
		return alg, []Reason{ReasonUnsupportedAlgorithm}
	}
	if hasCrit || hasB64 || hasEnc {
		return alg, []Reason{ReasonMalformed}
	}
	kid, _ := hdr["kid"].(string)
	if _, err := set.Key(context.Background(), kid, alg); err != nil {
		switch {
		case errors.Is(err, jwks.ErrKeyNotFound):
			return alg, []Reason{ReasonUnknownKey}
		case errors.Is(err, jwks.ErrKeyMismatch):
			return alg, []Reason{ReasonUnsupportedAlgorithm}
		}
		return alg, []Reason{ReasonUnavailable}
	}
	return alg, nil
}

// keyFitsRS256 is the README's key condition: an RSA key whose JWK alg, if
// present, is RS256. It reads the published JWK(s), not the parsed set.
func keyFitsRS256(t *testing.T, raw json.RawMessage, kid string) bool {
	t.Helper()
	var one struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(raw, &one); err != nil || one.Keys == nil {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		one.Keys = []map[string]any{m}
	}
	for _, k := range one.Keys {
		if k["kid"] != nil && k["kid"] != kid {
			continue
		}
		alg, hasAlg := k["alg"]
		if k["kty"] == "RSA" && (!hasAlg || alg == "RS256") {
			return true
		}
	}
	return false
}

type tally struct{ accepted, rejected, gaps int }

func (c *tally) String() string {
	return fmt.Sprintf("accepted %d, rejected %d, known gaps/deviations %d", c.accepted, c.rejected, c.gaps)
}

// decide runs one compact-JWS case through verifySignatureOnly and checks it
// against the mapping, the gap table and the oracle's reasons.
func decide(t *testing.T, file string, v *Verifier, set *jwks.Set, tc wpTest, want bool, cnt *tally) {
	t.Helper()
	token := tc.jwsString(t)
	err := v.verifySignatureOnly(context.Background(), token)
	got := err == nil
	if got {
		cnt.accepted++
	} else {
		cnt.rejected++
	}
	if g, ok := wycheproofGaps[file][tc.TcID]; ok {
		cnt.gaps++
		if got != g.got {
			t.Fatalf("known gap changed (%s): now accepted=%v (err %v); update the table at the top of this file", g.why, got, err)
		}
		if !got && g.reason != "" && !errors.Is(err, sentinels[g.reason]) {
			t.Fatalf("known deviation %q: reason %q, want %q", g.why, ReasonOf(err), g.reason)
		}
		t.Logf("known gap: %s", g.why)
		return
	}
	if got != want {
		t.Fatalf("%s %v: accepted=%v, want %v (err: %v)", tc.Comment, tc.Flags, got, want, err)
	}
	if got {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	_, reasons := oracle(token, set)
	if reasons == nil {
		// Shape, alg and key are fine: only the signature can refuse it.
		reasons = []Reason{ReasonInvalidSignature}
	}
	if !slices.Contains(reasons, e.Reason) {
		t.Fatalf("%s %v: reason %q (%v), want one of %q", tc.Comment, tc.Flags, e.Reason, err, reasons)
	}
	if !errors.Is(err, sentinels[e.Reason]) {
		t.Fatalf("errors.Is(err, %s sentinel) = false", e.Reason)
	}
}

func checkAcceptedList(t *testing.T, file string, f wpFile, accepted []int) {
	t.Helper()
	var mapped []int
	for _, g := range f.TestGroups {
		for _, tc := range g.Tests {
			if slices.Contains(accepted, tc.TcID) {
				mapped = append(mapped, tc.TcID)
			}
		}
	}
	if want := wantAccepted[file]; !slices.Equal(mapped, want) {
		t.Errorf("%s: mapping accepts %v, README says %v", file, mapped, want)
	}
}

// TestWycheproofJWS decides every case of json_web_signature_test.json with
// the group's public JWK (or the public part of "private") as the only key.
func TestWycheproofJWS(t *testing.T) {
	const file = "json_web_signature_test.json"
	f := loadWycheproof(t, file)
	var cnt tally
	var mapped []int
	for _, g := range f.TestGroups {
		pub := g.Public
		if len(pub) == 0 {
			pub = publicPart(t, g.Private)
		}
		set, _ := parseSetJSON(t, pub)
		mapped = decideGroup(t, file, set, pub, g.Tests, mapped, &cnt)
	}
	checkAcceptedList(t, file, f, mapped)
	t.Logf("%s: %d cases: %s", file, f.NumberOfTests, &cnt)
}

// decideGroup runs one group's cases against a signature-only verifier over
// set, each as a subtest. A case is expected to verify exactly when the
// README mapping says so (valid, alg RS256, and a key in keyDoc that fits
// RS256); the tcIds so expected are appended to mapped.
func decideGroup(t *testing.T, file string, set *jwks.Set, keyDoc json.RawMessage, tests []wpTest, mapped []int, cnt *tally) []int {
	t.Helper()
	v := newSigOnlyVerifier(t, set)
	for _, tc := range tests {
		var alg, kid string
		if h, ok := headerOf(tc.jwsString(t)); ok {
			alg, _ = h["alg"].(string)
			kid, _ = h["kid"].(string)
		}
		want := tc.Result == "valid" && alg == "RS256" && keyFitsRS256(t, keyDoc, kid)
		if want {
			mapped = append(mapped, tc.TcID)
		}
		t.Run(fmt.Sprintf("tc%d", tc.TcID), func(t *testing.T) {
			decide(t, file, v, set, tc, want, cnt)
		})
	}
	return mapped
}

// headerOf decodes the first segment leniently (for the mapping only).
func headerOf(token string) (map[string]any, bool) {
	h, _, ok := strings.Cut(token, ".")
	if !ok {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return nil, false
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m) == nil
}

// wantKept is how many keys jwks.ParseSet must keep from each
// json_web_key_test.json group (published as given: "public", else the
// group's "private" set as is, since that is what a hostile JWKS would
// serve). Keyed by the group's first tcId.
var wantKept = map[int]struct {
	n   int
	why string
}{
	1:  {1, "oct key skipped (never import symmetric keys); the EC key is kept"},
	2:  {0, "oct keys skipped"},
	4:  {0, "oct keys, and both share a kid"},
	5:  {1, "valid RS256 key"},
	6:  {0, `use "enc"`},
	7:  {0, "ROCA modulus (CVE-2017-15361): jwks refuses the fingerprint"},
	8:  {0, "1024-bit RSA"},
	9:  {0, "e = 1"},
	10: {0, "oct"}, 11: {0, "oct"}, 12: {0, "oct"}, 13: {0, "oct"}, 14: {0, "oct"}, 15: {0, "oct"},
	16: {0, "oct"}, 17: {0, "oct"}, 18: {0, "oct"},
	19: {0, `alg "ES521" is not a JWS alg and does not fit P-256`},
	20: {0, `alg "ES224" is not a JWS alg`},
	21: {0, `use "enc"`},
	22: {0, "point not on the curve"},
	23: {0, "P-384 with 32-byte coordinates"},
	24: {0, "kty RSA with EC members"},
	25: {0, "oct (A256GCM)"},
	26: {0, "oct (A256KW)"},
}

// TestWycheproofJWK decides every case of json_web_key_test.json with the
// group's key set built by jwks.ParseSet (bad keys are skipped one by one,
// never poisoning the set), then verifySignatureOnly.
func TestWycheproofJWK(t *testing.T) {
	const file = "json_web_key_test.json"
	f := loadWycheproof(t, file)
	var cnt tally
	var mapped []int
	for _, g := range f.TestGroups {
		doc := g.Public
		if len(doc) == 0 {
			doc = g.Private
		}
		set, skipped := parseSetJSON(t, doc)
		first := g.Tests[0].TcID
		if w, ok := wantKept[first]; !ok {
			t.Errorf("group %q (tc%d): no key-policy expectation", g.Comment, first)
		} else if set.Len() != w.n {
			t.Errorf("group %q (tc%d): ParseSet kept %d keys, want %d (%s); skipped: %v", g.Comment, first, set.Len(), w.n, w.why, skipped)
		}
		mapped = decideGroup(t, file, set, doc, g.Tests, mapped, &cnt)
	}
	checkAcceptedList(t, file, f, mapped)
	t.Logf("%s: %d cases: %s", file, f.NumberOfTests, &cnt)
}

// TestWycheproofJWKResigned: tc 8 (1024-bit key) and tc 9 (e = 1) carry an
// empty payload, so the shape check refuses them before the key matters.
// These variants re-sign a non-empty payload with the group's own key, so
// the key policy alone must refuse them.
func TestWycheproofJWKResigned(t *testing.T) {
	f := loadWycheproof(t, "json_web_key_test.json")
	groups := map[int]wpGroup{}
	for _, g := range f.TestGroups {
		groups[g.Tests[0].TcID] = g
	}
	for _, tcID := range []int{8, 9} {
		t.Run(fmt.Sprintf("tc%d", tcID), func(t *testing.T) {
			g := groups[tcID]
			var priv struct {
				Keys []struct {
					Kid, N, E, D string
				} `json:"keys"`
			}
			if err := json.Unmarshal(g.Private, &priv); err != nil || len(priv.Keys) != 1 {
				t.Fatalf("private: %v", err)
			}
			k := priv.Keys[0]
			n := new(big.Int).SetBytes(mustB64(t, k.N))
			d := new(big.Int).SetBytes(mustB64(t, k.D))
			hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"` + k.Kid + `"}`))
			input := hdr + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x"}`))
			sig := rawPKCS1v15Sign(n, d, []byte(input))
			// The raw signature must be right for the key (so that only
			// the key policy can refuse the token): check with the math.
			e := new(big.Int).SetBytes(mustB64(t, k.E))
			if got := new(big.Int).Exp(new(big.Int).SetBytes(sig), e, n); got.Cmp(new(big.Int).SetBytes(pkcs1v15EM(n, []byte(input)))) != 0 {
				t.Fatal("test bug: raw signature does not verify under the raw key")
			}
			token := input + "." + base64.RawURLEncoding.EncodeToString(sig)
			set, skipped := parseSetJSON(t, g.Public)
			if set.Len() != 0 {
				t.Fatalf("ParseSet kept the weak key (skipped %v)", skipped)
			}
			err := newSigOnlyVerifier(t, set).verifySignatureOnly(context.Background(), token)
			if !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("err = %v, want unknown_key (weak key never published)", err)
			}
		})
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pkcs1v15EM is EMSA-PKCS1-v1_5 over SHA-256 for a modulus n.
func pkcs1v15EM(n *big.Int, msg []byte) []byte {
	h := sha256.Sum256(msg)
	prefix := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	k := (n.BitLen() + 7) / 8
	em := make([]byte, k)
	em[1] = 1
	tLen := len(prefix) + len(h)
	for i := 2; i < k-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-tLen:], prefix)
	copy(em[k-len(h):], h[:])
	return em
}

// rawPKCS1v15Sign signs without crypto/rsa's key checks (which would refuse
// e = 1), the way an attacker holding such a key would.
func rawPKCS1v15Sign(n, d *big.Int, msg []byte) []byte {
	s := new(big.Int).Exp(new(big.Int).SetBytes(pkcs1v15EM(n, msg)), d, n)
	return s.FillBytes(make([]byte, (n.BitLen()+7)/8))
}

// TestWycheproofRSASignature runs rsa_signature_2048_sha256_test.json
// against the RS256 primitive the verifier calls, with msg as the signing
// input and sig as the raw signature.
func TestWycheproofRSASignature(t *testing.T) {
	const file = "rsa_signature_2048_sha256_test.json"
	f := loadWycheproof(t, file)
	var cnt tally
	for gi, g := range f.TestGroups {
		der, err := hex.DecodeString(g.PublicKeyDer)
		if err != nil {
			t.Fatal(err)
		}
		pk, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatal(err)
		}
		pub := pk.(*rsa.PublicKey)
		// Key policy: the verifier only ever sees keys jwks.NewKey
		// accepted. e = 65537 passes; the e = 3 groups must be refused.
		key, err := jwks.NewKey("none", "RS256", "", pub)
		if (err == nil) != (pub.E == 65537) {
			t.Errorf("group %d (e=%d): jwks.NewKey err = %v", gi, pub.E, err)
		} else if err != nil && !errors.Is(err, jwks.ErrInvalidKey) {
			t.Errorf("group %d (e=%d): jwks.NewKey err = %v, want ErrInvalidKey", gi, pub.E, err)
		}
		// The keyJwk form must parse to the same key (or be skipped for e=3).
		set, _ := parseSetJSON(t, g.KeyJwk)
		if (set.Len() == 1) != (pub.E == 65537) {
			t.Errorf("group %d (e=%d): ParseSet(keyJwk) kept %d keys", gi, pub.E, set.Len())
		}
		for _, tc := range g.Tests {
			t.Run(fmt.Sprintf("tc%d", tc.TcID), func(t *testing.T) {
				msg, err1 := hex.DecodeString(tc.Msg)
				sig, err2 := hex.DecodeString(tc.Sig)
				if err := errors.Join(err1, err2); err != nil {
					t.Fatal(err)
				}
				err := verifyRS256Primitive(key, pub, msg, sig)
				got := err == nil
				if got {
					cnt.accepted++
				} else {
					cnt.rejected++
				}
				if gp, ok := wycheproofGaps[file][tc.TcID]; ok {
					cnt.gaps++
					if got != gp.got {
						t.Fatalf("known case changed (%s): accepted=%v; update the table", gp.why, got)
					}
					return
				}
				if tc.Result == "acceptable" {
					t.Fatalf("acceptable case %d without an entry in wycheproofGaps (accepted=%v)", tc.TcID, got)
				}
				if want := tc.Result == "valid"; got != want {
					t.Fatalf("%s %v: accepted=%v, want %v (%v)", tc.Comment, tc.Flags, got, want, err)
				}
			})
		}
	}
	t.Logf("%s: %d cases: %s", file, f.NumberOfTests, &cnt)
}

// verifyRS256Primitive is the RS256 signature check the verifier runs once
// shape, header and key binding have passed: checkSignature in crypto.go
// (length check, then jwks.Key.VerifyPKCS1v15 over SHA-256). k is the
// jwks.Key the verifier would hold; for keys jwks.NewKey refuses (e = 3)
// there is no *jwks.Key, so the same length check and crypto/rsa run on
// the bare key (internal/rsapub runs these vectors through the prepared
// path too, e = 3 included).
func verifyRS256Primitive(k *jwks.Key, pub *rsa.PublicKey, signingInput, sig []byte) error {
	if k != nil {
		return checkSignature(lookupAlg("RS256"), k, string(signingInput), sig, nil)
	}
	if len(sig) != pub.Size() {
		return errors.New("signature length differs from the modulus length")
	}
	h := sha256.Sum256(signingInput)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig)
}

// rfc7520 loads RFC 7520 §4.1's compact JWS and §3.3's public key.
func rfc7520(t *testing.T) (token string, pubJWK json.RawMessage) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir, "rfc7520", "4_1.rsa_v15_signature.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Output struct {
			Compact string `json:"compact"`
		} `json:"output"`
	}
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	pubJWK, err = os.ReadFile(filepath.Join(vectorsDir, "rfc7520", "3_3.rsa_public_key.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ex.Output.Compact, pubJWK
}

// TestRFC7520 verifies RFC 7520 §4.1 (RS256, kid bilbo.baggins@hobbiton.example)
// with the §3.3 key, then refuses tampered variants, each for its reason.
// The payload is a quote, not a JWT claims set, so the full Verify must
// refuse the genuine token too.
func TestRFC7520(t *testing.T) {
	token, pubJWK := rfc7520(t)
	set, skipped := parseSetJSON(t, pubJWK)
	if set.Len() != 1 {
		t.Fatalf("ParseSet kept %d keys (skipped %v)", set.Len(), skipped)
	}
	v := newSigOnlyVerifier(t, set)
	h, p, s := splitToken(t, token)

	flip := func(seg string, i int) string {
		b := []byte(seg)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	sigBytes := mustB64(t, s)
	b64 := base64.RawURLEncoding.EncodeToString
	cases := []struct {
		name  string
		token string
		want  error // nil: accepted
	}{
		{"genuine", token, nil},
		{"payload_char_flipped", h + "." + flip(p, 10) + "." + s, ErrInvalidSignature},
		{"signature_char_flipped", h + "." + p + "." + flip(s, 20), ErrInvalidSignature},
		{"signature_truncated_one_byte", h + "." + p + "." + b64(sigBytes[:len(sigBytes)-1]), ErrInvalidSignature},
		{"signature_leading_zero_byte", h + "." + p + "." + b64(append([]byte{0}, sigBytes...)), ErrInvalidSignature},
		{"signature_dropped", h + "." + p + ".", ErrMalformed},
		{"header_kid_changed", b64([]byte(`{"alg":"RS256","kid":"frodo.baggins@hobbiton.example"}`)) + "." + p + "." + s, ErrUnknownKey},
		{"header_alg_PS256", b64([]byte(`{"alg":"PS256","kid":"bilbo.baggins@hobbiton.example"}`)) + "." + p + "." + s, ErrUnsupportedAlgorithm},
		{"header_reencoded_with_space", b64([]byte(`{"alg":"RS256", "kid":"bilbo.baggins@hobbiton.example"}`)) + "." + p + "." + s, ErrInvalidSignature},
		{"padding_added", h + "." + p + "." + s + "==", ErrMalformed},
		{"standard_alphabet", h + "." + p + "." + strings.NewReplacer("-", "+", "_", "/").Replace(s), ErrMalformed},
		{"trailing_newline", token + "\n", ErrMalformed},
		{"json_serialization", jsonSerialization(h, p, s), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "standard_alphabet" && !strings.ContainsAny(s, "-_") {
				t.Fatal("test bug: signature has no - or _ to swap")
			}
			err := v.verifySignatureOnly(context.Background(), c.token)
			if c.want == nil {
				if err != nil {
					t.Fatalf("genuine RFC 7520 §4.1 token refused: %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}

	t.Run("full_verify_refuses_non_jwt_payload", func(t *testing.T) {
		_, err := v.Verify(context.Background(), token, ScopeRule{})
		if err == nil {
			t.Fatal("Verify accepted a payload that is not a JWT claims set")
		}
		if r := ReasonOf(err); r != ReasonMalformed && r != ReasonMissingClaim {
			t.Fatalf("reason %q (%v), want malformed or missing_claim", r, err)
		}
	})
}

func splitToken(t *testing.T, token string) (h, p, s string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	return parts[0], parts[1], parts[2]
}

func jsonSerialization(h, p, s string) string {
	b, _ := json.Marshal(map[string]any{"payload": p, "protected": h, "signature": s})
	return string(b)
}
