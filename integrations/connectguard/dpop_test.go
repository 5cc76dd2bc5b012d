package connectguard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard/dpop"
	"github.com/jwtguard/jwtguard/integrations/connectguard"
	"github.com/jwtguard/jwtguard/internal/e2etest"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

var _ connectguard.DPoPChecker = (*dpop.Verifier)(nil)

// TestDPoP calls servers in each DPoP mode, over HTTP/2 with TLS and
// under each protocol, with DPoP-bound and plain tokens and proofs signed
// by issuertest.DPoPClient for "POST https://<authority><procedure>".
func TestDPoP(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	st := e2etest.New(t, e2etest.Options{Issuer: issuertest.Config{Now: clock}, Verify: verify.Config{Now: clock}})
	st.Issuer.AddClient(issuertest.Client{ID: "app", Secret: "secret", Scopes: []string{"read"}})
	cl, thief := issuertest.NewDPoPClient(clock), issuertest.NewDPoPClient(clock)
	bound, err := cl.Token(st.Issuer.Client(), st.Issuer, "app", "secret")
	if err != nil {
		t.Fatal(err)
	}
	plain := st.Issuer.IssueAccessToken("app")
	dv, err := dpop.NewVerifier(dpop.Config{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	rec := &rejections{}
	urls := map[connectguard.DPoPMode]string{}
	var hc *http.Client
	// perProc is a server whose mode is Allowed except that its one
	// procedure requires DPoP (Config.DPoPProcedures).
	const perProc = connectguard.DPoPDisabled + 1
	for _, mode := range []connectguard.DPoPMode{connectguard.DPoPAllowed, connectguard.DPoPRequired, connectguard.DPoPDisabled, perProc} {
		cfg := connectguard.Config{Checker: st.Verifier, DPoP: dv, DPoPMode: mode, OnReject: rec.record}
		if mode == perProc {
			cfg.DPoPMode, cfg.DPoPProcedures = connectguard.DPoPAllowed, map[string]connectguard.DPoPMode{procWho: connectguard.DPoPRequired}
		}
		i, err := connectguard.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewUnstartedServer(connectguard.TLSHandler(connect.NewUnaryHandler(procWho,
			func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
				if _, ok := dpop.FromContext(ctx); ok {
					return connect.NewResponse(wrapperspb.String("dpop " + who(ctx))), nil
				}
				return connect.NewResponse(wrapperspb.String(who(ctx))), nil
			}, connect.WithInterceptors(i))))
		ts.EnableHTTP2 = true
		ts.StartTLS()
		t.Cleanup(ts.Close)
		urls[mode], hc = ts.URL, ts.Client()
	}
	htu := func(mode connectguard.DPoPMode) string { return urls[mode] + procWho }
	type creds struct{ auth, proofs []string }
	dpopCreds := func(tok string, proofs ...string) creds { return creds{[]string{"DPoP " + tok}, proofs} }
	tests := []struct {
		name   string
		mode   connectguard.DPoPMode
		creds  func(proto int) creds
		want   string        // accepted: the answer's prefix
		err    error         // refused: a sentinel, or
		reason verify.Reason // a reason
	}{
		{name: "dpop", creds: func(int) creds { return dpopCreds(bound, cl.Proof("POST", htu(0), bound)) }, want: "dpop sub="},
		{name: "per-procedure required: DPoP accepted", mode: perProc, creds: func(int) creds {
			return dpopCreds(bound, cl.Proof("POST", htu(perProc), bound))
		}, want: "dpop sub="},
		{name: "per-procedure required: plain Bearer refused", mode: perProc, creds: func(int) creds {
			return creds{auth: []string{"Bearer " + plain}}
		}, err: connectguard.ErrMissingToken},
		{name: "dpop required", mode: connectguard.DPoPRequired, creds: func(int) creds {
			return dpopCreds(bound, cl.Proof("POST", htu(connectguard.DPoPRequired), bound))
		}, want: "dpop sub="},
		{name: "replayed proof", creds: func(proto int) creds {
			p := cl.Proof("POST", htu(0), bound)
			if _, err := callDPoP(t, hc, urls[0], protocols[proto].opts, dpopCreds(bound, p).auth, []string{p}); err != nil {
				t.Fatalf("first use: %v", err)
			}
			return dpopCreds(bound, p)
		}, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof for another procedure", creds: func(int) creds { return dpopCreds(bound, cl.Proof("POST", urls[0]+procOpen, bound)) }, reason: verify.ReasonInvalidDPoPProof},
		{name: "proof for another authority", creds: func(int) creds {
			return dpopCreds(bound, cl.Proof("POST", "https://api.example.com"+procWho, bound))
		}, reason: verify.ReasonInvalidDPoPProof},
		{name: "two proofs", creds: func(int) creds {
			return dpopCreds(bound, cl.Proof("POST", htu(0), bound), cl.Proof("POST", htu(0), bound))
		}, reason: verify.ReasonInvalidDPoPProof},
		{name: "thief's proof", creds: func(int) creds { return dpopCreds(bound, thief.Proof("POST", htu(0), bound)) }, reason: verify.ReasonBindingMismatch},
		{name: "bound token as Bearer", creds: func(int) creds { return creds{auth: []string{"Bearer " + bound}} }, reason: verify.ReasonBindingMismatch},
		{name: "bound token as Bearer, disabled", mode: connectguard.DPoPDisabled, creds: func(int) creds { return creds{auth: []string{"Bearer " + bound}} }, reason: verify.ReasonBindingMismatch},
		{name: "plain Bearer", creds: func(int) creds { return creds{auth: []string{"Bearer " + plain}} }, want: "sub="},
		{name: "plain Bearer, disabled", mode: connectguard.DPoPDisabled, creds: func(int) creds { return creds{auth: []string{"Bearer " + plain}} }, want: "sub="},
		{name: "plain Bearer, required", mode: connectguard.DPoPRequired, creds: func(int) creds { return creds{auth: []string{"Bearer " + plain}} }, err: connectguard.ErrMissingToken},
		{name: "dpop, disabled", mode: connectguard.DPoPDisabled, creds: func(int) creds {
			return dpopCreds(bound, cl.Proof("POST", htu(connectguard.DPoPDisabled), bound))
		}, err: connectguard.ErrMissingToken},
	}
	for _, tc := range tests {
		for p, proto := range protocols {
			t.Run(tc.name+"/"+proto.name, func(t *testing.T) {
				c := tc.creds(p)
				_, errsBefore := rec.get()
				got, err := callDPoP(t, hc, urls[tc.mode], proto.opts, c.auth, c.proofs)
				_, errs := rec.get()
				errs = errs[len(errsBefore):]
				if tc.want != "" {
					if err != nil || len(got) < len(tc.want) || got[:len(tc.want)] != tc.want || len(errs) != 0 {
						t.Fatalf("%q, %v (refusals %v), want %q…", got, err, errs, tc.want)
					}
					return
				}
				if connect.CodeOf(err) != connect.CodeUnauthenticated || len(errs) != 1 {
					t.Fatalf("%v (refusals %v), want Unauthenticated and one refusal", err, errs)
				}
				if tc.err != nil && !errors.Is(errs[0], tc.err) {
					t.Fatalf("OnReject saw %v, want %v", errs[0], tc.err)
				}
				if tc.reason != "" && verify.ReasonOf(errs[0]) != tc.reason {
					t.Fatalf("OnReject saw %v, want reason %q", errs[0], tc.reason)
				}
			})
		}
	}
}

// callDPoP calls procWho at url with the given Authorization and DPoP
// header values.
func callDPoP(t *testing.T, hc *http.Client, url string, opts []connect.ClientOption, auth, proofs []string) (string, error) {
	t.Helper()
	c := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](hc, url+procWho, opts...)
	req := connect.NewRequest(wrapperspb.String(""))
	req.Header()["Authorization"] = auth
	req.Header()["Dpop"] = proofs
	resp, err := c.CallUnary(t.Context(), req)
	if err != nil {
		return "", err
	}
	return resp.Msg.GetValue(), nil
}

// TestDPoPWithoutTLSHandler: without TLSHandler the authority is unknown,
// so a proof is refused, and OnReject says why.
func TestDPoPWithoutTLSHandler(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	st := e2etest.New(t, e2etest.Options{Issuer: issuertest.Config{Now: clock}, Verify: verify.Config{Now: clock}})
	st.Issuer.AddClient(issuertest.Client{ID: "app", Secret: "secret"})
	cl := issuertest.NewDPoPClient(clock)
	bound, err := cl.Token(st.Issuer.Client(), st.Issuer, "app", "secret")
	if err != nil {
		t.Fatal(err)
	}
	dv, err := dpop.NewVerifier(dpop.Config{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	rec := &rejections{}
	i, err := connectguard.New(connectguard.Config{Checker: st.Verifier, DPoP: dv, OnReject: rec.record})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, i)
	_, err = callDPoP(t, s.client, s.url, nil, []string{"DPoP " + bound}, []string{cl.Proof("POST", s.url+procWho, bound)})
	_, errs := rec.get()
	if connect.CodeOf(err) != connect.CodeUnauthenticated || len(errs) != 1 ||
		verify.ReasonOf(errs[0]) != verify.ReasonInvalidDPoPProof || !strings.Contains(errs[0].Error(), "TLSHandler") {
		t.Fatalf("%v, refusals %v; want invalid_dpop_proof naming TLSHandler", err, errs)
	}
}

func TestNewRefusesBadDPoPConfig(t *testing.T) {
	var nilVerifier *dpop.Verifier
	for name, cfg := range map[string]connectguard.Config{
		"unknown mode":            {Checker: newVerifier(t, nil), DPoPMode: connectguard.DPoPDisabled + 1},
		"nil dpop pointer":        {Checker: newVerifier(t, nil), DPoP: nilVerifier},
		"procedures without dpop": {Checker: newVerifier(t, nil), DPoPProcedures: map[string]connectguard.DPoPMode{procWho: connectguard.DPoPRequired}},
		"malformed procedure": {Checker: newVerifier(t, nil), DPoP: &dpop.Verifier{},
			DPoPProcedures: map[string]connectguard.DPoPMode{"/a/b/c": connectguard.DPoPRequired}},
	} {
		if _, err := connectguard.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
