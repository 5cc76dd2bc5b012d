package main

import (
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/issuertest"
)

// mintKind is a token that 'jwtguard issuer --mint KIND' prints: the odd
// tokens someone debugging a resource server needs besides a valid one.
type mintKind struct {
	name string
	mint func(s *issuertest.Server, clientID string) string
}

var mintKinds = []mintKind{
	{"valid", func(s *issuertest.Server, id string) string { return s.AccessToken(id) }},
	{"expired", func(s *issuertest.Server, id string) string { return s.ExpiredAccessToken(id) }},
	{"not-yet-valid", func(s *issuertest.Server, id string) string {
		c := s.AccessTokenClaims(id)
		iat := time.Unix(c["iat"].(int64), 0)
		c["nbf"] = iat.Add(time.Hour).Unix()
		c["exp"] = iat.Add(2 * time.Hour).Unix()
		return s.Mint(c, issuertest.MintOptions{})
	}},
	{"id-token", func(s *issuertest.Server, id string) string { return s.IDToken(id, "", "") }},
	{"wrong-key", func(s *issuertest.Server, id string) string {
		// The issuer signs with the first pool key and this command never
		// rotates, so the last pool key is one it does not publish.
		return s.Mint(s.AccessTokenClaims(id), issuertest.MintOptions{Key: testkeys.RSA2048(testkeys.RSA2048Count - 1)})
	}},
	{"unknown-kid", func(s *issuertest.Server, id string) string {
		return s.Mint(s.AccessTokenClaims(id), issuertest.MintOptions{KID: "public:unknown-" + randomHex(4)})
	}},
}

func findMintKind(name string) *mintKind {
	for i := range mintKinds {
		if mintKinds[i].name == name {
			return &mintKinds[i]
		}
	}
	return nil
}

func mintKindNames() []string {
	names := make([]string, len(mintKinds))
	for i, k := range mintKinds {
		names[i] = k.name
	}
	return names
}
