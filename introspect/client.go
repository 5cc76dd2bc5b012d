package introspect

import (
	"net/http"

	"github.com/jwtguard/jwtguard/internal/httpx"
)

// newHTTPClient builds the Checker-owned client with the rules every
// jwtguard client to an issuer keeps (https only unless InsecureAllowHTTP,
// a timeout, no cookie jar), the configured roots, and no redirects: a 3xx
// is answered as an unavailable endpoint, so the token is sent to the
// configured URL only.
func newHTTPClient(s *settings) (*http.Client, error) {
	return httpx.NewClient(httpx.Config{
		RootCAs:           s.RootCAs,
		InsecureAllowHTTP: s.InsecureAllowHTTP,
		NoRedirects:       true,
		Timeout:           s.Timeout,
	})
}
