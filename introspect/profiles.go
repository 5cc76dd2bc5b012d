package introspect

// Provider profiles: plain Configs built from the public fields, for the
// providers whose access tokens are opaque. Adjust any field before New;
// each comment lists what the profile assumes.

// WgtwoUserinfo checks wgtwo user access tokens (authorization-code flow)
// at https://id.wgtwo.com/userinfo. Assumes: id.wgtwo.com is Ory Hydra
// issuing opaque HMAC access tokens (HydraToken shape); its userinfo
// endpoint answers 200 with a JSON object holding "sub" for a live user
// token and 401 otherwise; the issuer is "https://id.wgtwo.com/" (with the
// slash). A userinfo answer carries no scopes, so only requirements
// without scopes can be met, and client-credentials tokens (no user) are
// not meant for this endpoint.
func WgtwoUserinfo() Config {
	return Config{Endpoint: Userinfo, URL: "https://id.wgtwo.com/userinfo", Issuer: "https://id.wgtwo.com/", InsecureSkipAudienceCheck: true, TokenShape: HydraToken}
}

// HydraIntrospection checks Ory Hydra access tokens (wgtwo's included) at
// a deployment's admin introspection URL, such as
// "https://hydra-admin.internal:4445/admin/oauth2/introspect" (Hydra v2)
// or ".../oauth2/introspect" (v1). Assumes: the admin port needs no client
// authentication and is reachable only inside the deployment; tokens have
// the HydraToken shape; Hydra issues access tokens with "aud": [] unless
// the client asked for an audience, so the audience is not checked; a
// refresh token is refused by its "token_use".
func HydraIntrospection(adminURL, issuer string) Config {
	return Config{URL: adminURL, ClientAuth: ClientNone, Issuer: issuer, InsecureSkipAudienceCheck: true, TokenShape: HydraToken}
}

// Sangoma checks Sangoma CPaaS access tokens at an introspection URL the
// deployment provides (Sangoma documents none). Assumes: client
// credentials are sent with HTTP Basic, as Sangoma's token endpoint takes
// them; the token format is undocumented, so any b64token is sent (the
// MissRate and MaxInFlight bounds then carry the load); scopes are
// space-separated "cx." names, so require a family with
// verify.ScopeRule{AnyPrefix: []string{"cx."}} or exact names; tokens live a
// year, so Cache.MaxTTL (5 minutes) bounds how late a revocation is seen.
// Should the tokens be JWTs without a published JWKS, use this Checker
// alone rather than behind Route, which would send them to the verifier.
func Sangoma(introspectionURL, clientID, clientSecret string) Config {
	return Config{URL: introspectionURL, ClientAuth: ClientBasic, ClientID: clientID, ClientSecret: clientSecret, InsecureSkipAudienceCheck: true}
}

// Net2Phone checks Net2Phone Canada (Versature) access tokens at an
// introspection URL the deployment provides (none is documented).
// Assumes: client credentials go in the form body, as Net2Phone's token
// endpoint takes them; tokens are 32 hexadecimal digits (Hex32Token); the
// scope is one role name with spaces such as "Office Manager" (WholeScope),
// required as verify.ScopeRule{AllOf: []string{"Office Manager"}}.
func Net2Phone(introspectionURL, clientID, clientSecret string) Config {
	return Config{URL: introspectionURL, ClientAuth: ClientPost, ClientID: clientID, ClientSecret: clientSecret, InsecureSkipAudienceCheck: true, TokenShape: Hex32Token, WholeScope: true}
}
