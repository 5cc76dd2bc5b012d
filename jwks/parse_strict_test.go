package jwks

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// rawJWK is the JSON text of a JWK whose members are written out in order,
// so that a test can repeat a member or vary its case, which a map cannot.
func rawJWK(t testing.TB, members ...string) string {
	t.Helper()
	if len(members)%2 != 0 {
		t.Fatal("rawJWK: odd number of arguments")
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < len(members); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + members[i] + `":` + members[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

// rsaMembers are the kty, n and e members of RSA2048(1), as rawJWK
// arguments.
func rsaMembers(t testing.TB) []string {
	t.Helper()
	m := jwkMap("", "", "", &testkeys.RSA2048(1).PublicKey)
	return []string{"kty", `"RSA"`, "n", `"` + m["n"].(string) + `"`, "e", `"` + m["e"].(string) + `"`}
}

// JWK member names are matched exactly and a JWK with a duplicate member is
// skipped: encoding/json would match "USE" as "use" and keep the last
// duplicate, letting an enc key, a renamed kid, a rebound alg or overridden
// key_ops through.
func TestParseSetMemberNames(t *testing.T) {
	rsa := rsaMembers(t)
	key := func(extra ...string) string { return rawJWK(t, append(append([]string{}, rsa...), extra...)...) }
	tests := []struct {
		name    string
		jwk     string
		wantErr string // "" when the key is kept
		kid     string // kept key: its kid
		alg     string // kept key: its alg
		use     string // kept key: its use
	}{
		{name: "use enc then USE sig", jwk: key("kid", `"k"`, "use", `"enc"`, "USE", `"sig"`), wantErr: "use"},
		{name: "USE enc only is an unknown member", jwk: key("kid", `"k"`, "USE", `"enc"`), kid: "k"},
		{name: "kid then KID", jwk: key("kid", `"k"`, "KID", `"admin"`), kid: "k"},
		{name: "KID only is an unknown member", jwk: key("KID", `"admin"`), kid: ""},
		{name: "alg then ALG", jwk: key("kid", `"k"`, "alg", `"RS256"`, "ALG", `"PS256"`), kid: "k", alg: "RS256"},
		{name: "Alg only is an unknown member", jwk: key("kid", `"k"`, "Alg", `"none"`), kid: "k"},
		{name: "key_ops encrypt then KEY_OPS verify", jwk: key("kid", `"k"`, "key_ops", `["encrypt"]`, "KEY_OPS", `["verify"]`), wantErr: "key_ops"},
		{name: "KTY instead of kty", jwk: rawJWK(t, "KTY", `"RSA"`, "n", `"`+strings.Trim(rsa[3], `"`)+`"`, "e", `"AQAB"`), wantErr: "unsupported kty"},
		{name: "N instead of n", jwk: rawJWK(t, "kty", `"RSA"`, "N", rsa[3], "e", `"AQAB"`), wantErr: "modulus"},
		{name: "duplicate use", jwk: key("kid", `"k"`, "use", `"enc"`, "use", `"sig"`), wantErr: "duplicate"},
		{name: "duplicate use, sig first", jwk: key("kid", `"k"`, "use", `"sig"`, "use", `"enc"`), wantErr: "duplicate"},
		{name: "duplicate kid", jwk: key("kid", `"k"`, "kid", `"admin"`), wantErr: "duplicate"},
		{name: "duplicate alg", jwk: key("kid", `"k"`, "alg", `"RS256"`, "alg", `"PS256"`), wantErr: "duplicate"},
		{name: "duplicate key_ops", jwk: key("kid", `"k"`, "key_ops", `["encrypt"]`, "key_ops", `["verify"]`), wantErr: "duplicate"},
		{name: "duplicate kty", jwk: key("kid", `"k"`, "kty", `"oct"`), wantErr: "duplicate"},
		{name: "duplicate n", jwk: key("kid", `"k"`, "n", `"AQAB"`), wantErr: "duplicate"},
		{name: "duplicate e", jwk: key("kid", `"k"`, "e", `"Aw"`), wantErr: "duplicate"},
		{name: "escaped duplicate use", jwk: key("kid", `"k"`, "use", `"enc"`, `\u0075se`, `"sig"`), wantErr: "duplicate"},
		{name: "escaped duplicate kid", jwk: key("kid", `"k"`, `k\u0069d`, `"admin"`), wantErr: "duplicate"},
		{name: "duplicate unknown member", jwk: key("kid", `"k"`, "x-note", `1`, "x-note", `2`), wantErr: "duplicate"},
		{name: "duplicate inside an unknown member", jwk: key("kid", `"k"`, "x-meta", `{"a":1,"a":2}`), wantErr: "duplicate"},
		{name: "kid null", jwk: key("kid", `null`), wantErr: "null"},
		{name: "use null", jwk: key("kid", `"k"`, "use", `null`), wantErr: "null"},
		{name: "alg null", jwk: key("kid", `"k"`, "alg", `null`), wantErr: "null"},
		{name: "key_ops null", jwk: key("kid", `"k"`, "key_ops", `null`), wantErr: "null"},
		{name: "key_ops with a null", jwk: key("kid", `"k"`, "key_ops", `["verify",null]`), wantErr: "key_ops"},
		{name: "plain key", jwk: key("kid", `"k"`, "alg", `"RS256"`, "use", `"sig"`), kid: "k", alg: "RS256", use: "sig"},
	}
	good := hydraJWK(0)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			goodJSON, err := json.Marshal(good)
			if err != nil {
				t.Fatal(err)
			}
			doc := `{"keys":[` + string(goodJSON) + `,` + tc.jwk + `]}`
			s, skipped, err := ParseSet([]byte(doc))
			if err != nil {
				t.Fatalf("ParseSet: %v", err)
			}
			if tc.wantErr != "" {
				if s.Len() != 1 || len(skipped) != 1 || skipped[0].Index != 1 || !errors.Is(skipped[0].Err, ErrInvalidKey) {
					t.Fatalf("set %d keys, skipped %+v; want the JWK skipped", s.Len(), skipped)
				}
				if !strings.Contains(skipped[0].Err.Error(), tc.wantErr) {
					t.Errorf("reason %q does not mention %q", skipped[0].Err, tc.wantErr)
				}
				return
			}
			if s.Len() != 2 || len(skipped) != 0 {
				t.Fatalf("set %d keys, skipped %+v; want the JWK kept", s.Len(), skipped)
			}
			var k *Key
			for _, c := range s.Keys() {
				if c.KID() != hydraKID(0) {
					k = c
				}
			}
			if k.KID() != tc.kid || k.Alg() != tc.alg || k.Use() != tc.use {
				t.Errorf("key kid %q alg %q use %q, want %q %q %q", k.KID(), k.Alg(), k.Use(), tc.kid, tc.alg, tc.use)
			}
		})
	}
}

// Key material is decoded as strict base64url whatever jwx would accept:
// no standard alphabet, padding, line breaks or non-zero trailing bits, no
// leading zero octet in RSA integers, exact EC and Ed25519 sizes.
func TestParseSetStrictKeyMaterial(t *testing.T) {
	rsa1 := jwkMap("bad", "RS256", "sig", &testkeys.RSA2048(1).PublicKey)
	n := rsa1["n"].(string)
	if !strings.ContainsAny(n, "-_") {
		t.Fatal("test key's n has no URL-safe characters; pick another key")
	}
	nBytes, err := b64.DecodeString(n)
	if err != nil {
		t.Fatal(err)
	}
	ec := jwkMap("bad", "ES256", "sig", testkeys.ECP256().Public())
	ecX, err := b64.DecodeString(ec["x"].(string))
	if err != nil {
		t.Fatal(err)
	}
	ed := jwkMap("bad", "EdDSA", "sig", testkeys.Ed25519().Public())
	edX := ed["x"].(string)
	std := func(s string) string { return strings.NewReplacer("-", "+", "_", "/").Replace(s) }
	tests := []struct {
		name    string
		bad     map[string]any
		wantMsg string
	}{
		{"rsa n standard alphabet", with(rsa1, "n", std(n)), "modulus"},
		{"rsa n padded", with(rsa1, "n", n+"=="), "modulus"},
		{"rsa n standard padded", with(rsa1, "n", base64.StdEncoding.EncodeToString(nBytes)), "modulus"},
		{"rsa n leading zero octet", with(rsa1, "n", b64.EncodeToString(append([]byte{0}, nBytes...))), "leading zero"},
		{"rsa n line break", with(rsa1, "n", n[:100]+"\n"+n[100:]), "line break"},
		{"rsa n CRLF at end", with(rsa1, "n", n+"\r\n"), "line break"},
		{"rsa n trailing bits", with(rsa1, "n", flipTrailingBit(t, n)), "modulus"},
		{"rsa n space", with(rsa1, "n", n[:10]+" "+n[10:]), "modulus"},
		{"rsa n empty", with(rsa1, "n", ""), "modulus"},
		{"rsa n not a string", with(rsa1, "n", 7), "bad member"},
		{"rsa e leading zero octet", with(rsa1, "e", "AAEAAQ"), "leading zero"},
		{"rsa e padded", with(rsa1, "e", "AQAB="), "exponent"},
		{"rsa e empty", with(rsa1, "e", ""), "exponent"},
		{"ec x padded", with(ec, "x", ec["x"].(string)+"="), "x"},
		{"ec x standard alphabet", with(ec, "x", base64.StdEncoding.EncodeToString(ecX)), "x"},
		{"ec x leading zero octet (33 bytes)", with(ec, "x", b64.EncodeToString(append([]byte{0}, ecX...))), "33 octets"},
		{"ec x short (31 bytes)", with(ec, "x", b64.EncodeToString(ecX[1:])), "31 octets"},
		{"ec y missing", with(ec, "y", nil), "0 octets"},
		{"ec y trailing bits", with(ec, "y", flipTrailingBit(t, ec["y"].(string))), "y"},
		{"ec crv lower case", with(ec, "crv", "p-256"), "curve"},
		{"ec crv Ed25519", with(ec, "crv", "Ed25519"), "curve"},
		{"ec crv missing", with(ec, "crv", nil), "curve"},
		{"okp crv P-256", with(ed, "crv", "P-256"), "curve"},
		{"ed25519 x padded", with(ed, "x", edX+"="), "x"},
		{"ed25519 x line break", with(ed, "x", edX[:5]+"\n"+edX[5:]), "line break"},
		{"ed25519 x trailing bits", with(ed, "x", flipTrailingBit(t, edX)), "x"},
		{"ed25519 x 33 bytes", with(ed, "x", b64.EncodeToString(append(make([]byte, 1), testkeys.Ed25519().Public().(ed25519.PublicKey)...))), "33 octets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, skipped, err := ParseSet(jwksDoc(t, hydraJWK(0), tc.bad))
			if err != nil {
				t.Fatalf("ParseSet: %v", err)
			}
			if s.Len() != 1 || len(skipped) != 1 || skipped[0].Index != 1 || !errors.Is(skipped[0].Err, ErrInvalidKey) {
				t.Fatalf("set %d keys, skipped %+v; want the JWK skipped", s.Len(), skipped)
			}
			if !strings.Contains(skipped[0].Err.Error(), tc.wantMsg) {
				t.Errorf("reason %q does not mention %q", skipped[0].Err, tc.wantMsg)
			}
		})
	}
}

// flipTrailingBit returns s, the unpadded base64url of a value whose length
// is not a multiple of 3, with the lowest unused bit of its last character
// set: the same octets under a non-canonical encoding.
func flipTrailingBit(t testing.TB, s string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(s)%4 == 0 {
		t.Fatalf("%q has no trailing bits", s)
	}
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}

// A JWK Set document is read exactly at its top level too: a member named
// twice refuses the whole document (which "keys" would count is a guess),
// and so do invalid UTF-8 and data after the object. Case variants of
// "keys" are unknown members.
func TestParseSetDocumentExact(t *testing.T) {
	goodJSON, err := json.Marshal(hydraJWK(0))
	if err != nil {
		t.Fatal(err)
	}
	good := string(goodJSON)
	tests := []struct {
		name string
		doc  string
		want int // usable keys; -1 for ErrFetch
	}{
		{"keys twice, empty last", `{"keys":[` + good + `],"keys":[]}`, -1},
		{"keys twice, empty first", `{"keys":[],"keys":[` + good + `]}`, -1},
		{"keys twice, escaped", `{"keys":[],"k\u0065ys":[` + good + `]}`, -1},
		{"other member twice", `{"keys":[` + good + `],"x":1,"x":2}`, -1},
		{"trailing object", `{"keys":[]}{"keys":[` + good + `]}`, -1},
		{"trailing junk", `{"keys":[` + good + `]} x`, -1},
		{"invalid UTF-8", "{\"keys\":[" + good + "],\"x\":\"\xff\"}", -1},
		{"only KEYS", `{"KEYS":[` + good + `]}`, -1},
		{"Keys beside keys", `{"Keys":[],"keys":[` + good + `]}`, 1},
		{"trailing whitespace", "{\"keys\":[" + good + "]}\n", 1},
		{"escaped keys", `{"k\u0065ys":[` + good + `]}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, skipped, err := ParseSet([]byte(tc.doc))
			if tc.want < 0 {
				if !errors.Is(err, ErrFetch) || s != nil {
					t.Fatalf("ParseSet = %v, %v; want ErrFetch", s, err)
				}
				return
			}
			if err != nil || s.Len() != tc.want || len(skipped) != 0 {
				t.Fatalf("ParseSet = %v keys, %+v, %v; want %d keys", s.Len(), skipped, err, tc.want)
			}
		})
	}
}
