package verify

import (
	"strconv"
	"strings"
)

// TokenKind is the kind of token a [Verifier] accepts: OAuth 2.0 access
// tokens (the zero value) or OpenID Connect ID tokens. One issuer signs
// both with the same keys, and an ID token is handed to the client, which
// may then present it as a bearer token; a resource server must not take it
// for an access token (RFC 8725 §2.8, RFC 9068 §4). Audiences usually tell
// them apart (an ID token's aud is the client id), but not with
// InsecureSkipAudienceCheck, which Hydra's "aud": [] access tokens need, and not
// by typ, since Hydra types both "JWT".
type TokenKind int

const (
	// TokenKindAccess accepts access tokens and refuses, with
	// wrong_token_kind, a token that shows it is an ID token. A JOSE typ
	// of "at+jwt" (RFC 9068 §2.1) proves an access token and skips the
	// rule. Otherwise the token is an ID token when its claims include
	// any of:
	//
	//   - "nonce", "at_hash" or "c_hash": OpenID Connect Core defines
	//     them for ID tokens only (§2, §3.1.3.6, §3.3.2.11), and no
	//     access-token profile uses them;
	//   - "auth_time" without "client_id" and without any scope claim
	//     ("scope", "scp" or Config.ScopeClaims, even empty or null):
	//     RFC 9068 §2.2.1 lets access tokens carry auth_time, but an
	//     access token also names its client or its grant.
	//
	// Claims that access tokens share with ID tokens (azp, sid, acr, amr)
	// are not markers. An ID token with none of the markers above cannot
	// be told from an access token by its content; configure Audiences
	// (it then carries the client id as aud) or RequiredType "at+jwt" if
	// the issuer types its access tokens.
	TokenKindAccess TokenKind = iota

	// TokenKindID accepts OpenID Connect ID tokens, for a client (relying
	// party) checking the ID token it received. New then requires
	// Audiences, the client ids (OpenID Connect Core §3.1.3.7 step 3).
	// Verify also requires "sub" and "iat" (missing_claim, §2), and refuses
	// with wrong_token_kind a typ of "at+jwt" or a token carrying
	// "client_id", "scope" or "scp", which mark access tokens. The nonce
	// is the caller's to check, with [Claims.CheckNonce]; "azp",
	// "at_hash", "acr", "amr" and "auth_time" are not interpreted.
	TokenKindID
)

// String returns "access token" or "ID token".
func (k TokenKind) String() string {
	switch k {
	case TokenKindAccess:
		return "access token"
	case TokenKindID:
		return "ID token"
	}
	return "TokenKind(" + strconv.Itoa(int(k)) + ")"
}

// kindFacts records the claims checkKind looks at; decodePayload fills it.
type kindFacts struct {
	nonce, atHash, cHash, authTime, clientID, sub, iat bool
}

// checkKind is step 8: the token must be of the configured kind. raws are
// the scope claims' JSON texts ("" when absent).
func (v *Verifier) checkKind(typ string, f kindFacts, raws []string) *Error {
	atJWT := strings.EqualFold(trimApplication(typ), "at+jwt")
	if v.kind == TokenKindID {
		switch {
		case atJWT:
			return wrongKind("typ " + strconv.Quote(typ) + " marks an access token")
		case f.clientID:
			return wrongKind("client_id marks an access token")
		case raws[scopeSlotScope] != "":
			return wrongKind("scope marks an access token")
		case raws[scopeSlotScp] != "":
			return wrongKind("scp marks an access token")
		case !f.sub:
			return &Error{Reason: ReasonMissingClaim, Detail: "no sub (required in ID tokens)"}
		case !f.iat:
			return &Error{Reason: ReasonMissingClaim, Detail: "no iat (required in ID tokens)"}
		}
		return nil
	}
	if atJWT {
		return nil
	}
	switch {
	case f.nonce:
		return wrongKind("nonce marks an ID token")
	case f.atHash:
		return wrongKind("at_hash marks an ID token")
	case f.cHash:
		return wrongKind("c_hash marks an ID token")
	case f.authTime && !f.clientID && !anyPresent(raws):
		return wrongKind("auth_time without client_id or a scope claim marks an ID token")
	}
	return nil
}

func wrongKind(why string) *Error {
	return &Error{Reason: ReasonWrongTokenKind, Detail: why}
}

func anyPresent(raws []string) bool {
	for _, r := range raws {
		if r != "" {
			return true
		}
	}
	return false
}
