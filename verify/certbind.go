package verify

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// CheckCertBinding applies RFC 8705 §3 (certificate-bound access tokens)
// to a token that was checked and the TLS client certificate of the request
// that carried it. leaf is the leaf of the peer's chain
// (http.Request.TLS.PeerCertificates[0], or the gRPC peer's
// credentials.TLSInfo.State.PeerCertificates[0]); nil means the request
// presented none, or did not arrive over TLS.
//
// A token is bound when its claims (a JWT payload, or a remote checker's
// JSON through [NewClaims]) carry "cnf": {"x5t#S256": …}. The member is
// read exactly: names are case-sensitive and duplicates are refused, cnf
// must be a JSON object and x5t#S256 the unpadded base64url of a SHA-256
// (43 characters, 32 bytes). A case variant of either name ("CNF",
// "X5T#S256") is refused rather than read as unbound, and so is any other
// form: [ReasonMalformed]. A bound token passes only when SHA-256 of the
// leaf's DER encoding equals the thumbprint (compared in constant time);
// otherwise, or without a certificate, it is [ReasonInvalidCertBinding]. A
// token without x5t#S256 in cnf (including a DPoP-only cnf), and Claims
// made otherwise than by a Verifier or NewClaims (which have no payload),
// pass unless required is true, which makes them
// [ReasonInvalidCertBinding] too.
//
// httpmw, grpcmw and connectguard call it after the Checker accepts a
// token. It is a transport-level check: the Checker and
// [Config.OnDecision] do not see the certificate.
func (c *Claims) CheckCertBinding(leaf *x509.Certificate, required bool) error {
	if c == nil {
		return &Error{Reason: ReasonMalformed, Detail: "no claims"}
	}
	thumb, bound, err := c.certThumbprint()
	switch {
	case err != nil:
		return c.bindingError(ReasonMalformed, err.Error())
	case !bound:
		if required {
			return c.bindingError(ReasonInvalidCertBinding, "the token is not bound to a certificate (no cnf x5t#S256)")
		}
		return nil
	case leaf == nil:
		return c.bindingError(ReasonInvalidCertBinding, "the token is bound to a certificate and the request presented none")
	}
	sum := sha256.Sum256(leaf.Raw)
	if subtle.ConstantTimeCompare(sum[:], thumb[:]) != 1 {
		return c.bindingError(ReasonInvalidCertBinding, "the client certificate is not the one the token is bound to")
	}
	return nil
}

func (c *Claims) bindingError(r Reason, detail string) error {
	return &Error{Reason: r, Detail: detail, Issuer: c.Issuer, KID: c.KeyID}
}

// certThumbprint returns the token's cnf x5t#S256, and whether it has one.
func (c *Claims) certThumbprint() (thumb [sha256.Size]byte, bound bool, err error) {
	b := c.cnf
	if !b.decided {
		b = c.decideCnf()
	}
	return b.thumb, b.bound, b.err
}

// decideCnf reads the binding from the payload. The Verifier and NewClaims
// call it once per token and keep the answer in the Claims, so a request
// pays only for hashing its certificate; Claims made otherwise decide on
// every check.
func (c *Claims) decideCnf() certBinding {
	if c.raw == "" || !mayHaveCnf(c.raw) {
		return certBinding{decided: true}
	}
	b := new(certBinding) // escapes through Decode: only on this path
	if err := c.Decode(b); err != nil {
		return certBinding{decided: true, err: err}
	}
	b.decided = true
	return *b
}

// mayHaveCnf reports whether a member named "cnf", in any case and
// possibly escaped, can be in the JSON text raw: false when raw has no
// backslash and no ASCII case variant of "cnf" ('c', 'n' and 'f' have no
// non-ASCII case variants). Most tokens are unbound, and this keeps the
// full decode, many times the cost and a dozen allocations
// (BenchmarkCheckCertBinding/decide), off their verification.
// FuzzCertBinding holds it to the decoder's answer.
func mayHaveCnf(raw string) bool {
	if strings.IndexByte(raw, '\\') >= 0 {
		return true
	}
	// IndexByte (vectorised) finds the middle letter; a plain byte loop
	// costs several times as much on a Hydra payload.
	for _, n := range [2]byte{'n', 'N'} {
		for off := 1; off < len(raw)-1; {
			i := strings.IndexByte(raw[off:len(raw)-1], n)
			if i < 0 {
				break
			}
			i += off
			if raw[i-1]|0x20 == 'c' && raw[i+1]|0x20 == 'f' {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// certBinding decodes the cnf x5t#S256 of a claims object. It reads the
// decoder's tokens itself so that a case variant of a name, which a
// struct field would silently not match, is refused. Duplicate names are
// refused by the decoder.
type certBinding struct {
	thumb   [sha256.Size]byte
	bound   bool
	decided bool  // set by decideCnf
	err     error // the payload's cnf is malformed
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (b *certBinding) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return readObject(dec, "claims", func(name string) (bool, error) {
		switch {
		case name == "cnf":
			return true, b.readCnf(dec)
		case strings.EqualFold(name, "cnf"):
			return false, fmt.Errorf("claim %q is a case variant of cnf", name)
		}
		return false, nil
	})
}

func (b *certBinding) readCnf(dec *jsontext.Decoder) error {
	return readObject(dec, "cnf", func(name string) (bool, error) {
		switch {
		case name == "x5t#S256":
			v, err := dec.ReadToken()
			if err != nil {
				return true, err
			}
			if v.Kind() != '"' {
				return true, fmt.Errorf("cnf x5t#S256 is a JSON %v, not a string", v.Kind())
			}
			s := v.String()
			if len(s) != 43 {
				return true, fmt.Errorf("cnf x5t#S256 has %d characters, not the 43 of a SHA-256 in base64url", len(s))
			}
			if _, ok := jose.DecodeSegment(b.thumb[:], s); !ok {
				return true, errors.New("cnf x5t#S256 is not unpadded base64url")
			}
			b.bound = true
			return true, nil
		case strings.EqualFold(name, "x5t#S256"):
			return false, fmt.Errorf("cnf member %q is a case variant of x5t#S256", name)
		}
		return false, nil
	})
}

// readObject reads one JSON object from dec, calling member for each name.
// member reads the value itself and returns true, or returns false to have
// it skipped.
func readObject(dec *jsontext.Decoder, what string, member func(name string) (bool, error)) error {
	if k := dec.PeekKind(); k != '{' {
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("%s is a JSON %v, not an object", what, k)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		read, err := member(name.String())
		if err != nil {
			return err
		}
		if !read {
			if err := dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	_, err := dec.ReadToken()
	return err
}
