// Package rejectlog logs refusals with log/slog and names them with one
// stable label, for the OnReject hooks of httpmw, grpcmw and connectguard.
//
// The three transports report a refusal in the same shape,
// func(context.Context, verify.Rejection), so [Hook] serves all of them
// and logs one record per refusal. [Label] maps any refusal to a short
// label (a verify.Reason such as "expired", or "missing_token",
// "invalid_request", "invalid_method", "unlisted_method", "no_method",
// "unavailable", "other"), which the metrics integrations use too.
//
// # Security
//
// Records carry the exact cause, which clients never see: the verifier's
// detail (with the token's unverified iss and kid), the request method and
// path or the RPC method, never the token. Those strings come from the
// client; the slog text and JSON handlers escape them, a custom handler
// must too. Every refusal logs a record, so a client sending bad tokens
// drives log volume: client-caused refusals are logged at Info (or a level
// you choose) and unavailable ones (the server's fault) at Warn.
package rejectlog
