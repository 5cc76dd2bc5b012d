package issuertest

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
)

// CertThumbprint is the RFC 8705 §3.1 confirmation of cert: the unpadded
// base64url SHA-256 of its DER encoding, the value of "x5t#S256" in a
// certificate-bound token's "cnf" claim. Tests use it to [Server.Mint]
// bound tokens:
//
//	claims["cnf"] = map[string]any{"x5t#S256": issuertest.CertThumbprint(leaf)}
func CertThumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// requestThumbprint is the thumbprint of the TLS client certificate a
// token request presented, or "" when it presented none (or did not come
// over TLS). With Config.RequestClientCert the handshake asks for one
// without verifying it, as self_signed_tls_client_auth (RFC 8705 §2.2)
// does: what binds the token is that the client proved it holds the
// certificate's key.
func requestThumbprint(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	return CertThumbprint(r.TLS.PeerCertificates[0])
}

// cnfClaim is the "cnf" member of a token bound to thumbprint x5t.
func cnfClaim(x5t string) map[string]string { return map[string]string{"x5t#S256": x5t} }

// cnfOf is the introspection answer's "cnf": nil (omitted) when x5t is "".
func cnfOf(x5t string) map[string]string {
	if x5t == "" {
		return nil
	}
	return cnfClaim(x5t)
}
