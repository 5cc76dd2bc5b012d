package connectguard

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"

	"github.com/jwtguard/jwtguard/verify"
)

// tlsKey is the context key of the request's transport facts, a
// *transport set by TLSHandler.
type tlsKey struct{}

// transport is what TLSHandler records of a request.
type transport struct {
	leaf *x509.Certificate // the TLS client certificate, or nil
	host string            // r.Host: the :authority or Host header
}

// TLSHandler returns next with each request's TLS client certificate
// (r.TLS.PeerCertificates[0], or none) and authority (r.Host) recorded in
// its context, where the [Interceptor] reads them to check
// certificate-bound tokens (RFC 8705 §3) and DPoP proofs (htu).
// A Connect interceptor cannot see the *http.Request, so wrap the handler
// that connect-go's generated constructor returns:
//
//	path, h := greetv1connect.NewGreetServiceHandler(svc, connect.WithInterceptors(guard))
//	mux.Handle(path, connectguard.TLSHandler(h))
//
// Without it every certificate-bound token is refused, as if sent without
// a certificate, and so is every DPoP proof unless dpop.Config.Origin is
// set; OnReject's error says the handler is not wrapped.
func TLSHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var leaf *x509.Certificate
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			leaf = r.TLS.PeerCertificates[0]
		}
		t := &transport{leaf: leaf, host: r.Host}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tlsKey{}, t)))
	})
}

// checkBinding applies verify's certificate-binding rule with the client
// certificate TLSHandler recorded in ctx.
func checkBinding(ctx context.Context, c *verify.Claims, required bool) error {
	var leaf *x509.Certificate
	t, wrapped := ctx.Value(tlsKey{}).(*transport)
	if wrapped {
		leaf = t.leaf
	}
	err := c.CheckCertBinding(leaf, required)
	if err != nil && !wrapped {
		return fmt.Errorf("connectguard: the handler is not wrapped with TLSHandler, so no client certificate is known: %w", err)
	}
	return err
}
