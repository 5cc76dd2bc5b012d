package providers_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/verify"
)

const officeManager = "Office Manager"

// form is an x/oauth2 client-credentials config sending client_id and
// client_secret in the form body.
func (w *world) form(id, secret string) *clientcredentials.Config {
	return &clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: w.Issuer.TokenURL(),
		AuthStyle: oauth2.AuthStyleInParams}
}

// TestNet2Phone checks Net2Phone Canada's (Versature's) assumptions:
// client credentials go in the form body (Basic is refused); access tokens
// are 32 hexadecimal digits; the token response adds "expires", UTC without
// a zone designator; the scope is one role name with a space, "Office
// Manager", which a route requires whole; the introspection endpoint wants
// the checker's credentials in the form body too.
func TestNet2Phone(t *testing.T) {
	w := newWorld(t, provider{
		issuer: issuertest.Config{AccessTokenFormat: issuertest.TokenFormatHex32, ExpiresField: true,
			IntrospectAuth: issuertest.IntrospectAuthClient},
		clients: []issuertest.Client{
			{ID: "n2p-manager", Secret: "n2p-secret", Scopes: []string{officeManager}, AuthMethod: issuertest.AuthMethodPost},
			{ID: "n2p-user", Secret: "user-secret", Scopes: []string{"Basic User"}, AuthMethod: issuertest.AuthMethodPost},
			{ID: "n2p-office", Secret: "office-secret", Scopes: []string{"Office"}, AuthMethod: issuertest.AuthMethodPost},
			{ID: "resource-server", Secret: "rs-secret", AuthMethod: issuertest.AuthMethodPost},
		},
		remote: func(iss *issuertest.Server) introspect.Config {
			return introspect.Net2Phone(iss.IntrospectURL(), "resource-server", "rs-secret")
		},
		need: verify.ScopeRule{AllOf: []string{officeManager}},
	})

	ts := w.form("n2p-manager", "n2p-secret").TokenSource(w.ctx)
	tok := token(t, ts)
	if !introspect.Hex32Token(tok.AccessToken) {
		t.Fatalf("access token %q is not 32 hex digits", tok.AccessToken)
	}
	expires, _ := tok.Extra("expires").(string)
	at, err := time.Parse("2006-01-02T15:04:05.999999", expires)
	if err != nil || !at.Equal(w.clock.Now().Add(time.Hour).UTC()) {
		t.Fatalf("expires %q (%v), want an hour from the issuer's now in UTC without a zone", expires, err)
	}
	if got := w.expect(t, remoteRoute, ts, accepted); !strings.HasSuffix(got, "scopes="+officeManager) {
		t.Fatalf("caller %q, want the whole role as one scope", got)
	}

	tests := []struct {
		name string
		ts   oauth2.TokenSource
		want outcome
	}{
		{"another role", w.form("n2p-user", "user-secret").TokenSource(w.ctx), forbidden},
		{"a role that is half of the required one", w.form("n2p-office", "office-secret").TokenSource(w.ctx), forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.expect(t, remoteRoute, tt.ts, tt.want)
		})
	}

	t.Run("not 32 hex digits", func(t *testing.T) {
		before := w.introspections()
		w.expect(t, remoteRoute, static(strings.Repeat("g", 32)), refused)
		if r, n := w.lastReason(), w.introspections()-before; r != verify.ReasonMalformed || n != 0 {
			t.Fatalf("reason %q after %d introspection requests, want %q before any", r, n, verify.ReasonMalformed)
		}
	})

	t.Run("Basic auth refused at the token endpoint", func(t *testing.T) {
		c := w.form("n2p-manager", "n2p-secret")
		c.AuthStyle = oauth2.AuthStyleInHeader
		if _, err := c.Token(w.ctx); err == nil || !strings.Contains(err.Error(), "invalid_client") {
			t.Fatalf("err = %v, want invalid_client", err)
		}
	})
}
