package verify

import (
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// TestConfirmation checks that Claims.Confirmation is the JSON text of the
// top-level "cnf" claim however the name is spelled in JSON, and nothing
// else.
func TestConfirmation(t *testing.T) {
	v := newVerifier(t, defaultSource(t), nil)
	base := mustJSON(t, hydraClaims(testNow))
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"no cnf", base, ""},
		{"jkt", strings.Replace(base, `{`, `{"cnf":{"jkt":"abc"},`, 1), `{"jkt":"abc"}`},
		{"escaped member name", strings.Replace(base, `{`, `{"c\u006ef":{"jkt":"abc"},`, 1), `{"jkt":"abc"}`},
		{"other case is another claim", strings.Replace(base, `{`, `{"CNF":{"jkt":"abc"},`, 1), ""},
		{"nested cnf is not the claim", strings.Replace(base, `"ext":{}`, `"ext":{"cnf":{"jkt":"abc"}}`, 1), ""},
		{"not an object", strings.Replace(base, `{`, `{"cnf":"abc",`, 1), `"abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mintRaw(t, testkeys.RSA2048(0), "RS256", mustJSON(t, hydraHeader(testKID)), tt.payload)
			c, err := v.Verify(t.Context(), tok, ScopeRule{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Confirmation(); got != tt.want {
				t.Fatalf("Confirmation = %q, want %q", got, tt.want)
			}
			// NewClaims finds the same claim in the same JSON.
			nc, err := NewClaims(Claims{}, []byte(tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if got := nc.Confirmation(); got != tt.want {
				t.Fatalf("NewClaims: Confirmation = %q, want %q", got, tt.want)
			}
		})
	}
}
