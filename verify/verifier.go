package verify

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Defaults and limits for Config.
const (
	DefaultMaxTokenBytes = 16 << 10
	// MaxLeeway is the largest Config.Leeway New accepts.
	MaxLeeway = 5 * time.Minute
)

// Verifier checks bearer tokens. It is safe for concurrent use and owns no
// goroutines; the key sources it was given are closed by their owner.
type Verifier struct {
	issuers       []Issuer
	resolver      Resolver
	skipIssuer    bool
	audiences     []string
	skipAudience  bool
	algs          []*algSpec
	leeway        time.Duration
	maxAge        time.Duration
	maxLifetime   time.Duration
	kind          TokenKind
	requiredType  string // lower case, without "application/"
	scopeClaims   []string
	maxTokenBytes int
	now           func() time.Time
	onDecision    func(Decision)

	cache   *tokenCache // nil when disabled
	joins   coalescer
	scratch sync.Pool // *scratch
}

// registeredNames may not be used as Config.ScopeClaims.
var registeredNames = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "nonce", "scope", "scp"}

// New validates cfg and returns a Verifier. It refuses, with a plain
// "verify: config: …" error: no issuers and no Resolver; a Resolver with
// InsecureSkipIssuerCheck; an issuer with an empty or
// duplicate Name (unless InsecureSkipIssuerCheck, which needs exactly one
// issuer) or nil Keys; no Audiences without InsecureSkipAudienceCheck, or both; an
// empty audience; an unknown algorithm, "none" or any HS*; a Leeway
// outside [0, 5m]; negative MaxTokenAge, MaxLifetime, MaxTokenBytes or
// TokenCache bounds; an unknown Kind, or TokenKindID without Audiences; a
// ScopeClaims entry that is empty, repeated or a registered claim name.
func New(cfg Config) (*Verifier, error) {
	v := &Verifier{
		skipIssuer:    cfg.InsecureSkipIssuerCheck,
		skipAudience:  cfg.InsecureSkipAudienceCheck,
		leeway:        cfg.Leeway,
		maxAge:        cfg.MaxTokenAge,
		maxLifetime:   cfg.MaxLifetime,
		kind:          cfg.Kind,
		maxTokenBytes: cfg.MaxTokenBytes,
		now:           cfg.Now,
		onDecision:    cfg.OnDecision,
	}
	switch {
	case len(cfg.Issuers) == 0 && cfg.Resolver == nil:
		return nil, errors.New("verify: config: no Issuers")
	case cfg.Resolver != nil && cfg.InsecureSkipIssuerCheck:
		return nil, errors.New("verify: config: Resolver and InsecureSkipIssuerCheck are mutually exclusive")
	}
	v.resolver = cfg.Resolver
	if cfg.InsecureSkipIssuerCheck && len(cfg.Issuers) != 1 {
		return nil, errors.New("verify: config: InsecureSkipIssuerCheck needs exactly one issuer")
	}
	for i, iss := range cfg.Issuers {
		if iss.Keys == nil {
			return nil, fmt.Errorf("verify: config: issuer %q has nil Keys", iss.Name)
		}
		if cfg.InsecureSkipIssuerCheck {
			continue
		}
		if iss.Name == "" {
			return nil, fmt.Errorf("verify: config: issuer %d has an empty Name", i)
		}
		for _, prev := range cfg.Issuers[:i] {
			if prev.Name == iss.Name {
				return nil, fmt.Errorf("verify: config: duplicate issuer %q", iss.Name)
			}
		}
	}
	v.issuers = append([]Issuer(nil), cfg.Issuers...)

	switch {
	case cfg.InsecureSkipAudienceCheck && len(cfg.Audiences) > 0:
		return nil, errors.New("verify: config: Audiences and InsecureSkipAudienceCheck are mutually exclusive")
	case !cfg.InsecureSkipAudienceCheck && len(cfg.Audiences) == 0:
		return nil, errors.New("verify: config: no Audiences (set InsecureSkipAudienceCheck to accept any aud)")
	}
	for _, a := range cfg.Audiences {
		if a == "" {
			return nil, errors.New("verify: config: empty audience")
		}
	}
	v.audiences = append([]string(nil), cfg.Audiences...)

	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	for _, name := range algs {
		if strings.EqualFold(name, "none") || strings.HasPrefix(strings.ToUpper(name), "HS") {
			return nil, fmt.Errorf("verify: config: algorithm %q is never accepted", name)
		}
		a := lookupAlg(name)
		if a == nil {
			return nil, fmt.Errorf("verify: config: unknown algorithm %q", name)
		}
		if !containsAlg(v.algs, a) {
			v.algs = append(v.algs, a)
		}
	}

	switch {
	case cfg.Leeway < 0 || cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("verify: config: Leeway %v outside [0, %v]", cfg.Leeway, MaxLeeway)
	case cfg.MaxTokenAge < 0:
		return nil, errors.New("verify: config: negative MaxTokenAge")
	case cfg.MaxLifetime < 0:
		return nil, errors.New("verify: config: negative MaxLifetime")
	case cfg.Kind != TokenKindAccess && cfg.Kind != TokenKindID:
		return nil, fmt.Errorf("verify: config: unknown Kind %v", cfg.Kind)
	case cfg.Kind == TokenKindID && len(cfg.Audiences) == 0:
		return nil, errors.New("verify: config: TokenKindID needs Audiences (the client ids an ID token must name)")
	case cfg.MaxTokenBytes < 0:
		return nil, errors.New("verify: config: negative MaxTokenBytes")
	}
	if v.maxTokenBytes == 0 {
		v.maxTokenBytes = DefaultMaxTokenBytes
	}
	if v.now == nil {
		v.now = time.Now
	}
	if cfg.RequiredType != "" {
		v.requiredType = strings.ToLower(trimApplication(cfg.RequiredType))
	}
	for i, name := range cfg.ScopeClaims {
		if name == "" || containsString(registeredNames, name) || containsString(cfg.ScopeClaims[:i], name) {
			return nil, fmt.Errorf("verify: config: ScopeClaims entry %q is empty, registered or repeated", name)
		}
	}
	v.scopeClaims = append([]string(nil), cfg.ScopeClaims...)

	tc := cfg.TokenCache
	if tc.MaxEntries < 0 || tc.MaxBytes < 0 || tc.MaxCachedTokenBytes < 0 {
		return nil, errors.New("verify: config: negative TokenCache bound")
	}
	if !tc.Disable {
		v.cache = newTokenCache(tc)
	}
	return v, nil
}

func containsAlg(list []*algSpec, a *algSpec) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
