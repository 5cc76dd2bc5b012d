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

// cnfClaim is the "cnf" member of a token bound to the certificate
// thumbprint x5t and/or the DPoP key thumbprint jkt ("" for neither).
func cnfClaim(x5t, jkt string) map[string]string {
	c := make(map[string]string, 2)
	if x5t != "" {
		c["x5t#S256"] = x5t
	}
	if jkt != "" {
		c["jkt"] = jkt // RFC 9449 §6.1
	}
	return c
}

// cnfOf is the introspection answer's "cnf": nil (omitted) when the token
// is bound to nothing.
func cnfOf(x5t, jkt string) map[string]string {
	if x5t == "" && jkt == "" {
		return nil
	}
	return cnfClaim(x5t, jkt)
}
