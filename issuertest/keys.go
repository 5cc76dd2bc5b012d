package issuertest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

// Rotate makes a new key, publishes it first in the JWKS and signs with it
// from now on, as Hydra does (no pre-publication). Older keys stay
// published until [Server.Retire]. It returns the new kid.
func (s *Server) Rotate() (kid string) {
	s.mu.Lock()
	i := s.nextKey
	s.nextKey++
	s.mu.Unlock()
	// Load (or generate) outside the lock: generation is slow.
	priv := s.poolKey(i)
	if s.cfg.BareUUIDKIDs {
		kid = newUUID()
	} else {
		kid = "public:" + newUUID()
	}
	k := &signingKey{kid: kid, priv: priv}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all[kid] = k
	s.published = slices.Insert(s.published, 0, k)
	s.rebuildJWKSLocked()
	return kid
}

func (s *Server) poolKey(i int) *rsa.PrivateKey {
	if s.cfg.KeyBits == 4096 && i < testkeys.RSA4096Count {
		return testkeys.RSA4096(i)
	}
	if s.cfg.KeyBits == 2048 && i < testkeys.RSA2048Count-1 { // the last is ForeignKey's
		return testkeys.RSA2048(i)
	}
	k, err := s.genKey(s.cfg.KeyBits)
	if err != nil {
		panic(fmt.Sprintf("issuertest: generating RSA key: %v", err))
	}
	return k
}

// ForeignKey returns an RSA-2048 key that no Server ever publishes or signs
// with, for "token signed by the wrong key" tests: pass it as
// [MintOptions.Key], with or without a trusted kid. Every Server returns
// the same key; callers must not modify it.
func (s *Server) ForeignKey() *rsa.PrivateKey { return testkeys.RSA2048(testkeys.RSA2048Count - 1) }

// Retire removes kid from the JWKS, so tokens it signed no longer verify.
// If kid was signing, the newest remaining key signs from now on (Hydra
// signs with the newest key in its set). Once every key is retired, signing
// without an explicit key panics until [Server.Rotate]. Retire panics on a
// kid that is not published.
func (s *Server) Retire(kid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.published, func(k *signingKey) bool { return k.kid == kid })
	if i < 0 {
		panic(fmt.Sprintf("issuertest: Retire(%q): no such published key", kid))
	}
	s.published = slices.Delete(s.published, i, i+1)
	s.rebuildJWKSLocked()
}

// SigningKID is the kid of the key that currently signs tokens, or "" when
// every key is retired.
func (s *Server) SigningKID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.published) == 0 {
		return ""
	}
	return s.published[0].kid
}

// KIDs lists the published kids, newest (signing) first.
func (s *Server) KIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kids := make([]string, len(s.published))
	for i, k := range s.published {
		kids[i] = k.kid
	}
	return kids
}

type jwk struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (s *Server) rebuildJWKSLocked() {
	keys := make([]jwk, len(s.published))
	for i, k := range s.published {
		keys[i] = jwk{
			Use: "sig", Kty: "RSA", Kid: k.kid, Alg: "RS256",
			N: base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
		}
	}
	doc, err := json.Marshal(struct {
		Keys []jwk `json:"keys"`
	}{keys})
	if err != nil {
		panic("issuertest: " + err.Error())
	}
	s.jwksDoc = doc
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
