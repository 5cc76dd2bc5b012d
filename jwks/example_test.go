package jwks_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/jwtguard/jwtguard/internal/testcert"
	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/jwks"
)

// hydraJWKS is a JWK Set shaped like Ory Hydra's, with one key.
func hydraJWKS() string {
	pub := testkeys.RSA2048(0).PublicKey
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	return `{"keys":[{"use":"sig","kty":"RSA","kid":"public:2b0c7a1e","alg":"RS256","n":"` + n + `","e":"` + e + `"}]}`
}

func ExampleNew() {
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, hydraJWKS())
	}))
	defer issuer.Close()

	cache, err := jwks.New(context.Background(), jwks.Config{
		URL:               issuer.URL + "/.well-known/jwks.json",
		InsecureAllowHTTP: true, // loopback test server only
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cache.Close()

	key, err := cache.Key(context.Background(), "public:2b0c7a1e", "RS256")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.KID(), key.Kty(), key.Bits(), key.Alg())

	_, err = cache.Key(context.Background(), "public:2b0c7a1e", "HS256")
	fmt.Println(errors.Is(err, jwks.ErrKeyMismatch))
	_, err = cache.Key(context.Background(), "unknown", "RS256")
	fmt.Println(errors.Is(err, jwks.ErrKeyNotFound))

	st := cache.Status()
	fmt.Println(st.Available, st.Keys)
	// Output:
	// public:2b0c7a1e RSA 2048 RS256
	// true
	// true
	// true 1
}

func ExampleParseSet() {
	doc := `{"keys":[` +
		`{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},` +
		`{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`
	set, skipped, err := jwks.ParseSet([]byte(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("usable keys:", set.Len())
	for _, s := range skipped {
		fmt.Printf("skipped #%d %q: %v\n", s.Index, s.KID, s.Err)
	}
	// Output:
	// usable keys: 1
	// skipped #0 "hmac": jwks: invalid key: kid "hmac": symmetric (oct) keys are never imported
}

func ExampleNewSet() {
	key, err := jwks.NewKey("k1", "ES256", "sig", testkeys.ECP256().Public())
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := jwks.NewSet(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A token without kid gets the only key that fits its alg.
	k, err := set.Key(context.Background(), "", "ES256")
	fmt.Println(k.KID(), err)

	_, err = jwks.NewKey("weak", "RS256", "sig", testkeys.RSA1024Weak().Public())
	fmt.Println(err)
	// Output:
	// k1 <nil>
	// jwks: invalid key: kid "weak": RSA modulus of 1024 bits, want 2048 to 8192
}

// An issuer whose certificate comes from a private CA is trusted with
// Config.RootCAs; the Cache's other defaults (https only, same-host
// redirects, 10 s timeout, body cap) stay in force.
func ExampleConfig_rootCAs() {
	cert, pool, err := testcert.Loopback("issuer.internal")
	if err != nil {
		fmt.Println(err)
		return
	}
	issuer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, hydraJWKS())
	}))
	issuer.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	issuer.StartTLS()
	defer issuer.Close()

	cache, err := jwks.New(context.Background(), jwks.Config{
		URL:     issuer.URL + "/.well-known/jwks.json",
		RootCAs: pool, // the private CA, instead of the system roots
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cache.Close()
	fmt.Println(cache.Status().Keys)
	// Output: 1
}

// LogEvents turns a *slog.Logger into a Config.OnEvent hook. Here the
// issuer also publishes a symmetric key, which the Cache skips and logs at
// Warn.
func ExampleLogEvents() {
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"keys":[{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},`+hydraJWKS()[len(`{"keys":[`):])
	}))
	defer issuer.Close()

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelWarn, // refreshes log at Debug, unknown-kid fetches at Info
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	cache, err := jwks.New(context.Background(), jwks.Config{
		URL:               issuer.URL + "/.well-known/jwks.json",
		InsecureAllowHTTP: true, // loopback test server only
		OnEvent:           jwks.LogEvents(logger),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cache.Close()
	// Output:
	// level=WARN msg="jwks: key skipped" event="key skipped" trigger=initial kid=hmac error="jwks: invalid key: kid \"hmac\": symmetric (oct) keys are never imported"
}
