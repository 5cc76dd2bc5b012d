package providers_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

const (
	scopeSMS = "sms.text:send_to_subscriber"
	callback = "https://example.com/callback"
)

// wgtwo registers three Basic-auth clients: one whose access tokens are
// JWTs, one whose tokens are opaque, and a user-facing app for the
// authorization-code flow (opaque tokens, as id.wgtwo.com issues).
func wgtwo() provider {
	return provider{
		clients: []issuertest.Client{
			{ID: "wgtwo-jwt", Secret: "jwt-secret", Scopes: []string{scopeSMS}},
			{ID: "wgtwo-app", Secret: "s3cret/+:=", Scopes: []string{scopeSMS},
				AccessTokenFormat: issuertest.TokenFormatHydra},
			{ID: "wgtwo-user", Secret: "user-secret", Scopes: []string{"openid", "phone", "offline_access"},
				RedirectURIs: []string{callback}, AccessTokenFormat: issuertest.TokenFormatHydra},
		},
		remote: func(iss *issuertest.Server) introspect.Config {
			return introspect.HydraIntrospection(iss.IntrospectURL(), iss.Issuer())
		},
		need: verify.ScopeRule{AllOf: []string{scopeSMS}},
	}
}

// basic is an x/oauth2 client-credentials config authenticating with HTTP
// Basic.
func (w *world) basic(id, secret string) *clientcredentials.Config {
	return &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: w.Issuer.TokenURL(),
		AuthStyle: oauth2.AuthStyleInHeader}
}

// userApp is the x/oauth2 config of the wgtwo-user client.
func (w *world) userApp() *oauth2.Config {
	return &oauth2.Config{ClientID: "wgtwo-user", ClientSecret: "user-secret", RedirectURL: callback,
		Scopes:   []string{"openid", "phone", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: w.Issuer.AuthURL(), TokenURL: w.Issuer.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}}
}

// authorize runs the authorization-code flow as a web app does: the
// browser follows AuthCodeURL (here a client that stops at the redirect),
// the app checks state and exchanges the code.
func (w *world) authorize(t *testing.T, conf *oauth2.Config, nonce string) *oauth2.Token {
	t.Helper()
	const state = "state-0123456789"
	browser := *w.Issuer.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := browser.Get(conf.AuthCodeURL(state, oauth2.SetAuthURLParam("nonce", nonce)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorization: %d, Location %q (%v)", resp.StatusCode, resp.Header.Get("Location"), err)
	}
	q := back.Query()
	if q.Get("state") != state || q.Get("code") == "" || !strings.HasPrefix(back.String(), callback+"?") {
		t.Fatalf("redirect to %q: want %s with the state and a code", back, callback)
	}
	tok, err := conf.Exchange(w.ctx, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestWgtwo checks wgtwo's assumptions: id.wgtwo.com is Ory Hydra v1 with
// the issuer "https://…/" (trailing slash); its access tokens are either
// RS256 JWTs with "scp" as an array (Hydra's JWT strategy) or, by default,
// opaque "<43>.<43>" HMAC tokens; client credentials go by HTTP Basic;
// user tokens from the authorization-code flow are checked at /userinfo;
// an ID token is not an access token.
func TestWgtwo(t *testing.T) {
	w := newWorld(t, wgtwo())
	if iss := w.Issuer.Issuer(); !strings.HasSuffix(iss, "/") {
		t.Fatalf("issuer %q has no trailing slash", iss)
	}

	t.Run("JWT access token, verified offline", func(t *testing.T) {
		ts := w.basic("wgtwo-jwt", "jwt-secret").TokenSource(w.ctx)
		tok := token(t, ts)
		hdr, claims := jwtParts(t, tok.AccessToken)
		if hdr["alg"] != "RS256" || !strings.HasPrefix(hdr["kid"].(string), "public:") {
			t.Fatalf("JWT header %v, want RS256 and a Hydra v1 kid", hdr)
		}
		if scp, ok := claims["scp"].([]any); !ok || len(scp) != 1 || scp[0] != scopeSMS {
			t.Fatalf("scp = %#v, want [%q]", claims["scp"], scopeSMS)
		}
		if claims["iss"] != w.Issuer.Issuer() {
			t.Fatalf("iss %v, want %q", claims["iss"], w.Issuer.Issuer())
		}
		before := w.introspections() + w.userinfos()
		for _, r := range []route{remoteRoute, userRoute} {
			if got := w.expect(t, r, ts, accepted); !strings.Contains(got, "client=wgtwo-jwt") {
				t.Fatalf("%v: caller %q", r, got)
			}
		}
		if n := w.introspections() + w.userinfos() - before; n != 0 {
			t.Fatalf("a JWT caused %d remote requests, want 0", n)
		}
	})

	t.Run("opaque client-credentials token, introspected", func(t *testing.T) {
		ts := w.basic("wgtwo-app", "s3cret/+:=").TokenSource(w.ctx)
		tok := token(t, ts)
		if !introspect.HydraToken(tok.AccessToken) || introspect.IsJWT(tok.AccessToken) {
			t.Fatalf("access token %q is not Hydra's <43>.<43>", tok.AccessToken)
		}
		got := w.expect(t, remoteRoute, ts, accepted)
		if want := "sub=wgtwo-app client=wgtwo-app scopes=" + scopeSMS; got != want {
			t.Fatalf("caller %q, want %q", got, want)
		}
	})

	// The flow of wgtwo's documentation: scope "openid phone
	// offline_access", a nonce, an opaque access token, a refresh token and
	// an ID token.
	const nonce = "my-nonce-0123"
	app := w.userApp()
	tok := w.authorize(t, app, nonce)
	idToken, _ := tok.Extra("id_token").(string)

	t.Run("authorization code gives opaque, refresh and ID tokens", func(t *testing.T) {
		if !introspect.HydraToken(tok.AccessToken) || tok.RefreshToken == "" || idToken == "" {
			t.Fatalf("token response: access %q, refresh %q, id_token %q", tok.AccessToken, tok.RefreshToken, idToken)
		}
		idv, err := verify.New(verify.Config{Issuers: []verify.Issuer{{Name: w.Issuer.Issuer(), Keys: w.Keys}},
			Audiences: []string{"wgtwo-user"}, Kind: verify.TokenKindID, Now: w.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		c, err := idv.Verify(t.Context(), idToken, verify.ScopeRule{})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckNonce(nonce); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("user token checked at userinfo", func(t *testing.T) {
		before := w.userinfos()
		ts := app.TokenSource(w.ctx, tok)
		got := w.expect(t, userRoute, ts, accepted)
		if !strings.HasPrefix(got, "sub=") || strings.HasPrefix(got, "sub= ") {
			t.Fatalf("caller %q, want the pairwise subject", got)
		}
		// HTTP and gRPC both asked; the second was a cache hit.
		if n := w.userinfos() - before; n != 1 {
			t.Fatalf("%d userinfo requests, want 1", n)
		}
		// The same token on the introspection route: active, but without
		// the SMS scope.
		w.expect(t, remoteRoute, ts, forbidden)
	})

	t.Run("ID token refused on access-token routes", func(t *testing.T) {
		before := w.introspections() + w.userinfos()
		for _, r := range []route{remoteRoute, userRoute} {
			w.expect(t, r, static(idToken), refused)
			if got := w.lastReason(); got != verify.ReasonWrongTokenKind {
				t.Fatalf("%v: reason %q, want %q", r, got, verify.ReasonWrongTokenKind)
			}
		}
		if n := w.introspections() + w.userinfos() - before; n != 0 {
			t.Fatalf("the ID token reached the remote endpoints %d times", n)
		}
	})

	t.Run("refresh rotates the user token", func(t *testing.T) {
		next := token(t, app.TokenSource(w.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}))
		if !introspect.HydraToken(next.AccessToken) || next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh gave access %q, refresh %q", next.AccessToken, next.RefreshToken)
		}
		w.expect(t, userRoute, static(next.AccessToken), accepted)
		// Hydra revoked the old pair; its cached acceptance lasts posTTL.
		w.expect(t, userRoute, static(tok.AccessToken), accepted)
		w.clock.Advance(posTTL)
		w.expect(t, userRoute, static(tok.AccessToken), refused)
		if got := w.lastReason(); got != verify.ReasonInactive {
			t.Fatalf("old token: reason %q, want %q", got, verify.ReasonInactive)
		}
	})
}

// jwtParts decodes a JWT's header and claims without verifying them.
func jwtParts(t *testing.T, tok string) (hdr, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWS", tok)
	}
	for i, dst := range []*map[string]any{&hdr, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err == nil {
			err = json.Unmarshal(b, dst)
		}
		if err != nil {
			t.Fatal(errors.Join(errors.New("decoding a JWT part"), err))
		}
	}
	return hdr, claims
}
