package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/oauth"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// The opaque-token side of the demo: a client whose access tokens are
// Hydra's opaque HMAC tokens (as id.wgtwo.com issues), and a web
// application that gets a user's opaque token with the authorization-code
// flow.
const (
	demoOpaqueID = "demo-opaque-client"
	demoAppID    = "demo-app"
	demoRedirect = "https://app.demo.example/callback"
	// userMethod is the gRPC method whose tokens are checked at userinfo.
	userMethod = testgrpc.TestService_CacheableUnaryCall_FullMethodName
)

// remoteCheckers returns the demo's checkers for opaque tokens, built from
// the provider profiles: introspection at the issuer's endpoint (open, as
// Hydra's admin port is), with the audience checked as for JWTs, and
// userinfo for users' tokens.
func (d *demo) remoteCheckers(roots *x509.CertPool) (intro, uinfo *introspect.Checker, err error) {
	ic := introspect.HydraIntrospection(d.iss.IntrospectURL(), d.iss.Issuer())
	ic.InsecureSkipAudienceCheck, ic.Audiences, ic.RootCAs = false, []string{demoAudience}, roots
	if intro, err = introspect.New(ic); err != nil {
		return nil, nil, err
	}
	uc := introspect.WgtwoUserinfo()
	uc.URL, uc.Issuer, uc.RootCAs = d.iss.UserinfoURL(), d.iss.Issuer(), roots
	if uinfo, err = introspect.New(uc); err != nil {
		intro.Close()
		return nil, nil, err
	}
	return intro, uinfo, nil
}

// acceptedNote says how the server accepted c: by a JWT's key, or by
// introspection.
func acceptedNote(c *verify.Claims) string {
	if c.KeyID != "" {
		return "accepted, kid " + shortKID(c.KeyID)
	}
	return "accepted, introspected, client " + c.ClientID
}

// opaque runs the opaque-token scenarios on both transports: the servers'
// one Checker routes these tokens to introspection (userinfo for the user
// route and method), JWTs to the verifier.
func (d *demo) opaque(ctx, octx context.Context) {
	src := d.ccOpaque.TokenSource(octx)
	d.check("opaque token", "HTTP", "200", d.httpCall(ctx, oauth2.NewClient(octx, src), http.MethodGet, "/v1/read"))
	d.check("opaque token", "gRPC unary", "OK", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: src})))

	hc := &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second}
	user, err := authCodeToken(ctx, hc, d.iss.AuthURL(), d.iss.TokenURL(), demoAppID, d.appSecret, demoRedirect, "phone")
	if err != nil {
		d.failRows("userinfo token", "authorization-code flow: "+oneLine(err.Error()), "200", "OK")
	} else {
		us := oauth2.StaticTokenSource(user)
		d.check("userinfo token", "HTTP", "200", d.httpCall(ctx, oauth2.NewClient(octx, us), http.MethodGet, "/v1/me"))
		d.check("userinfo token", "gRPC unary", "OK", d.userCall(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: us})))
	}

	// Revoked through RFC 7009 before its first use, so no cache holds it.
	revoked, err := d.ccOpaque.Token(octx)
	if err == nil {
		err = revokeToken(ctx, hc, d.iss.RevokeURL(), demoOpaqueID, d.ccOpaque.ClientSecret, revoked.AccessToken)
	}
	if err != nil {
		d.failRows("revoked token", oneLine(err.Error()), "401 invalid_token", "Unauthenticated")
	} else {
		rs := oauth2.StaticTokenSource(revoked)
		d.check("revoked token", "HTTP", "401 invalid_token", d.httpCall(ctx, oauth2.NewClient(octx, rs), http.MethodGet, "/v1/read"))
		d.check("revoked token", "gRPC unary", "Unauthenticated", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: rs})))
	}

	// A token never checked before, while introspection answers 503: the
	// client is told to retry, not that its token is bad.
	fresh, err := d.ccOpaque.Token(octx)
	if err != nil {
		d.failRows("introspection outage", "token endpoint: "+oneLine(err.Error()), "503", "Unavailable")
		return
	}
	d.iss.SetFaultOn(issuertest.EndpointIntrospect, issuertest.Fault{Status: http.StatusServiceUnavailable})
	defer d.iss.SetFaultOn(issuertest.EndpointIntrospect, issuertest.Fault{})
	fs := oauth2.StaticTokenSource(fresh)
	d.check("introspection outage", "HTTP", "503", d.httpCall(ctx, oauth2.NewClient(octx, fs), http.MethodGet, "/v1/read"))
	d.check("introspection outage", "gRPC unary", "Unavailable", d.unary(ctx, grpc.PerRPCCredentials(oauth.TokenSource{TokenSource: fs})))
}

// failRows records both transports' rows of a scenario that could not run.
func (d *demo) failRows(scenario, got, wantHTTP, wantGRPC string) {
	d.rows = append(d.rows, row{scenario, "HTTP", wantHTTP, got, ""}, row{scenario, "gRPC unary", wantGRPC, got, ""})
}

func (d *demo) userCall(ctx context.Context, opts ...grpc.CallOption) string {
	d.saw("-")
	_, err := d.tsc.CacheableUnaryCall(ctx, &testgrpc.SimpleRequest{FillUsername: true}, opts...)
	return status.Code(err).String()
}

// revokeToken revokes token at an RFC 7009 endpoint as its client.
func revokeToken(ctx context.Context, hc *http.Client, endpoint, clientID, secret, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("revocation endpoint answered %s", resp.Status)
	}
	return nil
}

// authCodeToken runs the authorization-code flow with PKCE as a web
// application would, with hc standing in for the user's browser: it opens
// the authorization URL, takes the code from the redirect (the test
// issuer's user consents without being asked) and exchanges it.
func authCodeToken(ctx context.Context, hc *http.Client, authURL, tokenURL, clientID, secret, redirect string, scopes ...string) (*oauth2.Token, error) {
	conf := oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}}
	verifier, state := oauth2.GenerateVerifier(), randomHex(16)
	browser := *hc
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), nil)
	if err != nil {
		return nil, err
	}
	resp, err := browser.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode != http.StatusFound:
		return nil, fmt.Errorf("authorization endpoint answered %s", resp.Status)
	case back.Query().Get("error") != "":
		return nil, fmt.Errorf("authorization endpoint: %s", back.Query().Get("error"))
	case back.Query().Get("state") != state:
		return nil, errors.New("authorization endpoint: state does not match")
	}
	return conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), back.Query().Get("code"), oauth2.VerifierOption(verifier))
}
