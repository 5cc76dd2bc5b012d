package verify

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestVerifyHydraAccessToken(t *testing.T) {
	src := defaultSource(t)
	v := newVerifier(t, src, nil)
	tok := mint(t, hydraClaims(testNow))
	c, err := v.Verify(context.Background(), tok, ScopeRule{AllOf: []string{testScope1}})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := &Claims{
		Issuer: testIssuer, Subject: testClientID, Audience: []string{testAudience},
		ExpiresAt: testNow.Add(time.Hour), NotBefore: testNow, IssuedAt: testNow,
		ID: "5f55d59b-0fbc-4ee6-9cbc-6e1454a00cdc", ClientID: testClientID,
		Scopes: []string{testScope1, testScope2, testScope3},
		KeyID:  testKID, Algorithm: "RS256", Type: "JWT",
	}
	if c.Issuer != want.Issuer || c.Subject != want.Subject || !slices.Equal(c.Audience, want.Audience) ||
		!c.ExpiresAt.Equal(want.ExpiresAt) || !c.NotBefore.Equal(want.NotBefore) || !c.IssuedAt.Equal(want.IssuedAt) ||
		c.ID != want.ID || c.ClientID != want.ClientID || !slices.Equal(c.Scopes, want.Scopes) ||
		c.KeyID != want.KeyID || c.Algorithm != want.Algorithm || c.Type != want.Type {
		t.Errorf("claims = %+v\nwant %+v", c, want)
	}
	var ext struct {
		Ext map[string]any `json:"ext"`
		Scp []string       `json:"scp"`
	}
	if err := c.Decode(&ext); err != nil || ext.Ext == nil || len(ext.Scp) != 3 {
		t.Errorf("Decode = %v, %+v", err, ext)
	}
	_, err = v.Verify(context.Background(), tok, ScopeRule{AllOf: []string{"admin"}})
	if !errors.Is(err, ErrInsufficientScope) {
		t.Errorf("missing scope: err = %v", err)
	}
}
