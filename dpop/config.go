package dpop

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/jwtguard/jwtguard/internal/dpopproof"
	"github.com/jwtguard/jwtguard/internal/jose"
)

// Defaults for the zero Config.
const (
	// DefaultMaxAge is how long after its iat a proof is accepted. Proofs
	// are made for one request and sent at once (RFC 9449 §11.1).
	DefaultMaxAge = time.Minute
	// DefaultLeeway is how far in the future a proof's iat may be, for
	// clients whose clock runs ahead of the server's.
	DefaultLeeway = 5 * time.Second
	// DefaultMaxProofBytes caps the DPoP header value: enough for an
	// RSA-8192 key and signature.
	DefaultMaxProofBytes = 8 << 10
	// Upper limits of MaxAge and Leeway: a longer window means a larger
	// replay store and a longer life for a stolen proof.
	maxMaxAge = 10 * time.Minute
	maxLeeway = time.Minute
)

// Config configures a Verifier. The zero value is a working, strict
// configuration: every asymmetric algorithm, proofs accepted from 5 s
// before to 60 s after their iat, an in-memory replay store of
// DefaultMaxReplayEntries, no server nonce.
type Config struct {
	// Algorithms lists the proof algorithms accepted, case-sensitive, from
	// RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and
	// EdDSA. Nil means all of them. "none" and HS* can never be listed:
	// a proof is signed with a private key whose public half it carries.
	// The list is sent in challenges as algs="…" (RFC 9449 §7.1).
	Algorithms []string

	// MaxAge is how long after its iat a proof is accepted; Leeway how far
	// in the future iat may be. Zero means DefaultMaxAge (1 min) and
	// DefaultLeeway (5 s); MaxAge may be at most 10 min, Leeway at most
	// 1 min. A proof is accepted while now is in [iat−Leeway, iat+MaxAge],
	// and its jti is kept in the replay store until iat+MaxAge. Clients
	// whose clock is off by more should be sent a nonce (Nonces).
	MaxAge time.Duration
	Leeway time.Duration

	// MaxProofBytes caps the DPoP header value. Zero means
	// DefaultMaxProofBytes (8 KiB).
	MaxProofBytes int

	// Replay remembers the jti of every accepted proof until the proof
	// expires, so a proof is accepted once (RFC 9449 §11.1). Nil means a
	// MemoryStore of DefaultMaxReplayEntries using Now. Servers behind a
	// load balancer should plug in a store shared by all instances.
	Replay ReplayStore

	// Nonces, when set, makes the server demand its nonce in every proof
	// (RFC 9449 §9): a proof without the current nonce is refused with
	// use_dpop_nonce and the transport sends the nonce in the DPoP-Nonce
	// header. Nil requires no nonce, and a nonce claim is ignored.
	Nonces NonceSource

	// Origin, when set, is this server's externally visible origin
	// ("https://api.example.com"), which [Verifier.CheckHTTP] uses for
	// htu instead of the request's TLS state and Host header: set it
	// behind a TLS-terminating proxy. It must be an absolute http or
	// https URL without path, query or fragment.
	Origin string

	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// verifierConfig is a validated Config with its defaults applied.
type verifierConfig struct {
	algs     []string
	algsAttr string // space-separated, for challenges
	maxAge   time.Duration
	leeway   time.Duration
	maxBytes int
	replay   ReplayStore
	nonces   NonceSource
	origin   string // normalised, "" when unset
	now      func() time.Time
}

func (cfg Config) validate() (*verifierConfig, error) {
	vc := &verifierConfig{
		maxAge:   cmp.Or(cfg.MaxAge, DefaultMaxAge),
		leeway:   cmp.Or(cfg.Leeway, DefaultLeeway),
		maxBytes: cmp.Or(cfg.MaxProofBytes, DefaultMaxProofBytes),
		replay:   cfg.Replay,
		nonces:   cfg.Nonces,
		now:      cfg.Now,
	}
	if cfg.MaxAge < 0 || cfg.MaxAge > maxMaxAge {
		return nil, fmt.Errorf("dpop: Config.MaxAge %v is outside (0, %v]", cfg.MaxAge, maxMaxAge)
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxLeeway {
		return nil, fmt.Errorf("dpop: Config.Leeway %v is outside (0, %v]", cfg.Leeway, maxLeeway)
	}
	if cfg.MaxProofBytes < 0 {
		return nil, fmt.Errorf("dpop: Config.MaxProofBytes %d is negative", cfg.MaxProofBytes)
	}
	if vc.now == nil {
		vc.now = time.Now
	}
	if cfg.Algorithms == nil {
		for _, a := range jose.Algs() {
			vc.algs = append(vc.algs, a.Name)
		}
	} else {
		if len(cfg.Algorithms) == 0 {
			return nil, errors.New("dpop: Config.Algorithms is empty")
		}
		for _, name := range cfg.Algorithms {
			if jose.LookupAlg(name) == nil {
				return nil, fmt.Errorf("dpop: Config.Algorithms: %q is not an asymmetric JWS algorithm", name)
			}
			if !slices.Contains(vc.algs, name) {
				vc.algs = append(vc.algs, name)
			}
		}
	}
	for i, a := range vc.algs {
		if i > 0 {
			vc.algsAttr += " "
		}
		vc.algsAttr += a
	}
	if cfg.Origin != "" {
		u, err := url.Parse(cfg.Origin)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return nil, fmt.Errorf("dpop: Config.Origin %q is not an http(s) origin", cfg.Origin)
		}
		n, err := dpopproof.NormalizeHTU(cfg.Origin)
		if err != nil {
			return nil, fmt.Errorf("dpop: Config.Origin: %w", err)
		}
		vc.origin = n[:len(n)-1] // without the "/" path
	}
	if vc.replay == nil {
		vc.replay = NewMemoryStore(DefaultMaxReplayEntries, vc.now)
	}
	return vc, nil
}
