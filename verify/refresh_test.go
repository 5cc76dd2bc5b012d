package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
	"github.com/jwtguard/jwtguard/issuertest"
	"github.com/jwtguard/jwtguard/jwks"
)

// republish makes iss serve a JWKS in which kid names RSA2048(i), as an
// issuer that reissued a kid with new material would.
func republish(t *testing.T, iss *issuertest.Server, kid string, i int) {
	t.Helper()
	pub := testkeys.RSA2048(i).PublicKey
	doc, err := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	iss.SetFault(issuertest.Fault{Body: doc})
}

// inRefetchBubble runs fn in a synctest bubble with a Hydra-shaped issuer,
// a jwks.Cache over its in-process transport and a verifier over the cache
// (token cache on) that counts cached answers in hits.
func inRefetchBubble(t *testing.T, fn func(t *testing.T, iss *issuertest.Server, v *Verifier, hits *atomic.Int64)) {
	iss := issuertest.NewServer(issuertest.Config{})
	t.Cleanup(iss.Close)
	synctest.Test(t, func(t *testing.T) {
		cache, err := jwks.New(t.Context(), jwks.Config{URL: iss.JWKSURL(), InsecureAllowHTTP: true,
			HTTPClient: &http.Client{Transport: iss.Transport()}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cache.Close() })
		var hits atomic.Int64
		v, err := New(Config{
			Issuers:                   []Issuer{{Name: iss.Issuer(), Keys: cache}},
			InsecureSkipAudienceCheck: true,
			OnDecision: func(d Decision) {
				if d.Cached {
					hits.Add(1)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		fn(t, iss, v, &hits)
	})
}

// TestRepublishedKID: the issuer republishes its signing kid with a new
// key. The first token the new key signs is accepted after one JWKS fetch;
// tokens of the old key stop being accepted, also from the token cache.
func TestRepublishedKID(t *testing.T) {
	inRefetchBubble(t, func(t *testing.T, iss *issuertest.Server, v *Verifier, hits *atomic.Int64) {
		ctx := t.Context()
		kid := iss.SigningKID()
		old := iss.AccessToken("svc", "a")
		for i := range 2 {
			if _, err := v.Verify(ctx, old, ScopeRule{}); err != nil {
				t.Fatalf("old token, call %d: %v", i, err)
			}
		}
		if hits.Load() != 1 {
			t.Fatalf("cached answers = %d, want 1", hits.Load())
		}

		republish(t, iss, kid, 5)
		fetches := iss.JWKSRequests()
		fresh := iss.Mint(iss.AccessTokenClaims("svc", "a"), issuertest.MintOptions{KID: kid, Key: testkeys.RSA2048(5)})
		c, err := v.Verify(ctx, fresh, ScopeRule{})
		if err != nil {
			t.Fatalf("token of the republished key: %v", err)
		}
		if c.KeyID != kid {
			t.Errorf("kid = %q", c.KeyID)
		}
		if got := iss.JWKSRequests() - fetches; got != 1 {
			t.Errorf("JWKS fetches = %d, want 1", got)
		}
		if _, err := v.Verify(ctx, fresh, ScopeRule{}); err != nil || hits.Load() != 2 {
			t.Errorf("repeat of the new token: %v, cached answers %d, want 2", err, hits.Load())
		}

		// The old token's cache entry is bound to the old *Key: refused,
		// not served, and no further fetch within the cooldown.
		if _, err := v.Verify(ctx, old, ScopeRule{}); ReasonOf(err) != ReasonInvalidSignature {
			t.Fatalf("old token after republish: %v, want invalid_signature", err)
		}
		if hits.Load() != 2 {
			t.Errorf("old token answered from the cache")
		}
		if got := iss.JWKSRequests() - fetches; got != 1 {
			t.Errorf("JWKS fetches = %d, want still 1", got)
		}
	})
}

// TestRepublishedKIDCooldown: the refetch shares the unknown-kid cooldown.
// Once random kids took it, a republished kid is picked up only when it
// has passed (or at the next scheduled refresh).
func TestRepublishedKIDCooldown(t *testing.T) {
	inRefetchBubble(t, func(t *testing.T, iss *issuertest.Server, v *Verifier, _ *atomic.Int64) {
		ctx := t.Context()
		kid := iss.SigningKID()
		random := iss.Mint(iss.AccessTokenClaims("svc"), issuertest.MintOptions{KID: "random"})
		if _, err := v.Verify(ctx, random, ScopeRule{}); ReasonOf(err) != ReasonUnknownKey {
			t.Fatalf("random kid: %v", err)
		}
		republish(t, iss, kid, 5)
		fetches := iss.JWKSRequests()
		fresh := iss.Mint(iss.AccessTokenClaims("svc"), issuertest.MintOptions{KID: kid, Key: testkeys.RSA2048(5)})
		if _, err := v.Verify(ctx, fresh, ScopeRule{}); ReasonOf(err) != ReasonInvalidSignature {
			t.Fatalf("within the cooldown: %v, want invalid_signature", err)
		}
		if iss.JWKSRequests() != fetches {
			t.Fatal("fetched within the cooldown")
		}
		time.Sleep(jwks.DefaultUnknownKIDCooldown)
		if _, err := v.Verify(ctx, fresh, ScopeRule{}); err != nil {
			t.Fatalf("after the cooldown: %v", err)
		}
		if got := iss.JWKSRequests() - fetches; got != 1 {
			t.Errorf("JWKS fetches = %d, want 1", got)
		}
	})
}

// TestForgedSignatureStorm: tokens under the issuer's real kid but signed
// by an attacker, 5 per second for 100 s of fake time, each a new token
// (no cache hit), cause at most one JWKS fetch per cooldown window, and
// every one is refused.
func TestForgedSignatureStorm(t *testing.T) {
	inRefetchBubble(t, func(t *testing.T, iss *issuertest.Server, v *Verifier, _ *atomic.Int64) {
		ctx := t.Context()
		kid := iss.SigningKID()
		claims := iss.AccessTokenClaims("svc", "admin")
		before := iss.JWKSRequests()
		start := time.Now()
		const n = 500
		for i := range n {
			claims["jti"] = fmt.Sprint(i)
			forged := iss.Mint(claims, issuertest.MintOptions{KID: kid, Key: testkeys.RSA2048(7)})
			if _, err := v.Verify(ctx, forged, ScopeRule{}); ReasonOf(err) != ReasonInvalidSignature {
				t.Fatalf("forged token %d: %v", i, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		elapsed := time.Since(start)
		fetches := iss.JWKSRequests() - before
		windows := int64(elapsed/jwks.DefaultUnknownKIDCooldown) + 1
		t.Logf("%d forged signatures under a known kid over %v -> %d JWKS fetches (bound %d)", n, elapsed, fetches, windows)
		if fetches > windows {
			t.Errorf("JWKS fetches = %d, want <= %d (one per cooldown)", fetches, windows)
		}
		if _, err := v.Verify(ctx, iss.AccessToken("svc", "a"), ScopeRule{}); err != nil {
			t.Errorf("genuine token after the storm: %v", err)
		}
	})
}

// refresher is a key source whose RefreshKey answers (k, err) and counts
// its calls.
type refresher struct {
	*countingSource
	k       *jwks.Key
	err     error
	refresh atomic.Int64
}

func (r *refresher) RefreshKey(_ context.Context, kid, alg string, seen *jwks.Key) (*jwks.Key, error) {
	r.refresh.Add(1)
	if r.k == nil && r.err == nil {
		return seen, nil
	}
	return r.k, r.err
}

// TestRefreshAndRecheck: what the verifier makes of each RefreshKey answer
// after a signature failure.
func TestRefreshAndRecheck(t *testing.T) {
	newKey := testKey(t, testKID, "RS256", testkeys.RSA2048(5).Public())
	signedByNew := mintRaw(t, testkeys.RSA2048(5), "RS256", mustJSON(t, hydraHeader(testKID)), mustJSON(t, hydraClaims(testNow)))
	forged := mintRaw(t, testkeys.RSA2048(7), "RS256", mustJSON(t, hydraHeader(testKID)), mustJSON(t, hydraClaims(testNow)))
	noKID := mintRaw(t, testkeys.RSA2048(5), "RS256", `{"alg":"RS256"}`, mustJSON(t, hydraClaims(testNow)))
	tests := []struct {
		name    string
		tok     string
		k       *jwks.Key
		err     error
		want    Reason
		refresh int64
	}{
		{"republished", signedByNew, newKey, nil, "", 1},
		{"unchanged", signedByNew, nil, nil, ReasonInvalidSignature, 1},
		{"forged, new key", forged, newKey, nil, ReasonInvalidSignature, 1},
		{"kid removed", signedByNew, nil, jwks.ErrKeyNotFound, ReasonInvalidSignature, 1},
		{"keys unavailable", signedByNew, nil, jwks.ErrUnavailable, ReasonInvalidSignature, 1},
		{"ctx ended", signedByNew, nil, context.DeadlineExceeded, ReasonUnavailable, 1},
		{"no kid: not asked", noKID, newKey, nil, ReasonInvalidSignature, 0},
		{"new key of another alg", signedByNew, testKey(t, testKID, "PS256", testkeys.RSA2048(5).Public()), nil, ReasonUnsupportedAlgorithm, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &refresher{countingSource: defaultSource(t), k: tt.k, err: tt.err}
			v := newVerifier(t, src, nil)
			_, err := v.Verify(context.Background(), tt.tok, ScopeRule{})
			if got := ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q, want %q (%v)", got, tt.want, err)
			}
			if got := src.refresh.Load(); got != tt.refresh {
				t.Errorf("RefreshKey calls = %d, want %d", got, tt.refresh)
			}
		})
	}
}
