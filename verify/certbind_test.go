package verify

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// bindCert is a stand-in client certificate: CheckCertBinding reads only
// its DER bytes.
var (
	bindCert  = &x509.Certificate{Raw: []byte("client certificate A")}
	otherCert = &x509.Certificate{Raw: []byte("client certificate B")}
)

func thumbOf(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// rawClaims returns Claims over raw as-is (no validation), so that inputs
// the JWT scanner and NewClaims would refuse (duplicates) reach the
// binding decoder too.
func rawClaims(raw string) *Claims { return &Claims{Issuer: testIssuer, raw: raw} }

func TestCheckCertBinding(t *testing.T) {
	good := thumbOf(bindCert)
	bound := `{"sub":"svc","cnf":{"x5t#S256":"` + good + `"}}`
	sum := sha256.Sum256(bindCert.Raw)
	tests := []struct {
		name     string
		raw      string
		leaf     *x509.Certificate
		required bool
		want     Reason // "" accepted
	}{
		{name: "unbound, no certificate", raw: `{"sub":"svc"}`},
		{name: "no payload", raw: ""},
		{name: "no payload, binding required", raw: "", leaf: bindCert, required: true, want: ReasonInvalidCertBinding},
		{name: "unbound, a certificate", raw: `{"sub":"svc"}`, leaf: bindCert},
		{name: "unbound, binding required", raw: `{"sub":"svc"}`, leaf: bindCert, required: true, want: ReasonInvalidCertBinding},
		{name: "dpop-only cnf is not a certificate binding", raw: `{"cnf":{"jkt":"abc"}}`, leaf: bindCert},
		{name: "dpop-only cnf, binding required", raw: `{"cnf":{"jkt":"abc"}}`, leaf: bindCert, required: true, want: ReasonInvalidCertBinding},
		{name: "empty cnf", raw: `{"cnf":{}}`},
		{name: "bound, right certificate", raw: bound, leaf: bindCert},
		{name: "bound, right certificate, binding required", raw: bound, leaf: bindCert, required: true},
		{name: "bound, other members in cnf", raw: `{"cnf":{"jkt":"x","x5t#S256":"` + good + `","n":[1]}}`, leaf: bindCert},
		{name: "bound, escaped member names", raw: `{"\u0063nf":{"x5t\u0023S256":"` + good + `"}}`, leaf: bindCert},
		{name: "bound, another certificate", raw: bound, leaf: otherCert, want: ReasonInvalidCertBinding},
		{name: "bound, no certificate", raw: bound, want: ReasonInvalidCertBinding},
		{name: "bound, escaped names, another certificate", raw: `{"\u0063nf":{"x5t\u0023S256":"` + good + `"}}`, leaf: otherCert, want: ReasonInvalidCertBinding},
		{name: "bound to one byte off", raw: `{"cnf":{"x5t#S256":"` + base64.RawURLEncoding.EncodeToString(append(sum[:31:31], sum[31]^1)) + `"}}`, leaf: bindCert, want: ReasonInvalidCertBinding},

		{name: "cnf a string", raw: `{"cnf":"` + good + `"}`, leaf: bindCert, want: ReasonMalformed},
		{name: "cnf an array", raw: `{"cnf":[{"x5t#S256":"` + good + `"}]}`, leaf: bindCert, want: ReasonMalformed},
		{name: "cnf null", raw: `{"cnf":null}`, leaf: bindCert, want: ReasonMalformed},
		{name: "cnf a number", raw: `{"cnf":1}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 null", raw: `{"cnf":{"x5t#S256":null}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 a number", raw: `{"cnf":{"x5t#S256":1}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 an array", raw: `{"cnf":{"x5t#S256":["` + good + `"]}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 an object", raw: `{"cnf":{"x5t#S256":{}}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 empty", raw: `{"cnf":{"x5t#S256":""}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 padded", raw: `{"cnf":{"x5t#S256":"` + good + `="}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 standard alphabet", raw: `{"cnf":{"x5t#S256":"` + base64.RawStdEncoding.EncodeToString(sum[:]) + `"}}`, leaf: bindCert, want: stdOrSame(sum[:])},
		{name: "x5t#S256 with a line break", raw: `{"cnf":{"x5t#S256":"` + good[:20] + `\n` + good[21:] + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 non-zero trailing bits", raw: `{"cnf":{"x5t#S256":"` + good[:42] + flipLastBit(good[42]) + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 SHA-1 length", raw: `{"cnf":{"x5t#S256":"` + good[:27] + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 one character short", raw: `{"cnf":{"x5t#S256":"` + good[:42] + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 one character long", raw: `{"cnf":{"x5t#S256":"` + good + `A"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 hex", raw: `{"cnf":{"x5t#S256":"` + strings.Repeat("ab", 32) + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 twice", raw: `{"cnf":{"x5t#S256":"` + good + `","x5t#S256":"` + good + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#S256 twice, escaped", raw: `{"cnf":{"x5t#S256":"` + good + `","x5t\u0023S256":"` + thumbOf(otherCert) + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "cnf twice", raw: `{"cnf":{"x5t#S256":"` + good + `"},"cnf":{}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "cnf twice, escaped", raw: `{"cnf":{},"\u0063nf":{"x5t#S256":"` + good + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "duplicate member elsewhere", raw: `{"sub":"a","sub":"b","cnf":{"x5t#S256":"` + good + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "X5T#S256 case variant", raw: `{"cnf":{"X5T#S256":"` + good + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "x5t#s256 case variant", raw: `{"cnf":{"x5t#s256":"` + good + `"}}`, want: ReasonMalformed},
		{name: "x5t#S256 with a long s", raw: `{"cnf":{"x5t#ſ256":"` + good + `"}}`, want: ReasonMalformed},
		{name: "case variant beside the real member", raw: `{"cnf":{"x5t#S256":"` + good + `","X5t#S256":"` + good + `"}}`, leaf: bindCert, want: ReasonMalformed},
		{name: "CNF case variant", raw: `{"CNF":{"x5t#S256":"` + good + `"}}`, want: ReasonMalformed},
		{name: "Cnf case variant, escaped", raw: `{"\u0043nf":{"x5t#S256":"` + good + `"}}`, want: ReasonMalformed},
		{name: "cnf nested elsewhere is not a binding", raw: `{"ext":{"cnf":{"x5t#S256":"junk"}}}`},
		{name: "x5t#S256 outside cnf is not a binding", raw: `{"x5t#S256":"junk"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rawClaims(tt.raw).CheckCertBinding(tt.leaf, tt.required)
			if got := ReasonOf(err); got != tt.want || (err == nil) != (tt.want == "") {
				t.Fatalf("CheckCertBinding = %v, want reason %q", err, tt.want)
			}
			if err != nil && !errors.Is(err, sentinels[tt.want]) {
				t.Fatalf("errors.Is(%v, %v) = false", err, sentinels[tt.want])
			}
		})
	}
}

// stdOrSame is the expected reason for a thumbprint in the standard
// base64 alphabet: malformed when that spelling differs from base64url
// (has + or /), otherwise the same string and accepted.
func stdOrSame(sum []byte) Reason {
	if strings.ContainsAny(base64.RawStdEncoding.EncodeToString(sum), "+/") {
		return ReasonMalformed
	}
	return ""
}

// flipLastBit returns the last character of a 43-character encoding with a
// trailing bit set (the 43rd character carries 4 data bits and 2 zero bits).
func flipLastBit(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return string(alphabet[strings.IndexByte(alphabet, c)|1])
}

// TestCheckCertBindingVerifiedToken runs the check on Claims from the JWT
// verifier and from NewClaims, the two ways Claims are made.
func TestCheckCertBindingVerifiedToken(t *testing.T) {
	v := newVerifier(t, defaultSource(t), nil)
	verified := func(tok string) *Claims {
		t.Helper()
		c, err := v.Verify(t.Context(), tok, ScopeRule{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	jwt := verified(mint(t, with(hydraClaims(testNow), "cnf", map[string]any{"x5t#S256": thumbOf(bindCert)})))
	escaped := verified(rawTok(t, hdrRS256, payloadWith(t, nil, `"\u0063nf":{"x5t\u0023S256":"`+thumbOf(bindCert)+`"}`)))
	remote, err := NewClaims(Claims{Issuer: testIssuer}, []byte(`{"active":true,"cnf":{"x5t#S256":"`+thumbOf(bindCert)+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*Claims{"jwt": jwt, "jwt with escaped names": escaped, "introspection": remote} {
		if err := c.CheckCertBinding(bindCert, true); err != nil {
			t.Errorf("%s: right certificate: %v", name, err)
		}
		if err := c.CheckCertBinding(otherCert, false); !errors.Is(err, ErrInvalidCertBinding) {
			t.Errorf("%s: other certificate: %v, want ErrInvalidCertBinding", name, err)
		}
		if err := c.CheckCertBinding(nil, false); !errors.Is(err, ErrInvalidCertBinding) {
			t.Errorf("%s: no certificate: %v, want ErrInvalidCertBinding", name, err)
		}
	}
	unbound := verified(mint(t, hydraClaims(testNow)))
	if err := unbound.CheckCertBinding(nil, false); err != nil {
		t.Errorf("unbound token: %v", err)
	}
	if err := unbound.CheckCertBinding(bindCert, true); !errors.Is(err, ErrInvalidCertBinding) {
		t.Errorf("unbound token, binding required: %v, want ErrInvalidCertBinding", err)
	}
	var nilClaims *Claims
	if err := nilClaims.CheckCertBinding(bindCert, false); err == nil {
		t.Error("nil Claims: accepted")
	}
}

// FuzzCertBinding: the binding decoder never panics, the shortcut that
// skips it agrees with it on every valid object, and a thumbprint it
// accepts is the exact base64url of the bytes it returns.
func FuzzCertBinding(f *testing.F) {
	good := thumbOf(bindCert)
	for _, s := range []string{
		`{}`, `{"sub":"svc"}`, `{"cnf":{"x5t#S256":"` + good + `"}}`, `{"cnf":{"X5T#S256":"` + good + `"}}`,
		`{"CNF":{}}`, `{"cnf":null}`, `{"cnf":{"x5t#S256":1}}`, `{"\u0063nf":{"x5t\u0023S256":"` + good + `"}}`,
		`{"cnf":{"x5t#S256":"` + good + `=","jkt":"a"}}`, `{"cnf":{},"cnf":{}}`, `{"ext":{"cnf":1}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := rawClaims(raw)
		err := c.CheckCertBinding(bindCert, false)
		if r := ReasonOf(err); err != nil && r != ReasonMalformed && r != ReasonInvalidCertBinding {
			t.Fatalf("reason %q", r)
		}
		v := jsontext.Value(raw)
		if v.Kind() != '{' || !v.IsValid() {
			return
		}
		var b certBinding
		full := json.Unmarshal([]byte(raw), &b)
		if !mayHaveCnf(raw) && (full != nil || b.bound) {
			t.Fatalf("shortcut says unbound, decoder says bound=%v err=%v", b.bound, full)
		}
		if full == nil && b.bound {
			if !strings.Contains(raw, base64.RawURLEncoding.EncodeToString(b.thumb[:])) && !strings.Contains(raw, `\`) {
				t.Fatalf("accepted thumbprint %x is not spelled in %s", b.thumb, raw)
			}
		}
	})
}

func BenchmarkCheckCertBinding(b *testing.B) {
	unbound, err := NewClaims(Claims{}, []byte(payloadWith(b, nil)))
	if err != nil {
		b.Fatal(err)
	}
	bound, err := NewClaims(Claims{}, []byte(payloadWith(b, nil, `"cnf":{"x5t#S256":"`+thumbOf(bindCert)+`"}`)))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		ok   func() bool
	}{
		// Per request: the binding was decided when the Claims were made.
		{"unbound", func() bool { return unbound.CheckCertBinding(bindCert, false) == nil }},
		{"bound", func() bool { return bound.CheckCertBinding(bindCert, false) == nil }},
		// Once per token: the scan alone for an unbound payload, the
		// decode for a bound one.
		{"decide/unbound", func() bool { d := unbound.decideCnf(); return d.err == nil && !d.bound }},
		{"decide/bound", func() bool { d := bound.decideCnf(); return d.err == nil && d.bound }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !bc.ok() {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}
