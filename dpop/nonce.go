package dpop

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// NonceSource provides the server nonces of RFC 9449 §9. A Verifier with
// a NonceSource refuses proofs without a valid nonce (use_dpop_nonce);
// the transport then sends Nonce's value in the DPoP-Nonce header.
type NonceSource interface {
	// Nonce returns the nonce clients should put in their next proofs.
	// It must be at least one character of NQCHAR (RFC 9449 §8.1:
	// printable ASCII without '"' and '\').
	Nonce(ctx context.Context) (string, error)
	// Valid reports whether a proof's nonce is acceptable now.
	Valid(ctx context.Context, nonce string) bool
}

// RotatingNonces is a stateless NonceSource: the nonce is an HMAC of the
// current period's number under a secret, so every server instance
// sharing the secret hands out and accepts the same nonces, with no
// storage and no goroutine. The current and the previous period's nonces
// are valid, so a nonce lives between one and two periods.
type RotatingNonces struct {
	key    []byte
	period time.Duration
	now    func() time.Time
}

// NewRotatingNonces returns a RotatingNonces with secret (at least 32
// bytes; copied), a new nonce every period (at least one second) and the
// clock now (nil means time.Now).
func NewRotatingNonces(secret []byte, period time.Duration, now func() time.Time) (*RotatingNonces, error) {
	if len(secret) < 32 {
		return nil, errors.New("dpop: NewRotatingNonces: secret shorter than 32 bytes")
	}
	if period < time.Second {
		return nil, errors.New("dpop: NewRotatingNonces: period shorter than one second")
	}
	if now == nil {
		now = time.Now
	}
	return &RotatingNonces{key: append([]byte(nil), secret...), period: period, now: now}, nil
}

func (n *RotatingNonces) at(i int64) string {
	m := hmac.New(sha256.New, n.key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18]) // 144 bits, 24 characters
}

func (n *RotatingNonces) period0() int64 { return n.now().UnixNano() / int64(n.period) }

// Nonce implements NonceSource.
func (n *RotatingNonces) Nonce(context.Context) (string, error) { return n.at(n.period0()), nil }

// Valid implements NonceSource.
func (n *RotatingNonces) Valid(_ context.Context, nonce string) bool {
	i := n.period0()
	ok := hmac.Equal([]byte(nonce), []byte(n.at(i)))
	return hmac.Equal([]byte(nonce), []byte(n.at(i-1))) || ok
}
