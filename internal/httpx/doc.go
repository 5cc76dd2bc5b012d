// Package httpx builds the HTTP clients jwtguard uses to fetch from an
// issuer (JWKS and discovery documents, and any other issuer endpoint): a
// bounded timeout, https only, few redirects and only to the same host,
// with optional private roots of trust. Every such client is built by
// [NewClient], so that these rules live in one place.
//
// # Security
//
// Checked on every request a client from NewClient sends, including each
// redirect: the URL's scheme is https (http only with
// Config.InsecureAllowHTTP), checked in the transport before anything is
// sent; a redirect stays on the host (and port) of the first request, and
// at most [MaxRedirects] are followed. The whole exchange, body included,
// is bounded by [DefaultTimeout] unless a caller's client sets its own
// timeout. Certificates are verified against the system roots, or against
// Config.RootCAs or Config.TLSConfig; a TLSConfig that skips verification
// or allows TLS below 1.2 is refused.
//
// Not checked: response sizes (the caller caps bodies), and what a
// caller-supplied client's own transport does (its proxy, its TLS
// settings): NewClient keeps that transport and only adds the rules above
// in front of it.
package httpx
