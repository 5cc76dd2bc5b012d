package reliability

// The faults whose point is a real socket, over loopback and with the
// cache's own default HTTP client where possible: an untrusted TLS
// certificate, a refused connection, a 100 MB body streamed by a real
// server, and a slow-loris body cut by the client timeout. Each checks that
// the fetch fails with ErrFetch for the right underlying cause, promptly and
// without reading the whole body, and that a lazily started cache answers
// 503 / codes.Unavailable through both transports (keys never loaded).
// Stale-window behaviour and recovery for the same faults are in
// fault_test.go, under a fake clock.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// lazyDown starts a LazyStart cache on cfg and asserts that clients get
// "unavailable" answers from every layer (the keys can never load).
func lazyDown(t *testing.T, cfg jwks.Config) {
	t.Helper()
	cfg.LazyStart = true
	cache, err := jwks.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("jwks.New(LazyStart): %v", err)
	}
	defer cache.Close()
	s := newStack(t, cache)
	s.down(t, "keys never loaded", mint(testkeys.RSA2048(0), "k0"))
}

func TestFaultNetTLSUntrustedCertificate(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(jwksDoc(jwkJSON("k0", &testkeys.RSA2048(0).PublicKey)))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	// Default client: the system roots do not trust httptest's certificate.
	cfg := jwks.Config{URL: srv.URL + "/jwks.json"}
	_, err := jwks.New(context.Background(), cfg)
	if !errors.Is(err, jwks.ErrFetch) {
		t.Fatalf("err = %v, want ErrFetch", err)
	}
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &verr) && !errors.As(err, &uerr) {
		t.Fatalf("err = %v, want a certificate verification failure in the chain", err)
	}
	lazyDown(t, cfg)
	// Control: the same server through a client that trusts it works.
	c, err := jwks.New(context.Background(), jwks.Config{URL: cfg.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatalf("trusted client: %v", err)
	}
	c.Close()
	srv.CloseClientConnections()
}

func TestFaultNetConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := jwks.Config{URL: "http://" + addr + "/jwks.json", InsecureAllowHTTP: true}
	start := time.Now()
	_, err = jwks.New(context.Background(), cfg)
	if !errors.Is(err, jwks.ErrFetch) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want ErrFetch wrapping ECONNREFUSED", err)
	}
	t.Logf("refused after %v", time.Since(start))
	lazyDown(t, cfg)
}

func TestFaultNetBody100MB(t *testing.T) {
	const total = 100 << 20
	written := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := make([]byte, 32<<10)
		for i := range chunk {
			chunk[i] = ' '
		}
		chunk[0] = '{'
		var n int64
		for n < total {
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				break
			}
			chunk[0] = ' '
		}
		written <- n
	}))
	defer srv.Close()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := jwks.New(context.Background(), jwks.Config{URL: srv.URL + "/jwks.json", InsecureAllowHTTP: true})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, jwks.ErrFetch) {
		t.Fatalf("err = %v, want ErrFetch (body over the cap)", err)
	}
	// The server stops when the client hangs up; what it managed to write
	// is the cap plus whatever the loopback socket buffers absorbed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case n := <-written:
		if n >= total {
			t.Fatalf("the server wrote the whole %d-byte body: the client did not stop at the cap", n)
		}
		t.Logf("100 MB body over loopback: server wrote %d bytes before the client hung up (cap %d)", n, jwks.DefaultMaxBodyBytes)
	case <-ctx.Done():
		t.Fatal("server handler still writing 10 s after the fetch failed")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Fatalf("fetch allocated %d bytes; the body must be streamed and capped, not buffered", alloc)
	}
}

func TestFaultNetSlowLoris(t *testing.T) {
	handlerDone := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(handlerDone)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[`))
		w.(http.Flusher).Flush()
		tick := time.NewTicker(50 * time.Millisecond) // pacing the trickle, not synchronisation
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()
	const timeout = 500 * time.Millisecond
	start := time.Now()
	_, err := jwks.New(context.Background(), jwks.Config{
		URL:               srv.URL + "/jwks.json",
		InsecureAllowHTTP: true,
		HTTPClient:        &http.Client{Timeout: timeout},
	})
	took := time.Since(start)
	if !errors.Is(err, jwks.ErrFetch) {
		t.Fatalf("err = %v, want ErrFetch", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
	if took > 10*timeout {
		t.Fatalf("slow loris held the fetch for %v with a %v client timeout", took, timeout)
	}
	t.Logf("slow loris cut after %v (client timeout %v)", took, timeout)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-handlerDone:
	case <-ctx.Done():
		t.Fatal("trickling handler never saw the client go away")
	}
}
