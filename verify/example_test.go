package verify_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
	"github.com/jwtguard/jwtguard/verify"
)

// exampleKeys returns a static key set holding the test key that signs
// exampleToken's tokens. In production Keys is a *jwks.Cache.
func exampleKeys() jwks.Source {
	k, err := jwks.NewKey("public:2b0c7a1e", "RS256", "sig", testkeys.RSA2048(0).Public())
	if err != nil {
		panic(err)
	}
	set, err := jwks.NewSet(k)
	if err != nil {
		panic(err)
	}
	return set
}

// exampleToken mints a Hydra-shaped access token issued at iat.
func exampleToken(iat time.Time, scp ...string) string {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": "https://id.wgtwo.com/", "sub": "86b76cb5", "aud": []string{"https://api.example.com/"},
		"client_id": "86b76cb5", "iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(time.Hour).Unix(),
		"jti": "5f55d59b", "scp": scp, "ext": map[string]any{},
	})
	t.Header["kid"] = "public:2b0c7a1e"
	s, err := t.SignedString(testkeys.RSA2048(0))
	if err != nil {
		panic(err)
	}
	return s
}

func Example() {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	v, err := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: "https://id.wgtwo.com/", Keys: exampleKeys()}},
		Audiences: []string{"https://api.example.com/"},
		Leeway:    30 * time.Second,
		Now:       func() time.Time { return now }, // omit in production
	})
	if err != nil {
		panic(err)
	}
	token := exampleToken(now.Add(-time.Minute), "sms.text:send", "subscription:read")

	c, err := v.Verify(context.Background(), token, verify.ScopeRule{AllOf: []string{"sms.text:send"}})
	fmt.Println(c.Subject, c.Scopes, err)

	_, err = v.Verify(context.Background(), token, verify.ScopeRule{AllOf: []string{"admin"}})
	fmt.Println(verify.ReasonOf(err), verify.OutcomeOf(err))

	_, err = v.Verify(context.Background(), exampleToken(now.Add(-2*time.Hour)), verify.ScopeRule{})
	fmt.Println(errors.Is(err, verify.ErrExpired), verify.OutcomeOf(err))
	// Output:
	// 86b76cb5 [sms.text:send subscription:read] <nil>
	// insufficient_scope insufficient_scope
	// true invalid_token
}

// Errors carry the exact reason and detail for logs; clients only get the
// RFC 6750 code.
func ExampleError() {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	v, _ := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: "https://id.wgtwo.com", Keys: exampleKeys()}}, // no trailing slash
		Audiences: []string{"https://api.example.com/"},
		Now:       func() time.Time { return now },
	})
	_, err := v.Verify(context.Background(), exampleToken(now), verify.ScopeRule{})
	var e *verify.Error
	if errors.As(err, &e) {
		fmt.Println(e.Reason)
		fmt.Println(e.Detail)
	}
	// Output:
	// invalid_issuer
	// iss "https://id.wgtwo.com/" is not a configured issuer (configured "https://id.wgtwo.com": issuers compare exactly, trailing slash included)
}

func ExampleClaims_Decode() {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	v, _ := verify.New(verify.Config{
		Issuers:                   []verify.Issuer{{Name: "https://id.wgtwo.com/", Keys: exampleKeys()}},
		InsecureSkipAudienceCheck: true,
		Now:                       func() time.Time { return now },
	})
	c, err := v.Verify(context.Background(), exampleToken(now, "phone"), verify.ScopeRule{})
	if err != nil {
		panic(err)
	}
	var extra struct {
		ClientID string         `json:"client_id"`
		Ext      map[string]any `json:"ext"`
	}
	fmt.Println(c.Decode(&extra), extra.ClientID, len(extra.Ext))
	// Output: <nil> 86b76cb5 0
}

// exampleIDToken mints a Hydra-shaped OpenID Connect ID token for client.
func exampleIDToken(iat time.Time, client, nonce string) string {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": "https://id.wgtwo.com/", "sub": "4c42b5eb", "aud": []string{client},
		"iat": iat.Unix(), "exp": iat.Add(time.Hour).Unix(), "auth_time": iat.Add(-time.Minute).Unix(),
		"at_hash": "Q9pzLUovNYaU_V5Kn-7YSg", "nonce": nonce,
	})
	t.Header["kid"] = "public:2b0c7a1e"
	s, err := t.SignedString(testkeys.RSA2048(0))
	if err != nil {
		panic(err)
	}
	return s
}

// A resource server takes access tokens only, even without an audience
// check; a client that received an ID token checks it with TokenKindID.
func ExampleTokenKind() {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	idToken := exampleIDToken(now, "my-client", "n-0S6_WzA2Mj")

	api, _ := verify.New(verify.Config{
		Issuers:                   []verify.Issuer{{Name: "https://id.wgtwo.com/", Keys: exampleKeys()}},
		InsecureSkipAudienceCheck: true, // Hydra's access tokens carry "aud": []
		Now:                       func() time.Time { return now },
	})
	_, err := api.Verify(context.Background(), idToken, verify.ScopeRule{})
	fmt.Println(err)

	client, _ := verify.New(verify.Config{
		Issuers:   []verify.Issuer{{Name: "https://id.wgtwo.com/", Keys: exampleKeys()}},
		Audiences: []string{"my-client"},
		Kind:      verify.TokenKindID,
		Now:       func() time.Time { return now },
	})
	c, err := client.Verify(context.Background(), idToken, verify.ScopeRule{})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Subject, c.CheckNonce("n-0S6_WzA2Mj"))
	// Output:
	// verify: wrong_token_kind: nonce marks an ID token
	// 4c42b5eb <nil>
}

func ExampleScopeRule_Check() {
	need := verify.ScopeRule{AllOf: []string{"events:read"}, AnyOf: []string{"sms:send", "sms:admin"}}
	fmt.Println(need.Check([]string{"events:read", "sms:send"}))
	fmt.Println(need.Check([]string{"events:read"}))
	fmt.Println(need.String())
	// Output:
	// <nil>
	// verify: insufficient_scope: need "events:read sms:send sms:admin"
	// events:read sms:send sms:admin
}

func ExampleNewContext() {
	ctx := verify.NewContext(context.Background(), &verify.Claims{Subject: "alice"})
	if c, ok := verify.FromContext(ctx); ok {
		fmt.Println(c.Subject)
	}
	// Output: alice
}
