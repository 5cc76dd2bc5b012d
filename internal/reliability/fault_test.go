package reliability

// JWKS fault injection against jwks.Cache and through the
// verifier, httpmw and grpcmw. Each fault runs the same script inside a
// testing/synctest bubble (fake clock, fake http.RoundTripper, no sockets):
//
//	t0         healthy issuer, keys loaded           → 200 / OK
//	t0         fault starts, a refresh fails         (first failure: stale window opens)
//	t0+30m     inside the 1 h stale window           → 200 / OK (last good keys)
//	t0+61m     past the stale window                 → 503 + Retry-After / Unavailable
//	heal, +2m  the cache's own retry succeeds        → 200 / OK
//
// Faults whose point is a real socket (TLS handshake, refused connection,
// a 100 MB body and a slow loris over loopback) are repeated outside the
// bubble in fault_net_test.go.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

type faultKind int

const (
	faultNone faultKind = iota
	faultStatus
	faultHang       // never answers; the client timeout cuts it
	faultTrickle    // 200, then one body byte per second (slow loris)
	faultHugeBody   // 200 and a 100 MB body, generated lazily
	faultBody       // 200 with fixed bytes
	faultTLS        // the transport's certificate verification fails
	faultRefused    // connect: connection refused
	faultFlip       // alternate between two valid documents
	hugeBodyBytes   = 100 << 20
	readSlack       = 64 << 10 // bufio and io.LimitReader overshoot allowed
	clientTimeout   = 10 * time.Second
	staleWindow     = time.Hour
	fakeJWKSURL     = "https://issuer.test/.well-known/jwks.json"
	fakeContentType = "application/json"
)

type fault struct {
	kind   faultKind
	status int
	body   []byte
	flip   [2][]byte
}

// fakeIssuer is an http.RoundTripper standing in for the issuer's JWKS
// endpoint inside a synctest bubble.
type fakeIssuer struct {
	mu       sync.Mutex
	doc      []byte
	f        fault
	flips    int
	requests atomic.Int64
	// maxBodyRead is the most bytes one response body handed out.
	maxBodyRead atomic.Int64
}

func (fi *fakeIssuer) set(doc []byte, f fault) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if doc != nil {
		fi.doc = doc
	}
	fi.f = f
}

func (fi *fakeIssuer) RoundTrip(req *http.Request) (*http.Response, error) {
	fi.requests.Add(1)
	fi.mu.Lock()
	f, doc := fi.f, fi.doc
	if f.kind == faultFlip {
		doc = f.flip[fi.flips%2]
		fi.flips++
	}
	fi.mu.Unlock()

	resp := func(code int, body io.ReadCloser) *http.Response {
		return &http.Response{
			StatusCode: code, Status: http.StatusText(code), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {fakeContentType}}, Body: body, ContentLength: -1, Request: req,
		}
	}
	switch f.kind {
	case faultStatus:
		return resp(f.status, io.NopCloser(strings.NewReader("upstream says no"))), nil
	case faultHang:
		<-req.Context().Done()
		return nil, req.Context().Err()
	case faultTrickle:
		return resp(http.StatusOK, &trickleBody{ctx: req.Context(), prefix: `{"keys":[`}), nil
	case faultHugeBody:
		return resp(http.StatusOK, &hugeBody{left: hugeBodyBytes, fi: fi}), nil
	case faultBody:
		return resp(http.StatusOK, io.NopCloser(strings.NewReader(string(f.body)))), nil
	case faultTLS:
		return nil, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	case faultRefused:
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return resp(http.StatusOK, io.NopCloser(strings.NewReader(string(doc)))), nil
}

// trickleBody sends one byte per (fake) second until the request ends.
type trickleBody struct {
	ctx    context.Context
	prefix string
	sent   int
}

func (b *trickleBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-t.C:
	}
	c := byte(' ')
	if b.sent < len(b.prefix) {
		c = b.prefix[b.sent]
	}
	b.sent++
	p[0] = c
	return 1, nil
}

func (b *trickleBody) Close() error { return nil }

var spaces = []byte(strings.Repeat(" ", 32<<10))

// hugeBody streams a syntactically plausible 100 MB JWKS without holding it.
type hugeBody struct {
	left, read int64
	fi         *fakeIssuer
}

func (b *hugeBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > b.left {
		n = b.left
	}
	for i := int64(0); i < n; i += int64(len(spaces)) {
		copy(p[i:n], spaces)
	}
	if b.read == 0 && n > 0 {
		p[0] = '{'
	}
	b.left -= n
	b.read += n
	for {
		m := b.fi.maxBodyRead.Load()
		if b.read <= m || b.fi.maxBodyRead.CompareAndSwap(m, b.read) {
			break
		}
	}
	return int(n), nil
}

func (b *hugeBody) Close() error { return nil }

// newFakeStack starts a cache on fi (inside the current bubble) and the
// transports on top of it. The caller closes the cache.
// maxBody is jwks.Config.MaxBodyBytes (0 = the 1 MiB default).
func newFakeStack(t *testing.T, fi *fakeIssuer, maxBody int64) *stack {
	t.Helper()
	cache, err := jwks.New(context.Background(), jwks.Config{
		URL:          fakeJWKSURL,
		HTTPClient:   &http.Client{Transport: fi, Timeout: clientTimeout},
		StaleWindow:  staleWindow,
		MaxBodyBytes: maxBody,
	})
	if err != nil {
		t.Fatalf("jwks.New: %v", err)
	}
	return newStack(t, cache)
}

func TestFaults(t *testing.T) {
	key0, key1 := testkeys.RSA2048(0), testkeys.RSA2048(1)
	goodDoc := jwksDoc(jwkJSON("k0", &key0.PublicKey))
	weak := testkeys.RSA1024Weak()
	unsupported := jwksDoc(
		`{"kty":"oct","kid":"hmac","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}`,
		jwkJSON("weak-1024", &weak.PublicKey),
		strings.Replace(jwkJSON("enc", &key1.PublicKey), `"use":"sig"`, `"use":"enc"`, 1),
		`{"kty":"EC","kid":"ec-bad","crv":"P-256","x":"AAAA","y":"AAAA"}`,
	)

	cases := []struct {
		name string
		f    fault
	}{
		{"status_500", fault{kind: faultStatus, status: http.StatusInternalServerError}},
		{"status_502", fault{kind: faultStatus, status: http.StatusBadGateway}},
		{"status_503", fault{kind: faultStatus, status: http.StatusServiceUnavailable}},
		{"status_404", fault{kind: faultStatus, status: http.StatusNotFound}},
		{"timeout", fault{kind: faultHang}},
		{"trickling_body", fault{kind: faultTrickle}},
		{"body_100MB", fault{kind: faultHugeBody}},
		{"invalid_json", fault{kind: faultBody, body: []byte(`{"keys":[{"kty":"RSA",`)}},
		{"html_with_200", fault{kind: faultBody, body: []byte("<html><body>maintenance</body></html>")}},
		{"keys_not_an_array", fault{kind: faultBody, body: []byte(`{"keys":{"kty":"RSA"}}`)}},
		{"empty_key_set", fault{kind: faultBody, body: []byte(`{"keys":[]}`)}},
		{"all_keys_unsupported", fault{kind: faultBody, body: unsupported}},
		{"tls_handshake_failure", fault{kind: faultTLS}},
		{"connection_refused", fault{kind: faultRefused}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fi := &fakeIssuer{doc: goodDoc}
				// The 100 MB body is refetched by every retry (~70 in the
				// hour); a 64 KiB cap keeps that cheap under -race. The
				// default 1 MiB cap is exercised over a real socket in
				// TestFaultNetBody100MB.
				var maxBody int64
				if c.f.kind == faultHugeBody {
					maxBody = 64 << 10
				}
				s := newFakeStack(t, fi, maxBody)
				defer s.cache.Close()
				cached := mint(key0, "k0")
				s.up(t, "healthy (first use)", cached)
				s.up(t, "healthy (token cache hit)", cached)

				fi.set(nil, c.f)
				start := time.Now()
				if err := s.cache.Refresh(context.Background()); !errors.Is(err, jwks.ErrFetch) {
					t.Fatalf("Refresh under fault: err = %v, want ErrFetch", err)
				}
				if took := time.Since(start); took > clientTimeout+time.Second {
					t.Fatalf("failed refresh took %v (fake time), want ≤ client timeout %v", took, clientTimeout)
				}
				if c.f.kind == faultHugeBody {
					if n := fi.maxBodyRead.Load(); n > maxBody+readSlack {
						t.Fatalf("read %d bytes of a %d-byte body; want the cap %d (+%d slack)", n, hugeBodyBytes, maxBody, readSlack)
					}
					t.Logf("100 MB body: %d bytes read before the cap stopped it", fi.maxBodyRead.Load())
				}

				time.Sleep(30 * time.Minute)
				synctest.Wait()
				st := s.cache.Status()
				if !st.Stale || !st.Available || st.ConsecutiveFailures == 0 {
					t.Fatalf("inside stale window: Status = %+v, want Stale, Available, failures > 0", st)
				}
				s.up(t, "inside stale window (cached token)", cached)
				s.up(t, "inside stale window (new token, same key)", mint(key0, "k0"))
				if a := s.ask(mint(key1, "k-new")); a.http != http.StatusUnauthorized || a.reason != "unknown_key" {
					t.Fatalf("inside stale window, unknown kid: %v; want 401 unknown_key", a)
				}

				time.Sleep(31 * time.Minute)
				synctest.Wait()
				if st := s.cache.Status(); st.Available {
					t.Fatalf("past stale window: Status = %+v, want not Available", st)
				}
				if _, err := s.cache.Key(context.Background(), "k0", "RS256"); !errors.Is(err, jwks.ErrUnavailable) {
					t.Fatalf("past stale window: cache.Key err = %v, want ErrUnavailable", err)
				}
				s.down(t, "past stale window (cached token)", cached)
				s.down(t, "past stale window (new token)", mint(key0, "k0"))
				reqsDuringOutage := fi.requests.Load()

				fi.set(goodDoc, fault{})
				time.Sleep(2 * time.Minute)
				synctest.Wait()
				if st := s.cache.Status(); !st.Available || st.Stale || st.ConsecutiveFailures != 0 {
					t.Fatalf("after heal: Status = %+v, want Available, not Stale, 0 failures", st)
				}
				s.up(t, "healed (cached token)", cached)
				s.up(t, "healed (new token)", mint(key0, "k0"))
				// Retries back off (1 s doubling, 1 min cap): an hour of
				// outage costs on the order of 60 fetches, not thousands.
				if reqsDuringOutage > 100 {
					t.Errorf("%d JWKS requests during a 61 min outage; backoff not bounding retries", reqsDuringOutage)
				}
				t.Logf("JWKS requests: %d during the outage, %d in total", reqsDuringOutage, fi.requests.Load())
			})
		})
	}
}

// TestFaultFlippingJWKS: the issuer alternates between two valid sets
// {k0} and {k1} on every request (a load balancer in front of two
// mis-synchronised issuer nodes). Each refresh replaces the whole set, so a
// token verifies exactly when its key is in the set last fetched; answers
// are only ever 200 or 401 (never 503: the issuer is reachable), and
// unknown-kid refetches stay within the cooldown bound however many
// requests arrive. Once the issuer publishes {k0, k1} again, both verify.
func TestFaultFlippingJWKS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key0, key1 := testkeys.RSA2048(0), testkeys.RSA2048(1)
		a, b := jwksDoc(jwkJSON("k0", &key0.PublicKey)), jwksDoc(jwkJSON("k1", &key1.PublicKey))
		fi := &fakeIssuer{doc: a}
		s := newFakeStack(t, fi, 0)
		defer s.cache.Close()
		tok0, tok1 := mint(key0, "k0"), mint(key1, "k1")
		s.up(t, "before flipping", tok0)

		fi.set(nil, fault{kind: faultFlip, flip: [2][]byte{b, a}})
		const steps = 120 // one request per fake second, alternating tokens
		accepted := map[string]int{}
		before := fi.requests.Load()
		for i := range steps {
			tok, name := tok0, "k0"
			if i%2 == 1 {
				tok, name = tok1, "k1"
			}
			ans := s.ask(tok)
			switch {
			case ans.http == http.StatusOK && ans.grpc.String() == "OK":
				accepted[name]++
			case ans.http == http.StatusUnauthorized && ans.reason == "unknown_key":
			default:
				t.Fatalf("step %d (%s): %v; want 200 or 401 unknown_key", i, name, ans)
			}
			if st := s.cache.Status(); st.Stale || !st.Available || st.Keys != 1 {
				t.Fatalf("step %d: Status = %+v; want exactly one fresh set of 1 key (never a union)", i, st)
			}
			time.Sleep(time.Second)
			synctest.Wait()
		}
		fetches := fi.requests.Load() - before
		// Unknown-kid refreshes: at most one per cooldown (15 s) plus one;
		// timer refreshes: none in 120 s (15 min default interval).
		bound := int64(steps/int(jwks.DefaultUnknownKIDCooldown/time.Second) + 1)
		if fetches > bound {
			t.Fatalf("%d JWKS fetches in %d s of flipping; want ≤ %d (cooldown bound)", fetches, steps, bound)
		}
		if accepted["k0"] == 0 || accepted["k1"] == 0 {
			t.Fatalf("accepted %v: each key should verify while its set is current", accepted)
		}
		t.Logf("flipping: %d requests, accepted %v, %d JWKS fetches (bound %d)", steps, accepted, fetches, bound)

		fi.set(jwksDoc(jwkJSON("k0", &key0.PublicKey), jwkJSON("k1", &key1.PublicKey)), fault{})
		if err := s.cache.Refresh(context.Background()); err != nil {
			t.Fatalf("Refresh after heal: %v", err)
		}
		s.up(t, "healed, k0", tok0)
		s.up(t, "healed, k1", tok1)
	})
}
