package verify_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/jwtguard/jwtguard/verify"
)

// A token bound to a TLS client certificate (RFC 8705 §3) passes only with
// that certificate. httpmw, grpcmw and connectguard make this call with the
// request's certificate after their Checker accepts the token; here the
// claims are an introspection answer.
func ExampleClaims_CheckCertBinding() {
	cert := &x509.Certificate{Raw: []byte("the client certificate's DER")} // r.TLS.PeerCertificates[0]
	sum := sha256.Sum256(cert.Raw)
	answer := `{"active":true,"sub":"svc","cnf":{"x5t#S256":"` + base64.RawURLEncoding.EncodeToString(sum[:]) + `"}}`
	claims, err := verify.NewClaims(verify.Claims{Subject: "svc"}, []byte(answer))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(claims.CheckCertBinding(cert, false))
	fmt.Println(claims.CheckCertBinding(nil, false))
	err = claims.CheckCertBinding(&x509.Certificate{Raw: []byte("another client's certificate")}, false)
	fmt.Println(errors.Is(err, verify.ErrInvalidCertBinding), verify.ReasonOf(err).Outcome())
	// Output:
	// <nil>
	// verify: invalid_cert_binding: the token is bound to a certificate and the request presented none
	// true invalid_token
}
