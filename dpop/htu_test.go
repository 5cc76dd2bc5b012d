package dpop_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/dpop"
)

func TestNormalizeHTU(t *testing.T) {
	tests := []struct {
		name, in, want string // want "" means refused
	}{
		{"canonical", "https://api.example.com/v1/sms", "https://api.example.com/v1/sms"},
		{"scheme and host case", "HTTPS://API.EXAMPLE.COM/v1/sms", "https://api.example.com/v1/sms"},
		{"https default port", "https://api.example.com:443/a", "https://api.example.com/a"},
		{"http default port", "http://api.example.com:80/a", "http://api.example.com/a"},
		{"empty port", "https://api.example.com:/a", "https://api.example.com/a"},
		{"http port on https is kept", "https://api.example.com:80/a", "https://api.example.com:80/a"},
		{"other port kept", "https://api.example.com:8443/a", "https://api.example.com:8443/a"},
		{"empty path", "https://api.example.com", "https://api.example.com/"},
		{"query dropped", "https://api.example.com/a?b=c", "https://api.example.com/a"},
		{"fragment dropped", "https://api.example.com/a#b", "https://api.example.com/a"},
		{"unreserved decoded", "https://api.example.com/%7Euser/%41", "https://api.example.com/~user/A"},
		{"reserved kept, hex upper-cased", "https://api.example.com/a%2fb%3a", "https://api.example.com/a%2Fb%3A"},
		{"dot segments", "https://api.example.com/a/./b/../c", "https://api.example.com/a/c"},
		{"dot segment above root", "https://api.example.com/../a", "https://api.example.com/a"},
		{"trailing dot-dot", "https://api.example.com/a/b/..", "https://api.example.com/a/"},
		{"encoded dot segment", "https://api.example.com/a/%2E%2E/b", "https://api.example.com/b"},
		{"double slash kept", "https://api.example.com//a", "https://api.example.com//a"},
		{"path case kept", "https://api.example.com/A", "https://api.example.com/A"},
		{"IPv6 host", "https://[::1]:443/a", "https://[::1]/a"},
		{"IPv6 host with port", "https://[::1]:8443/a", "https://[::1]:8443/a"},
		{"relative", "/a", ""},
		{"other scheme", "ftp://api.example.com/a", ""},
		{"no host", "https:///a", ""},
		{"port without host", "https://:443/a", ""},
		{"percent-encoded host", "https://%61pi.example.com/a", ""},
		{"percent-encoded non-ASCII host", "https://%80.example.com/a", ""},
		{"percent-encoded slash in host", "https://a%2Fb/", ""},
		{"opaque", "https:api.example.com", ""},
		{"user information", "https://u:p@api.example.com/a", ""},
		{"bad percent-encoding", "https://api.example.com/%zz", ""},
		{"truncated percent-encoding", "https://api.example.com/a%4", ""},
		{"space", "https://api.example.com/a b", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dpop.NormalizeHTU(tt.in)
			if got != tt.want || (err == nil) != (tt.want != "") {
				t.Fatalf("NormalizeHTU(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if tt.want == "" {
				return
			}
			// Normalising is idempotent.
			if again, err := dpop.NormalizeHTU(got); again != got || err != nil {
				t.Fatalf("NormalizeHTU(%q) = %q, %v; not idempotent", got, again, err)
			}
		})
	}
}
