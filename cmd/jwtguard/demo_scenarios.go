package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/oauth"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
)

type row struct {
	scenario, transport, expected, got, note string
}

// script runs every scenario and records one row per check.
func (d *demo) script(ctx context.Context) {
	// The clients: x/oauth2 fetches and attaches tokens for HTTP; gRPC
	// sends them as per-RPC credentials over TLS.
	octx := context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second})
	httpClient := d.cc.Client(octx)
	grpcCreds := grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: d.cc.TokenSource(octx)})
	bare := &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second}

	// allowed call
	d.check("allowed call", "HTTP", "200", d.httpCall(ctx, httpClient, http.MethodGet, "/v1/read"))
	d.check("allowed call", "gRPC unary", "OK", d.unary(ctx, grpcCreds))
	d.check("allowed call", "gRPC stream", "OK", d.stream(ctx, grpcCreds))

	// missing token
	d.check("missing token", "HTTP", "401 Bearer", d.httpCall(ctx, bare, http.MethodGet, "/v1/read"))
	d.check("missing token", "gRPC unary", "Unauthenticated", d.unary(ctx))

	// wrong scope: the client may only get demo.read
	d.check("wrong scope", "HTTP", "403 insufficient_scope", d.httpCall(ctx, httpClient, http.MethodPost, "/v1/write"))
	d.check("wrong scope", "gRPC unary", "PermissionDenied", d.empty(ctx, grpcCreds))

	// expired token (minted by the issuer with exp an hour ago)
	expired := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: d.iss.ExpiredAccessToken(demoClientID), TokenType: "Bearer"})
	d.check("expired token", "HTTP", "401 invalid_token", d.httpCall(ctx, oauth2.NewClient(octx, expired), http.MethodGet, "/v1/read"))
	d.check("expired token", "gRPC unary", "Unauthenticated", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: expired})))

	d.rotation(ctx, octx)
	d.outage(ctx, octx)
	d.opaque(ctx, octx)
	d.dpopCalls(ctx)
}

// rotation makes calls on both transports while the issuer rotates its
// signing key half-way. After the rotation, calls alternate between a token
// signed by the old key (still published) and fresh tokens signed by the
// new one, whose kid the cache has never seen.
func (d *demo) rotation(ctx, octx context.Context) {
	oldTok, err := d.cc.Token(octx)
	if err != nil {
		d.check("key rotation", "both", "token", "token endpoint: "+err.Error())
		return
	}
	oldKID, newKID := d.iss.SigningKID(), ""
	fetches := d.iss.JWKSRequests()
	type tally struct{ ok, firstNew int } // firstNew: 0 not yet, 1 ok, -1 failed
	var th, tg tally
	record := func(t *tally, got, want string, isNew bool) {
		if got == want {
			t.ok++
		}
		if isNew && t.firstNew == 0 {
			t.firstNew = -1
			if got == want {
				t.firstNew = 1
			}
		}
	}
	for i := range demoRotateCalls {
		tok, isNew := oldTok, false
		if i == demoRotateCalls/2 {
			newKID = d.iss.Rotate()
		}
		if i >= demoRotateCalls/2 && i%2 == 0 {
			t, err := d.cc.Token(octx)
			if err != nil {
				break
			}
			tok, isNew = t, tokenKID(t.AccessToken) == newKID
		}
		src := oauth2.StaticTokenSource(tok)
		record(&th, d.httpCall(ctx, oauth2.NewClient(octx, src), http.MethodGet, "/v1/read"), "200", isNew)
		record(&tg, d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: src})), "OK", isNew)
	}
	summary := func(t tally) string {
		s := fmt.Sprintf("%d/%d ok", t.ok, demoRotateCalls)
		switch t.firstNew {
		case 1:
			return s + ", new kid first try"
		case -1:
			return s + ", new kid FAILED first try"
		}
		return s + ", new kid never sent"
	}
	want := fmt.Sprintf("%d/%d ok, new kid first try", demoRotateCalls, demoRotateCalls)
	note := fmt.Sprintf("kid %s -> %s, %d JWKS fetch(es)", shortKID(oldKID), shortKID(newKID), d.iss.JWKSRequests()-fetches)
	d.rows = append(d.rows,
		row{"key rotation", "HTTP", want, summary(th), note},
		row{"key rotation", "gRPC unary", want, summary(tg), note})
}

// outage makes the issuer's JWKS endpoint fail and checks that a refresh
// fails, then calls both servers with a token issued during the outage. The
// verifier has never seen that token, so its token cache cannot answer: the
// cached keys must verify it.
func (d *demo) outage(ctx, octx context.Context) {
	d.iss.SetFault(issuertest.Fault{Status: http.StatusServiceUnavailable})
	defer d.iss.SetFault(issuertest.Fault{})
	refresh := "succeeded"
	if err := d.cache.Refresh(ctx); errors.Is(err, jwks.ErrFetch) {
		refresh = "failed"
	} else if err != nil {
		refresh = oneLine(err.Error())
	}
	d.rows = append(d.rows, row{"issuer outage", "JWKS refresh", "failed", refresh, "JWKS answers 503"})

	tok, err := d.cc.Token(octx) // the token endpoint is still up
	if err != nil {
		got := "token endpoint: " + oneLine(err.Error())
		d.rows = append(d.rows, row{"issuer outage", "HTTP", "200", got, ""}, row{"issuer outage", "gRPC unary", "OK", got, ""})
		return
	}
	src := oauth2.StaticTokenSource(tok)
	d.check("issuer outage", "HTTP", "200", d.httpCall(ctx, oauth2.NewClient(octx, src), http.MethodGet, "/v1/read"))
	d.check("issuer outage", "gRPC unary", "OK", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: src})))
}

// check records a row whose note is what the server saw on the last call.
func (d *demo) check(scenario, transport, expected, got string) {
	d.mu.Lock()
	note := d.seen
	d.mu.Unlock()
	d.rows = append(d.rows, row{scenario, transport, expected, got, note})
}

func (d *demo) saw(s string) {
	d.mu.Lock()
	d.seen = s
	d.mu.Unlock()
}

// httpCall returns the outcome "<status>[ <RFC 6750 error>]".
func (d *demo) httpCall(ctx context.Context, c *http.Client, method, path string) string {
	return d.httpCallWith(ctx, c, method, path, nil)
}

// httpCallWith is httpCall with extra request headers.
func (d *demo) httpCallWith(ctx context.Context, c *http.Client, method, path string, h http.Header) string {
	d.saw("-")
	req, err := http.NewRequestWithContext(ctx, method, d.httpURL+path, nil)
	if err != nil {
		return "error: " + err.Error()
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		return "error: " + oneLine(err.Error())
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	// A DPoP-enabled route sends one challenge per scheme.
	return httpOutcome(resp.StatusCode, strings.Join(resp.Header.Values("WWW-Authenticate"), ", "))
}

// httpOutcome is "<status>", plus the RFC 6750 error code of the Bearer
// challenge, or "Bearer" for a challenge without one (missing token).
func httpOutcome(status int, challenge string) string {
	out := fmt.Sprint(status)
	switch code := challengeError(challenge); {
	case code != "":
		out += " " + code
	case strings.HasPrefix(challenge, "Bearer"):
		out += " Bearer"
	}
	return out
}

// challengeError extracts error="…" from a Bearer challenge.
func challengeError(h string) string {
	_, rest, ok := strings.Cut(h, `error="`)
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, `"`)
	return code
}

func (d *demo) unary(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	_, err := d.tsc.UnaryCall(ctx, &testgrpc.SimpleRequest{FillUsername: true}, opts...)
	return status.Code(err).String()
}

func (d *demo) empty(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	_, err := d.tsc.EmptyCall(ctx, &testgrpc.Empty{}, opts...)
	return status.Code(err).String()
}

func (d *demo) stream(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	st, err := d.tsc.StreamingOutputCall(ctx, &testgrpc.StreamingOutputCallRequest{
		ResponseParameters: []*testgrpc.ResponseParameters{{Size: 8}, {Size: 8}}}, opts...)
	if err != nil {
		return status.Code(err).String()
	}
	for {
		if _, err := st.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return codes.OK.String()
			}
			return status.Code(err).String()
		}
	}
}

// tokenKID returns the unverified kid of a compact JWS, for the report.
func tokenKID(tok string) string {
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var hdr struct {
		KID string `json:"kid"`
	}
	_ = json.Unmarshal(b, &hdr)
	return hdr.KID
}

// printTable writes the rows and returns how many did not match.
func printTable(w io.Writer, rows []row) (failed int) {
	header := []string{"scenario", "transport", "expected", "got", "ok", "server saw"}
	cells := [][]string{header}
	for _, r := range rows {
		ok := "ok"
		if r.got != r.expected {
			ok, failed = "FAIL", failed+1
		}
		cells = append(cells, []string{r.scenario, r.transport, r.expected, r.got, ok, r.note})
	}
	width := make([]int, len(header))
	for _, c := range cells {
		for i, s := range c {
			width[i] = max(width[i], len([]rune(s)))
		}
	}
	line := func(c []string) {
		var b strings.Builder
		for i, s := range c {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(s)
			if i < len(c)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(s))))
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	fmt.Fprintln(w, strings.Join(sep, "-+-"))
	for _, c := range cells[1:] {
		line(c)
	}
	return failed
}
