package verify

import (
	"context"

	"github.com/jwtguard/jwtguard/jwks"
)

// refreshAndRecheck decides a token whose signature failed (e) under k, the
// key its kid named. An issuer may republish a kid with new material, and
// until the key source refreshes, every token the new key signs would fail
// here. So when src is a [jwks.Refresher] and the token names a kid, src is
// asked for the kid's current key; it refetches at most within the same
// budget as unknown kids (for *jwks.Cache, one fetch per
// UnknownKIDCooldown, shared with unknown kids), so forged signatures
// cannot drive more fetches than random kids already can. If the kid now
// names another key, the binding and the signature are checked once more
// under it; otherwise e stands.
//
// The verified-token cache needs nothing extra: its entries hold the *Key
// that verified them and are dropped as soon as the source returns another
// pointer for the kid.
func refreshAndRecheck(ctx context.Context, src jwks.Source, pt *parsed, k *jwks.Key, e *Error) (*jwks.Key, *Error) {
	r, ok := src.(jwks.Refresher)
	if !ok || pt.kid == "" {
		return nil, e
	}
	nk, err := r.RefreshKey(ctx, pt.kid, pt.alg.Name, k)
	switch {
	case err != nil && isCtxErr(err):
		// Whether the kid changed is unknown: a server-side condition,
		// as for any key lookup that ctx cut short.
		return nil, keyError(err)
	case err != nil:
		e.Detail += " (after a key refresh: " + err.Error() + ")"
		return nil, e
	case nk == nil || nk == k:
		return nil, e
	}
	if e2 := checkKeySignature(nk, pt); e2 != nil {
		e2.Detail += " (kid republished with a new key)"
		return nil, e2
	}
	return nk, nil
}
