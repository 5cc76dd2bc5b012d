package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jwtguard/jwtguard/verify"
)

// reportRejection prints the one-line verdict for a Verify error.
func reportRejection(stderr io.Writer, err error) int {
	var ve *verify.Error
	if !errors.As(err, &ve) {
		fmt.Fprintf(stderr, "rejected: error: %s\n", oneLine(err.Error()))
		return exitRejected
	}
	detail := ve.Detail
	if detail == "" && ve.Err != nil {
		detail = ve.Err.Error()
	}
	if ve.Reason == verify.ReasonUnavailable {
		if detail == "" {
			detail = "signing keys unavailable"
		}
		fmt.Fprintf(stderr, "unavailable: %s\n", oneLine(detail))
		return exitUnavailable
	}
	switch ve.Reason {
	case verify.ReasonWrongTokenKind:
		if strings.Contains(detail, "ID token") {
			detail += idTokenHint
		}
	case verify.ReasonExpired, verify.ReasonNotYetValid, verify.ReasonIssuedInFuture:
		// These details hold only timestamps and durations the verifier
		// formatted, never token text, so rewriting durations is safe.
		detail = roundDurations(detail)
	}
	if detail == "" {
		fmt.Fprintf(stderr, "rejected: %s\n", ve.Reason)
	} else {
		fmt.Fprintf(stderr, "rejected: %s: %s\n", ve.Reason, oneLine(detail))
	}
	return exitRejected
}

// issuerMismatch describes a token whose unverified iss is not the
// expected issuer, for the check made before any key is fetched.
func issuerMismatch(iss, want string) string {
	shown := iss
	if len(shown) > 256 {
		shown = shown[:256] + "…"
	}
	detail := fmt.Sprintf("the token's iss %s is not --issuer %s", oneLine(strconv.Quote(shown)), strconv.Quote(want))
	if strings.TrimSuffix(iss, "/") == strings.TrimSuffix(want, "/") {
		detail += " (they differ only in the trailing slash; issuers compare exactly)"
	}
	return detail + "; checked before fetching keys, so the signature was not verified"
}

// validVerdict is the one-line summary of an accepted token.
func validVerdict(c *verify.Claims, now time.Time) string {
	var b strings.Builder
	b.WriteString("valid:")
	if c.ClientID != "" {
		fmt.Fprintf(&b, " client %s,", oneLine(strconv.Quote(c.ClientID)))
	}
	fmt.Fprintf(&b, " sub %s,", oneLine(strconv.Quote(c.Subject)))
	if len(c.Scopes) == 0 {
		b.WriteString(" no scopes,")
	} else {
		fmt.Fprintf(&b, " scopes %s,", oneLine(strconv.Quote(strings.Join(c.Scopes, " "))))
	}
	if c.ExpiresAt.IsZero() { // a userinfo answer, or an introspection answer without exp
		b.WriteString(" no expiry stated")
	} else {
		fmt.Fprintf(&b, " expires in %s (%s)", fmtDuration(c.ExpiresAt.Sub(now)), c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// idTokenHint follows a wrong_token_kind refusal of an ID token checked
// as an access token.
const idTokenHint = "; an API should accept access tokens, not ID tokens (pass --id-token to check it as an ID token)"

// describeFetchError turns a failure to fetch the issuer's discovery
// document or JWKS into one line, naming the fix for the common TLS
// mistakes.
func describeFetchError(err error, who, caFile string) string {
	if hint := tlsHint(err, who, caFile); hint != "" {
		return hint
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) && strings.Count(msg, ue.URL) > 1 {
		// net/http repeats the URL the message already names.
		msg = strings.Replace(msg, ue.Op+" "+strconv.Quote(ue.URL)+": ", "", 1)
	}
	return collapsePrefixes(oneLine(msg))
}

// tlsHint names the fix for an untrusted certificate or one for another
// host, as met at who ("the issuer's"), and is "" for other errors.
func tlsHint(err error, who, caFile string) string {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
	)
	trust := "pass --ca-file FILE"
	if caFile != "" {
		trust = "it is signed by neither the system roots nor --ca-file " + caFile
	}
	switch {
	case errors.As(err, &unknownCA) || strings.Contains(err.Error(), "certificate signed by unknown authority"):
		return who + " certificate is not trusted; " + trust
	case errors.As(err, &hostname):
		return who + " certificate is not valid for the host " + oneLine(hostname.Host)
	}
	return ""
}

// withDetail returns err with more appended to its verify.Error detail.
func withDetail(err error, more string) error {
	var ve *verify.Error
	if !errors.As(err, &ve) {
		return err
	}
	c := *ve
	if c.Detail == "" && c.Err != nil {
		c.Detail = c.Err.Error()
	}
	c.Detail += more
	return &c
}

// collapsePrefixes removes a "pkg: " prefix that repeats within an error
// chain ("jwks: initial fetch: jwks: fetch …" → "jwks: initial fetch: fetch …").
func collapsePrefixes(s string) string {
	parts := strings.Split(s, ": ")
	seen := map[string]bool{}
	out := parts[:0]
	for i, p := range parts {
		if i < len(parts)-1 && !strings.ContainsAny(p, " /") {
			if seen[p] {
				continue
			}
			seen[p] = true
		}
		out = append(out, p)
	}
	return strings.Join(out, ": ")
}

// goDuration matches a time.Duration as String formats it, as a whole word.
var goDuration = regexp.MustCompile(`(^|[ (])(-?(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?(?:s|ms|µs|us|ns))([ ),;]|$)`)

// roundDurations rewrites every duration in s to whole seconds.
func roundDurations(s string) string {
	return goDuration.ReplaceAllStringFunc(s, func(m string) string {
		sub := goDuration.FindStringSubmatch(m)
		d, err := time.ParseDuration(sub[2])
		if err != nil {
			return m
		}
		return sub[1] + fmtDuration(d) + sub[3]
	})
}

// fmtDuration rounds d to whole seconds and drops zero trailing units:
// 1h0m3.6s → 1h0m4s, 59m0s → 59m, 1h0m0s → 1h.
func fmtDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// oneLine makes s safe to print as a single line: control characters
// (possibly from attacker-supplied token content) become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
