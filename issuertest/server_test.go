package issuertest

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

var (
	uuidV4RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	hex128RE = regexp.MustCompile(`^[0-9a-f]{128}$`)
)

func TestNewServerPanicsOnBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"KeyBits 1024", Config{KeyBits: 1024}, "KeyBits"},
		{"KeyBits 3072", Config{KeyBits: 3072}, "KeyBits"},
		{"ScopeClaim unknown", Config{ScopeClaim: "array"}, "ScopeClaim"},
		{"TokenTTL negative", Config{TokenTTL: -time.Second}, "TokenTTL"},
		{"Path relative", Config{Path: "realms/a"}, "Path"},
		{"Path trailing slash", Config{Path: "/realms/a/"}, "Path"},
		{"Path query", Config{Path: "/a?b"}, "Path"},
		{"Path brace", Config{Path: "/{tenant}"}, "Path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("NewServer(%+v) did not panic", tt.cfg)
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "issuertest: ") {
					t.Errorf("panic %q, want issuertest: prefix and mention of %s", msg, tt.want)
				}
			}()
			s := NewServer(tt.cfg)
			s.Close()
		})
	}
}

func TestURLs(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cfg    Config
		scheme string
		slash  bool
	}{
		{"http v1 slash", Config{}, "http://", true},
		{"http v2 no slash", Config{NoTrailingSlash: true}, "http://", false},
		{"https", Config{TLS: true}, "https://", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			u := s.URL()
			if !strings.HasPrefix(u, tt.scheme+"127.0.0.1:") || strings.HasSuffix(u, "/") {
				t.Errorf("URL() = %q, want %s127.0.0.1:port without trailing slash", u, tt.scheme)
			}
			wantIss := u
			if tt.slash {
				wantIss += "/"
			}
			if got := s.Issuer(); got != wantIss {
				t.Errorf("Issuer() = %q, want %q", got, wantIss)
			}
			if got, want := s.JWKSURL(), u+"/.well-known/jwks.json"; got != want {
				t.Errorf("JWKSURL() = %q, want %q", got, want)
			}
			if got, want := s.TokenURL(), u+"/oauth2/token"; got != want {
				t.Errorf("TokenURL() = %q, want %q", got, want)
			}
			if got, want := s.DiscoveryURL(), u+"/.well-known/openid-configuration"; got != want {
				t.Errorf("DiscoveryURL() = %q, want %q", got, want)
			}
			if (s.Certificate() != nil) != tt.cfg.TLS {
				t.Errorf("Certificate() = %v with TLS=%v", s.Certificate(), tt.cfg.TLS)
			}
		})
	}
}

func TestTLSNeedsTrust(t *testing.T) {
	s := newTestServer(t, Config{TLS: true})
	if _, err := http.Get(s.JWKSURL()); err == nil {
		t.Fatal("GET with http.DefaultClient succeeded; want a certificate error")
	}
	if status, _, _ := get(t, s, s.JWKSURL()); status != http.StatusOK {
		t.Fatalf("GET with s.Client(): status %d, want 200", status)
	}
}

func TestJWKSShape(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		kidRE     *regexp.Regexp
		modBytes  int
		wantCache string
	}{
		{"hydra v1 default", Config{}, regexp.MustCompile(`^public:[0-9a-f-]{36}$`), 256, ""},
		{"hydra v2", Config{BareUUIDKIDs: true, CacheControl: HydraV2CacheControl}, uuidV4RE, 256, HydraV2CacheControl},
		{"4096", Config{KeyBits: 4096}, regexp.MustCompile(`^public:`), 512, ""},
		{"tls", Config{TLS: true}, regexp.MustCompile(`^public:`), 256, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			status, h, body := get(t, s, s.JWKSURL())
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if cc, ok := h["Cache-Control"]; tt.wantCache == "" && ok {
				t.Errorf("Cache-Control = %q, want none (Hydra v1)", cc)
			} else if tt.wantCache != "" && h.Get("Cache-Control") != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", h.Get("Cache-Control"), tt.wantCache)
			}
			// Member order as Hydra writes it.
			if !regexp.MustCompile(`^\{"keys":\[\{"use":"sig","kty":"RSA","kid":"[^"]+","alg":"RS256","n":"[A-Za-z0-9_-]+","e":"AQAB"\}\]\}$`).Match(body) {
				t.Errorf("JWKS body = %s, want Hydra's shape", body)
			}
			var doc jwksDoc
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			k := doc.Keys[0]
			kid := k["kid"].(string)
			if !tt.kidRE.MatchString(kid) {
				t.Errorf("kid %q does not match %v", kid, tt.kidRE)
			}
			if kid != s.SigningKID() {
				t.Errorf("kid %q, SigningKID() %q", kid, s.SigningKID())
			}
			n, err := base64.RawURLEncoding.DecodeString(k["n"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if len(n) != tt.modBytes || n[0] == 0 {
				t.Errorf("n is %d bytes starting %#x, want %d bytes, minimal", len(n), n[0], tt.modBytes)
			}
			if s.JWKSRequests() != 1 {
				t.Errorf("JWKSRequests() = %d, want 1", s.JWKSRequests())
			}
		})
	}
}

func TestKeysComeFromPoolInOrder(t *testing.T) {
	s := newTestServer(t, Config{})
	var gen int
	s.genKey = func(bits int) (*rsa.PrivateKey, error) {
		gen++
		if bits != 2048 {
			t.Errorf("genKey(%d), want 2048", bits)
		}
		return testkeys.RSA4096(0), nil // stands in for a fresh key without the cost
	}
	const pool = testkeys.RSA2048Count - 1 // the last is ForeignKey's
	for range pool {                       // one key already from NewServer; this generates once
		s.Rotate()
	}
	kids, keys := fetchKeys(t, s)
	if len(kids) != pool+1 {
		t.Fatalf("%d keys published, want %d", len(kids), pool+1)
	}
	for i := range pool {
		kid := kids[len(kids)-1-i] // oldest last
		if !keys[kid].Equal(&testkeys.RSA2048(i).PublicKey) {
			t.Errorf("key %d (kid %s) is not testkeys.RSA2048(%d)", i, kid, i)
		}
	}
	if gen != 1 {
		t.Errorf("generated %d keys, want 1 after exhausting the pool", gen)
	}
	if !keys[kids[0]].Equal(&testkeys.RSA4096(0).PublicKey) {
		t.Errorf("newest key is not the generated one")
	}
}

func TestKeyPool4096(t *testing.T) {
	s := newTestServer(t, Config{KeyBits: 4096})
	_, keys := fetchKeys(t, s)
	if !keys[s.SigningKID()].Equal(&testkeys.RSA4096(0).PublicKey) {
		t.Errorf("first 4096 key is not testkeys.RSA4096(0)")
	}
	if _, _, err := verify(s.AccessToken("c"), keys, fixedNow); err != nil {
		t.Errorf("4096-bit token: %v", err)
	}
}

func TestRotateAndRetire(t *testing.T) {
	s := newTestServer(t, Config{})
	k0 := s.SigningKID()
	tok0 := s.AccessToken("client")

	k1 := s.Rotate()
	if k1 == k0 || s.SigningKID() != k1 {
		t.Fatalf("Rotate() = %q, SigningKID() = %q, old %q", k1, s.SigningKID(), k0)
	}
	if got := s.KIDs(); !slices.Equal(got, []string{k1, k0}) {
		t.Fatalf("KIDs() = %v, want [%s %s]", got, k1, k0)
	}
	tok1 := s.AccessToken("client")
	if h, _ := decodeSegments(t, tok1); h["kid"] != k1 {
		t.Errorf("token after Rotate has kid %v, want %s", h["kid"], k1)
	}
	kids, keys := fetchKeys(t, s)
	if !slices.Equal(kids, []string{k1, k0}) {
		t.Errorf("JWKS kids = %v, want newest first [%s %s]", kids, k1, k0)
	}
	for name, tok := range map[string]string{"old": tok0, "new": tok1} {
		if _, _, err := verify(tok, keys, fixedNow); err != nil {
			t.Errorf("%s token after rotation: %v", name, err)
		}
	}

	s.Retire(k0)
	if got := s.KIDs(); !slices.Equal(got, []string{k1}) {
		t.Fatalf("KIDs() after Retire = %v", got)
	}
	_, keys = fetchKeys(t, s)
	if _, _, err := verify(tok0, keys, fixedNow); !errors.Is(err, errUnknownKID) {
		t.Errorf("token of retired key: err = %v, want unknown kid", err)
	}
	if _, _, err := verify(tok1, keys, fixedNow); err != nil {
		t.Errorf("token of current key: %v", err)
	}
	// A retired key can still sign on request (for "token from a retired key" tests).
	if h, _ := decodeSegments(t, s.Mint(nil, MintOptions{KID: k0})); h["kid"] != k0 {
		t.Errorf("Mint(KID: retired) kid = %v", h["kid"])
	}

	// Retiring the signing key hands signing to the newest remaining key.
	k2 := s.Rotate()
	s.Retire(k2)
	if s.SigningKID() != k1 {
		t.Errorf("after retiring the signing key, SigningKID() = %q, want %q", s.SigningKID(), k1)
	}
	s.Retire(k1)
	if s.SigningKID() != "" || len(s.KIDs()) != 0 {
		t.Errorf("all retired: SigningKID() = %q, KIDs() = %v", s.SigningKID(), s.KIDs())
	}
	if _, _, body := get(t, s, s.JWKSURL()); string(body) != `{"keys":[]}` {
		t.Errorf("empty JWKS = %s, want {\"keys\":[]}", body)
	}
	mustPanic(t, "AccessToken with every key retired", func() { s.AccessToken("client") })
	mustPanic(t, "Retire unknown kid", func() { s.Retire("public:nope") })
	s.Rotate()
	if _, _, err := verify(s.AccessToken("client"), mustKeys(t, s), fixedNow); err != nil {
		t.Errorf("after Rotate from empty: %v", err)
	}
}

func mustKeys(t *testing.T, s *Server) map[string]*rsa.PublicKey {
	_, k := fetchKeys(t, s)
	return k
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: did not panic", name)
		}
	}()
	f()
}

// TestRotateConcurrently rotates while clients fetch keys and tokens: every
// token must verify against a JWKS fetched after it was issued (the new key
// is published no later than it signs).
func TestRotateConcurrently(t *testing.T) {
	s := newTestServer(t, Config{})
	s.AddClient(Client{ID: "c", Secret: "s", Scopes: []string{"x"}})
	s.genKey = func(int) (*rsa.PrivateKey, error) { return testkeys.RSA2048(0), nil }
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 4 {
		wg.Go(func() {
			for range 10 {
				var tok string
				if w%2 == 0 {
					tok = s.AccessToken("c")
				} else {
					status, _, body := postTokenNoT(s, "grant_type=client_credentials")
					if status != http.StatusOK {
						errs <- fmt.Errorf("token endpoint status %d: %s", status, body)
						return
					}
					tok = body
				}
				_, keys, err := fetchKeysErr(s)
				if err != nil {
					errs <- err
					return
				}
				if _, _, err := verify(tok, keys, fixedNow); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			s.Rotate()
			s.SetFault(Fault{}) // exercise the fault lock too
			_ = s.KIDs()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(s.KIDs()); got != 11 {
		t.Errorf("%d keys published after 10 rotations, want 11", got)
	}
}

// postTokenNoT is postToken usable from goroutines (no t.Fatal): it returns
// the access token on success or the raw body.
func postTokenNoT(s *Server, form string) (int, http.Header, string) {
	req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("c", "s")
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return resp.StatusCode, resp.Header, err.Error()
	}
	return resp.StatusCode, resp.Header, body.AccessToken
}

func TestCountersAndMethods(t *testing.T) {
	s := newTestServer(t, Config{})
	for range 3 {
		get(t, s, s.JWKSURL())
	}
	postToken(t, s, nil, "nobody", "x")
	if s.JWKSRequests() != 3 || s.TokenRequests() != 1 {
		t.Errorf("JWKSRequests() = %d, TokenRequests() = %d, want 3, 1", s.JWKSRequests(), s.TokenRequests())
	}
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/.well-known/jwks.json", http.StatusMethodNotAllowed},
		{http.MethodGet, "/oauth2/token", http.StatusMethodNotAllowed},
		{http.MethodGet, "/nope", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(tt.method, s.URL()+tt.path, nil)
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	s := NewServer(Config{TLS: true})
	get(t, s, s.JWKSURL())
	s.Close()
	s.Close()
	if _, err := s.Client().Get(s.JWKSURL()); err == nil {
		t.Error("GET after Close succeeded")
	}
}

func TestAddr(t *testing.T) {
	// Reserve a port, then hand it to the server: the server must serve on
	// exactly that address.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	s := NewServer(Config{Addr: addr})
	defer s.Close()
	if want := "http://" + addr; s.URL() != want {
		t.Errorf("URL() = %q, want %q", s.URL(), want)
	}
	resp, err := s.Client().Get("http://" + addr + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET jwks on %s: status %d", addr, resp.StatusCode)
	}

	// The address is now taken: a second server must refuse loudly.
	defer func() {
		if recover() == nil {
			t.Error("NewServer on an address in use did not panic")
		}
	}()
	NewServer(Config{Addr: addr}).Close()
}
