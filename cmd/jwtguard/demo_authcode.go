package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

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
