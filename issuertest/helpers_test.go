package issuertest

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fixedNow is the clock of most tests: deterministic iat/exp.
var fixedNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

// newTestServer starts a server with cfg (Now defaults to fixedNow) and
// closes it at the end of the test.
func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = clock
	}
	s := NewServer(cfg)
	t.Cleanup(s.Close)
	return s
}

type jwksDoc struct {
	Keys []map[string]any `json:"keys"`
}

// get performs a GET with the server's client and returns status, header and body.
func get(t testing.TB, s *Server, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := s.Client().Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", u, err)
	}
	return resp.StatusCode, resp.Header, b
}

// fetchKeys fetches the JWKS and returns the RSA public keys by kid,
// newest first.
func fetchKeys(t testing.TB, s *Server) (kids []string, keys map[string]*rsa.PublicKey) {
	t.Helper()
	kids, keys, err := fetchKeysErr(s)
	if err != nil {
		t.Fatal(err)
	}
	return kids, keys
}

// fetchKeysErr is fetchKeys for goroutines other than the test's.
func fetchKeysErr(s *Server) (kids []string, keys map[string]*rsa.PublicKey, err error) {
	resp, err := s.Client().Get(s.JWKSURL())
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET jwks: status %d, want 200", resp.StatusCode)
	}
	var doc jwksDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("GET jwks: %v", err)
	}
	keys = map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		kid, _ := k["kid"].(string)
		ns, _ := k["n"].(string)
		es, _ := k["e"].(string)
		n, err1 := base64.RawURLEncoding.DecodeString(ns)
		e, err2 := base64.RawURLEncoding.DecodeString(es)
		if err := errors.Join(err1, err2); err != nil {
			return nil, nil, fmt.Errorf("jwks kid %q: %v", kid, err)
		}
		kids = append(kids, kid)
		keys[kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return kids, keys, nil
}

// verify checks tok against keys the way a strict resource server would
// (RS256 only, key chosen by kid, time from fixedNow) and returns its claims.
func verify(tok string, keys map[string]*rsa.PublicKey, now time.Time) (jwt.MapClaims, *jwt.Token, error) {
	claims := jwt.MapClaims{}
	t, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := keys[kid]
		if !ok {
			return nil, errUnknownKID
		}
		return k, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
	return claims, t, err
}

var errUnknownKID = errorString("unknown kid")

type errorString string

func (e errorString) Error() string { return string(e) }

// decodeSegments returns the header and claims of a compact JWT without
// verifying it.
func decodeSegments(t testing.TB, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3: %q", len(parts), tok)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("segment %d: %v in %s", i, err, b)
		}
	}
	return header, claims
}

// postToken posts form to the token endpoint, with HTTP Basic when user != "".
func postToken(t testing.TB, s *Server, form url.Values, user, pass string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("POST token: %v", err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("POST token: decoding body: %v", err)
	}
	return resp.StatusCode, resp.Header, body
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
