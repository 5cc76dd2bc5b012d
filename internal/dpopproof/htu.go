package dpopproof

import (
	"errors"
	"net/url"
	"strings"
)

// NormalizeHTU returns the form of an http or https URI that htu is
// compared in (RFC 9449 §4.3, RFC 3986 §6.2.2 and §6.2.3): scheme and host
// lower-case, the scheme's default port and an empty port removed, an
// empty path made "/", percent-encodings of unreserved characters decoded
// and the others' hex digits upper-cased, dot segments removed, and query
// and fragment dropped. Two URIs that differ only in these ways compare
// equal; any other difference (path case, "//", an encoded "/") does not.
// It refuses URIs that are relative, have another scheme, carry user
// information, or are not valid URI syntax (net/url alone would accept
// spaces and other characters RFC 3986 §2 has no place for).
func NormalizeHTU(raw string) (string, error) {
	for i := 0; i < len(raw); i++ {
		if !isURIChar(raw[i]) {
			return "", errors.New("URI has a character outside RFC 3986")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URI")
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Opaque != "" || u.Host == "" {
		return "", errors.New("not an absolute http(s) URI")
	}
	if u.User != nil {
		return "", errors.New("URI carries user information")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" { // "https://:443/"
		return "", errors.New("not an absolute http(s) URI")
	}
	for i := 0; i < len(host); i++ {
		// net/url has decoded percent-encodings: what they decoded to
		// must still be host characters (RFC 3986 §3.2.2).
		if !isUnreserved(host[i]) && strings.IndexByte("!$&'()*+,;=:", host[i]) < 0 {
			return "", errors.New("URI host has a character hosts do not have")
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	switch port := u.Port(); {
	case port == "", scheme == "http" && port == "80", scheme == "https" && port == "443":
	default:
		host += ":" + port
	}
	p, ok := normalizePath(u.EscapedPath())
	if !ok {
		return "", errors.New("URI path has a bad percent-encoding")
	}
	return scheme + "://" + host + p, nil
}

// normalizePath normalises percent-encodings (RFC 3986 §6.2.2.1–2) and
// removes dot segments (§5.2.4) of an absolute or empty path.
func normalizePath(p string) (string, bool) {
	var b strings.Builder
	b.Grow(len(p) + 1)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
			return "", false
		}
		d := unhex(p[i+1])<<4 | unhex(p[i+2])
		if isUnreserved(d) {
			b.WriteByte(d)
		} else {
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(p[i+1 : i+3]))
		}
		i += 2
	}
	out := removeDotSegments(b.String())
	if out == "" {
		out = "/"
	}
	return out, true
}

// removeDotSegments is RFC 3986 §5.2.4 for an absolute or empty path.
func removeDotSegments(in string) string {
	var out []string // output segments, each with its leading "/"
	for in != "" {
		switch {
		case in == "/." || in == "/..":
			if in == "/.." && len(out) > 0 {
				out = out[:len(out)-1]
			}
			in = "/"
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			// Move the first segment (with its leading "/") to out.
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out, in = append(out, in), ""
			} else {
				out, in = append(out, in[:i+1]), in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// isUnreserved reports RFC 3986 §2.3 unreserved characters.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isURIChar reports RFC 3986 §2 characters: unreserved, reserved and "%".
func isURIChar(c byte) bool {
	return isUnreserved(c) || c == '%' || strings.IndexByte(":/?#[]@!$&'()*+,;=", c) >= 0
}
