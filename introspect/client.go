package introspect

import (
	"crypto/tls"
	"net/http"
)

// newHTTPClient builds the Checker-owned client: http.DefaultTransport's
// settings, the configured roots, an overall timeout, no cookie jar and no
// redirects (a 3xx is answered as an unavailable endpoint, so the token is
// sent to the configured URL only).
func newHTTPClient(s *settings) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if s.RootCAs != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport: tr,
		Timeout:   s.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
