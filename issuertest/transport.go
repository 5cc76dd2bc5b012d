package issuertest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// errConnClosed is what an in-process client sees when the server drops the
// connection (Fault.CloseConn, or Close during a delay).
var errConnClosed = errors.New("issuertest: connection closed by server")

// Transport returns an http.RoundTripper that serves requests for this
// server in-process, without the network, for tests that cannot use real
// sockets, such as testing/synctest bubbles (where a Fault's Delay then
// runs on the bubble's fake clock). Requests must target URL()'s host;
// others fail. Faults behave as over the network, except that a delayed
// in-process request ends only with its delay or its own context (Close
// does not interrupt it), and a dropped connection is an error from
// RoundTrip. After Close every request fails.
func (s *Server) Transport() http.RoundTripper { return transport{s} }

type transport struct{ s *Server }

func (t transport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if t.s.closed() {
		return nil, errors.New("issuertest: server closed")
	}
	base, _ := url.Parse(t.s.URL())
	if req.URL.Host != base.Host {
		return nil, fmt.Errorf("issuertest: Transport serves only %s, not %s", base.Host, req.URL.Host)
	}
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RemoteAddr = "127.0.0.1:1"
	in.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			resp, err = nil, errConnClosed
		}
	}()
	t.s.mux.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err // as net/http's Transport reports a request that ended early
	}
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}
