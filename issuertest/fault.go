package issuertest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Endpoint names one of the server's routes, for [Server.SetFaultOn] and
// [Server.Requests].
type Endpoint string

// The server's endpoints.
const (
	EndpointDiscovery  Endpoint = "discovery"  // GET /.well-known/openid-configuration
	EndpointJWKS       Endpoint = "jwks"       // GET /.well-known/jwks.json
	EndpointAuthorize  Endpoint = "authorize"  // GET /oauth2/auth
	EndpointToken      Endpoint = "token"      // POST /oauth2/token
	EndpointIntrospect Endpoint = "introspect" // POST /oauth2/introspect
	EndpointUserinfo   Endpoint = "userinfo"   // GET or POST /userinfo
	EndpointRevoke     Endpoint = "revoke"     // POST /oauth2/revoke
)

// numEndpoints is the number of Endpoints: the size of Server.faults and
// Server.reqs, which index() addresses.
const numEndpoints = 7

func (e Endpoint) index() int {
	switch e {
	case EndpointDiscovery:
		return 0
	case EndpointJWKS:
		return 1
	case EndpointAuthorize:
		return 2
	case EndpointToken:
		return 3
	case EndpointIntrospect:
		return 4
	case EndpointUserinfo:
		return 5
	case EndpointRevoke:
		return 6
	}
	panic(fmt.Sprintf("issuertest: unknown Endpoint %q", string(e)))
}

// Fault is injected into every response of one endpoint until cleared with
// the zero Fault ([Server.SetFault] for the JWKS, [Server.SetFaultOn] for
// any endpoint). Fields combine in this order: Delay, then CloseConn, then
// Status, ContentType and Body.
type Fault struct {
	// Status is the HTTP status to answer with; 0 means the endpoint's own.
	Status int
	// Delay holds the response back. It ends early when the client gives
	// up (nothing is written) or the server is closed (the connection is
	// dropped). Over [Server.Transport] it runs on the caller's clock and
	// ends only with the delay or the request's context.
	Delay time.Duration
	// Body replaces the endpoint's answer when non-nil (an empty non-nil
	// slice sends an empty body); the endpoint then does nothing, so a
	// faulted token request issues no token. nil lets the endpoint answer
	// as usual, with Status and ContentType imposed on its response.
	Body []byte
	// ContentType replaces the response's Content-Type when non-empty.
	// With Body and no ContentType, the Content-Type is
	// "application/json".
	ContentType string
	// CloseConn drops the connection without writing a response (after
	// Delay, if any).
	CloseConn bool
}

// SetFault injects f into JWKS responses from now on; the zero Fault clears
// it. It is SetFaultOn(EndpointJWKS, f).
func (s *Server) SetFault(f Fault) { s.SetFaultOn(EndpointJWKS, f) }

// SetFaultOn injects f into the responses of endpoint e from now on; the
// zero Fault clears it. Requests already being served keep the fault they
// started with. It panics on an unknown Endpoint.
func (s *Server) SetFaultOn(e Endpoint, f Fault) {
	i := e.index()
	f.Body = slices.Clone(f.Body)
	s.mu.Lock()
	s.faults[i] = f
	s.mu.Unlock()
}

// Requests counts the requests endpoint e received, including faulted and
// failed ones (but not those the router refused, such as a wrong method).
// It panics on an unknown Endpoint.
func (s *Server) Requests(e Endpoint) int64 { return s.reqs[e.index()].Load() }

// JWKSRequests is Requests(EndpointJWKS).
func (s *Server) JWKSRequests() int64 { return s.Requests(EndpointJWKS) }

// TokenRequests is Requests(EndpointToken).
func (s *Server) TokenRequests() int64 { return s.Requests(EndpointToken) }

// handle routes pattern to h behind endpoint e's request counter and fault.
func (s *Server) handle(pattern string, e Endpoint, h http.HandlerFunc) {
	i := e.index()
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.reqs[i].Add(1)
		s.mu.Lock()
		f := s.faults[i]
		s.mu.Unlock()
		if !s.applyFault(w, r, f) {
			return
		}
		if f.Status != 0 || f.ContentType != "" {
			w = &faultWriter{ResponseWriter: w, status: f.Status, contentType: f.ContentType}
		}
		h(w, r)
	})
}

// applyFault runs f's Delay, CloseConn and Body and reports whether the
// endpoint should still answer.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		// Only the request's own channels, so that in-process requests
		// (Transport) inside a testing/synctest bubble block durably.
		select {
		case <-t.C:
		case <-r.Context().Done():
			if s.closed() {
				panic(http.ErrAbortHandler) // closing: drop the connection, as a dying server would
			}
			return false // the client gave up; nobody reads an answer
		}
	}
	if f.CloseConn {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return false
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a failed hijack: abort the stream
	}
	if f.Body == nil {
		return true
	}
	status, ct := http.StatusOK, jsonContentType
	if f.Status != 0 {
		status = f.Status
	}
	if f.ContentType != "" {
		ct = f.ContentType
	}
	w.Header().Set("Content-Type", ct)
	s.publicCacheControl(w)
	w.WriteHeader(status)
	_, _ = w.Write(f.Body)
	return false
}

// faultWriter imposes a Fault's Status and ContentType on the endpoint's
// own response.
type faultWriter struct {
	http.ResponseWriter
	status      int
	contentType string
	wrote       bool
}

func (fw *faultWriter) WriteHeader(code int) {
	if fw.wrote {
		return
	}
	fw.wrote = true
	if fw.contentType != "" {
		fw.Header().Set("Content-Type", fw.contentType)
	}
	if fw.status != 0 {
		code = fw.status
	}
	fw.ResponseWriter.WriteHeader(code)
}

func (fw *faultWriter) Write(b []byte) (int, error) {
	fw.WriteHeader(http.StatusOK)
	return fw.ResponseWriter.Write(b)
}
