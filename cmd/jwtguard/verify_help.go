package main

const verifyHelp = `Usage: jwtguard verify [flags] TOKEN

Checks TOKEN exactly as a resource server using jwtguard would and prints the
verdict. A JWT is checked locally (keys from the issuer's JWKS, strict header
and claim checks); an opaque token is checked remotely with --introspect URL
(RFC 7662) or --userinfo URL, as package introspect does.
TOKEN "-" reads it from standard input; white space and a leading "Bearer "
are removed. A whole "Authorization: Bearer ..." header line or a token
endpoint's JSON response (its "access_token") works too; a note on standard
error says what was taken. Flags may come before or after TOKEN, as -flag or
--flag; a TOKEN that starts with "-" and is not Hydra-shaped goes after "--".

A JWT whose (unverified) "iss" is not --issuer is rejected before anything
is fetched. A token with "nonce" or "at_hash" draws a warning that it looks
like an ID token, unless --nonce is given.

Flags:
  --issuer URL      expected "iss", compared exactly (trailing slash included);
                    for JWTs also the OpenID discovery base when --jwks is absent.
                    Required for JWTs; optional with --introspect / --userinfo,
                    where it is checked against the answer's "iss" when given.
  --jwks URL        JWKS URL to use instead of discovery.
  --audience AUD    accepted audience; repeatable (the token needs any one).
  --skip-audience   accept any "aud". One of --audience / --skip-audience is
                    required (also with --introspect): Hydra issues "aud": []
                    unless the client asked for an audience, so this must be a
                    deliberate choice.
  --scope SCOPE     required scope; repeatable or space/comma separated (all required).
  --alg ALG         accepted JWS algorithm; repeatable (default RS256).
                    RS*, PS*, ES*, EdDSA; "none" and HS* are always refused.
  --leeway DUR      clock skew tolerated on exp, nbf and iat (default 0, max 5m).
  --type TYP        require the JOSE header "typ" (e.g. at+jwt for RFC 9068 access
                    tokens; case-insensitive, "application/" optional). Default: any.
  --id-token        check an OpenID Connect ID token instead of an access token
                    (give the client id as --audience). Without it, a token
                    carrying ID-token claims (nonce, at_hash, ...) is refused.
  --nonce NONCE     require this ID-token "nonce"; implies --id-token.
  --allow-http      allow http:// URLs, on loopback hosts only.
  --ca-file FILE    also trust the PEM CA certificate(s) in FILE for TLS
                    (e.g. written by 'jwtguard issuer --ca-out FILE').
  --timeout DUR     overall time limit for fetching keys or asking the
                    endpoint, and verifying (default 15s).

Opaque tokens (one of --introspect and --userinfo; --jwks, --alg, --type,
--id-token and --nonce are for JWTs only):
  --introspect URL  POST the token to this RFC 7662 introspection endpoint;
                    "active": true accepts it (then iss, aud, exp, nbf, iat,
                    token_use and --scope are checked), false is "inactive".
  --userinfo URL    GET this OpenID Connect userinfo endpoint (or any protected
                    resource of the provider) with the token: 2xx with a "sub"
                    accepts it, 401/403 is "inactive". Its answer carries no
                    scopes and no audience: --scope and --audience do not apply.
  --client-id ID    client id this command authenticates to --introspect with.
  --client-secret-file FILE
                    read the client secret from FILE (trailing newline removed).
  JWTGUARD_CLIENT_SECRET
                    environment variable holding the client secret, used when
                    --client-secret-file is absent. There is no --client-secret
                    flag: a command line is visible to every user of the
                    machine (ps, /proc) and kept in shell history.
  --client-auth basic|post|none
                    how to send the client credentials: HTTP Basic (default,
                    client_secret_basic), form fields (client_secret_post), or
                    none, for an endpoint reachable only by trusted callers
                    (Hydra's admin port); none needs no --client-id or secret.

Exit codes:
  0  valid: the claims (for opaque tokens, the endpoint's JSON answer) are
     printed as indented JSON on standard output, and one line on standard
     error:  valid: client ..., sub ..., scopes ..., expires in ...
  1  rejected: one line on standard error:  rejected: <reason>: <detail>
     reasons: malformed, token_too_large, unsupported_algorithm, unknown_key,
     invalid_signature, expired, not_yet_valid, issued_in_future,
     lifetime_too_long, missing_claim, invalid_issuer, invalid_audience,
     invalid_type, wrong_token_kind, invalid_nonce, insufficient_scope,
     inactive (the endpoint says the token is not active: revoked, expired
     or unknown)
  2  usage or configuration error (message and a hint on standard error)
  3  unavailable: the discovery document or JWKS could not be fetched or was
     refused (e.g. discovery names "https://x/" and --issuer is "https://x",
     or the issuer's certificate is not trusted: pass --ca-file FILE), or the
     introspection or userinfo endpoint did not answer about the token (down,
     5xx, timeout, a malformed answer, or it refused this command's client
     credentials); one line on standard error:  unavailable: <detail>

Examples:
  jwtguard verify --issuer https://id.wgtwo.com/ --skip-audience --scope subscription.read "$TOKEN"
  pbpaste | jwtguard verify --issuer https://id.wgtwo.com/ --audience my-api -
  curl -s -u ID:SECRET -d grant_type=client_credentials https://id.wgtwo.com/oauth2/token |
      jwtguard verify --issuer https://id.wgtwo.com/ --skip-audience -
  jwtguard verify --issuer http://127.0.0.1:4444/ --allow-http --skip-audience "$TOKEN"
  JWTGUARD_CLIENT_SECRET="$(cat secret)" jwtguard verify --introspect https://auth.example/oauth2/introspect \
      --client-id my-api --skip-audience --scope cx.read "$TOKEN"
  jwtguard verify --userinfo https://id.wgtwo.com/userinfo --issuer https://id.wgtwo.com/ "$TOKEN"
`
