package providers_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

// revoke asks the issuer's RFC 7009 endpoint, as the client that holds
// tok, to revoke it.
func (w *world) revoke(t *testing.T, tok, clientID, secret string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, w.Issuer.RevokeURL(),
		strings.NewReader(url.Values{"token": {tok}, "token_type_hint": {"access_token"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := w.Issuer.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revocation: %d", resp.StatusCode)
	}
}

// unknownHydraToken is a well-formed Hydra token that no issuer issued.
func unknownHydraToken() string {
	var b [64]byte
	_, _ = rand.Read(b[:]) // never fails
	return base64.RawURLEncoding.EncodeToString(b[:32]) + "." + base64.RawURLEncoding.EncodeToString(b[32:])
}

// TestRefused presents tokens the issuer no longer vouches for, each never
// checked before, on both routes: every one is refused with 401 or
// Unauthenticated, with the reason the remote check or the verifier gave.
func TestRefused(t *testing.T) {
	tests := []struct {
		name   string
		route  route
		token  func(t *testing.T, w *world) string
		reason verify.Reason
		remote bool // the token reaches the remote endpoint
	}{
		{"unknown opaque token", remoteRoute, func(*testing.T, *world) string { return unknownHydraToken() },
			verify.ReasonInactive, true},
		{"revoked by the issuer", remoteRoute, func(_ *testing.T, w *world) string {
			tok := w.Issuer.IssueAccessToken("wgtwo-app")
			w.Issuer.Revoke(tok)
			return tok
		}, verify.ReasonInactive, true},
		{"revoked by its client (RFC 7009)", remoteRoute, func(t *testing.T, w *world) string {
			tok := token(t, w.basic("wgtwo-app", "s3cret/+:=").TokenSource(w.ctx)).AccessToken
			w.revoke(t, tok, "wgtwo-app", "s3cret/+:=")
			return tok
		}, verify.ReasonInactive, true},
		{"expired opaque token", remoteRoute, func(_ *testing.T, w *world) string {
			tok := w.Issuer.IssueAccessToken("wgtwo-app")
			w.clock.Advance(time.Hour)
			return tok
		}, verify.ReasonInactive, true},
		{"refresh token as an access token", remoteRoute, func(t *testing.T, w *world) string {
			return w.authorize(t, w.userApp(), "nonce-0123").RefreshToken
		}, verify.ReasonInvalidType, true},
		{"expired JWT", remoteRoute, func(_ *testing.T, w *world) string {
			return w.Issuer.ExpiredAccessToken("wgtwo-jwt")
		}, verify.ReasonExpired, false},
		{"JWT signed by a foreign key", remoteRoute, func(_ *testing.T, w *world) string {
			return w.Issuer.Mint(w.Issuer.AccessTokenClaims("wgtwo-jwt"), issuertest.MintOptions{Key: w.Issuer.ForeignKey()})
		}, verify.ReasonInvalidSignature, false},
		{"unknown user token", userRoute, func(*testing.T, *world) string { return unknownHydraToken() },
			verify.ReasonInactive, true},
		{"revoked user token", userRoute, func(t *testing.T, w *world) string {
			tok := w.authorize(t, w.userApp(), "nonce-0123")
			w.revoke(t, tok.RefreshToken, "wgtwo-user", "user-secret") // revokes the whole grant
			return tok.AccessToken
		}, verify.ReasonInactive, true},
		{"expired user token", userRoute, func(t *testing.T, w *world) string {
			tok := w.authorize(t, w.userApp(), "nonce-0123").AccessToken
			w.clock.Advance(time.Hour)
			return tok
		}, verify.ReasonInactive, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, wgtwo())
			tok := tt.token(t, w)
			before := w.introspections() + w.userinfos()
			w.expect(t, tt.route, static(tok), refused)
			if got := w.lastReason(); got != tt.reason {
				t.Errorf("reason %q, want %q", got, tt.reason)
			}
			n := w.introspections() + w.userinfos() - before
			if want := map[bool]int64{true: 1, false: 0}[tt.remote]; n != want {
				t.Errorf("%d remote requests for HTTP and gRPC, want %d (refusals are cached)", n, want)
			}
		})
	}
}
