package issuertest

import (
	"context"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestSmoke(t *testing.T) {
	s := NewServer(Config{TLS: true})
	t.Cleanup(s.Close)
	s.AddClient(Client{ID: "c1", Secret: "s", Scopes: []string{"a", "b"}})
	cc := clientcredentials.Config{ClientID: "c1", ClientSecret: "s", TokenURL: s.TokenURL(), Scopes: []string{"a"}, AuthStyle: oauth2.AuthStyleInHeader}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, s.Client())
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(tok.AccessToken, tok.Extra("scope"), tok.Type())
	t.Log(s.Mint(map[string]any{"a": 1}, MintOptions{Expired: true}))
}
