// Package rejectlog logs refusals with log/slog and names them with one
// stable label, for the OnReject hooks of httpmw, grpcmw and connectguard.
//
// [HTTP] returns an httpmw.Config.OnReject func and [RPC] a grpcmw (or
// connectguard) Config.OnReject func; both log one record per refusal.
// [Reason] maps any refusal those hooks receive to a short label (a
// verify.Reason such as "expired", or "missing_token", "invalid_request",
// "unlisted_method", "no_method", "other"), which the metrics integrations
// use too.
//
// # Security
//
// Records carry the exact cause, which clients never see: the verifier's
// detail (with the token's unverified iss and kid), the request path or
// RPC method, never the token. Those strings come from the client; the
// slog text and JSON handlers escape them, a custom handler must too.
// Every refusal logs a record, so a client sending bad tokens drives log
// volume: client-caused refusals are logged at Info (or a level you choose)
// and refusals for unavailable keys at Warn.
package rejectlog
