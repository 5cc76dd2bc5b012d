package jwks

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/go-json-experiment/json"
)

const (
	persistVersion = 1
	// persistHeaderMax bounds the header line (version, URL or issuer,
	// fetch time) that precedes the document in a persisted file.
	persistHeaderMax = 8 << 10
	// persistRenew is how often an unchanged document is written again to
	// renew its fetch time; it bounds the writes that unknown-kid refreshes
	// can cause.
	persistRenew = 5 * time.Minute
)

// persistHeader is the first line of a persisted file; the JWK Set
// document, exactly as fetched, follows it.
type persistHeader struct {
	V       int       `json:"v"`
	URL     string    `json:"url,omitzero"`
	Issuer  string    `json:"issuer,omitzero"`
	Fetched time.Time `json:"fetched"`
}

// savePersisted writes doc, fetched at, to Config.PersistPath when doc
// differs from the document last written or read, or when that one's fetch
// time is persistRenew old. doc is nil after a 304: the document is the
// one last written or read. It returns the event to report, if any. Only
// the goroutine running fetches calls it.
func (c *Cache) savePersisted(doc []byte, at time.Time) (Event, bool) {
	if doc == nil {
		doc = c.savedDoc
	}
	if doc == nil || (bytes.Equal(doc, c.savedDoc) && at.Sub(c.savedAt) < persistRenew) {
		return Event{}, false
	}
	file, err := encodePersisted(persistHeader{V: persistVersion, URL: c.cfg.URL, Issuer: c.cfg.Issuer, Fetched: at.UTC()}, doc)
	if err == nil {
		err = writeFileAtomic(c.cfg.PersistPath, file, os.Rename)
	}
	if err != nil {
		return Event{Kind: EventPersistSaveFailed, Fetched: at, Err: fmt.Errorf("%w: save %s: %w", ErrPersist, c.cfg.PersistPath, err)}, true
	}
	c.savedDoc, c.savedAt = doc, at
	return Event{Kind: EventPersistSaved, Fetched: at}, true
}

// loadPersisted reads Config.PersistPath after a failed first fetch. It
// returns the key set of a file it trusts (see [Config.PersistPath]) with
// the file's fetch time, or nil, and the event to report either way. Only
// the goroutine running fetches calls it.
func (c *Cache) loadPersisted(now time.Time) (*Set, time.Time, Event) {
	refuse := func(err error) (*Set, time.Time, Event) {
		err = fmt.Errorf("%w: load %s: %w", ErrPersist, c.cfg.PersistPath, err)
		return nil, time.Time{}, Event{Kind: EventPersistLoadFailed, Err: err}
	}
	h, doc, err := readPersisted(c.cfg.PersistPath, c.cfg.MaxBodyBytes)
	if err != nil {
		return refuse(err)
	}
	switch {
	case h.URL != c.cfg.URL || h.Issuer != c.cfg.Issuer:
		return refuse(fmt.Errorf("written for url %q issuer %q, not this cache's", h.URL, h.Issuer))
	case h.Fetched.After(now.Add(time.Minute)):
		return refuse(fmt.Errorf("fetch time %v is in the future", h.Fetched))
	case !now.Before(h.Fetched.Add(c.cfg.StaleWindow)):
		return refuse(fmt.Errorf("fetched %v, longer ago than the stale window (%v)", h.Fetched, c.cfg.StaleWindow))
	}
	set, _, err := ParseSet(doc)
	switch {
	case err != nil:
		return refuse(err)
	case set.Len() == 0:
		return refuse(errors.New("no usable keys"))
	}
	c.savedDoc, c.savedAt = doc, h.Fetched
	return set, h.Fetched, Event{Kind: EventPersistLoaded, Fetched: h.Fetched, Keys: set.Len()}
}

// readPersisted reads a persisted file, refusing anything but a regular
// file that only its owner may write, and decodes it (decodePersisted).
func readPersisted(path string, maxDoc int64) (persistHeader, []byte, error) {
	// Stat before opening: opening a FIFO would block.
	fi, err := os.Stat(path)
	if err != nil {
		return persistHeader{}, nil, err
	}
	if !fi.Mode().IsRegular() {
		return persistHeader{}, nil, fmt.Errorf("not a regular file (%v)", fi.Mode())
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o022 != 0 {
		return persistHeader{}, nil, fmt.Errorf("writable by group or others (%v)", fi.Mode().Perm())
	}
	f, err := os.Open(path)
	if err != nil {
		return persistHeader{}, nil, err
	}
	defer f.Close()
	b, err := readCapped(f, persistHeaderMax+1+maxDoc)
	if err != nil {
		return persistHeader{}, nil, err
	}
	return decodePersisted(b, maxDoc)
}

// encodePersisted returns the file for h and doc: h as one line of JSON
// (which escapes any newline), then doc.
func encodePersisted(h persistHeader, doc []byte) ([]byte, error) {
	line, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if len(line) > persistHeaderMax {
		return nil, fmt.Errorf("header exceeds %d bytes", persistHeaderMax)
	}
	return slices.Concat(line, []byte{'\n'}, doc), nil
}

// decodePersisted splits a persisted file into its header, which must
// decode exactly (case-sensitive names, no duplicates, no unknown members)
// with the current version, and its document of at most maxDoc bytes. The
// document is left for ParseSet.
func decodePersisted(b []byte, maxDoc int64) (persistHeader, []byte, error) {
	var h persistHeader
	line, doc, ok := bytes.Cut(b, []byte{'\n'})
	if !ok || len(line) > persistHeaderMax {
		return h, nil, errors.New("no header line")
	}
	if int64(len(doc)) > maxDoc {
		return h, nil, fmt.Errorf("document exceeds %d bytes", maxDoc)
	}
	if err := json.Unmarshal(line, &h, json.RejectUnknownMembers(true)); err != nil {
		return h, nil, fmt.Errorf("header: %w", err)
	}
	if h.V != persistVersion {
		return h, nil, fmt.Errorf("header: version %d, want %d", h.V, persistVersion)
	}
	return h, doc, nil
}

// writeFileAtomic replaces path with data: it writes a temporary file
// (mode 0600) in path's directory, syncs it, and renames it over path with
// rename, so a reader sees the old file or the new one, never part of
// one. The temporary file is removed if any step fails.
func writeFileAtomic(path string, data []byte, rename func(from, to string) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := rename(f.Name(), path); err != nil {
		return err
	}
	// Make the rename durable; not every platform can sync a directory.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// withPinned merges the pinned keys into remote, a fetched or persisted
// set: pinned keys first, then the remote keys, except those whose kid is
// pinned (returned to be reported, unless equal to the pinned key) and a
// pinned key itself (a refresh reuses *Key pointers).
func (c *Cache) withPinned(remote *Set) (*Set, []string) {
	if c.pinned == nil {
		return remote, nil
	}
	keys := c.pinned.Keys()
	var shadowed []string
	for _, k := range remote.keys {
		switch p := c.pinned.byKID[k.kid]; {
		case p != nil && !sameKey(p, k):
			shadowed = append(shadowed, k.kid)
		case p == nil && !slices.Contains(c.pinned.keys, k):
			keys = append(keys, k)
		}
	}
	s, err := NewSet(keys...)
	if err != nil { // cannot happen: kids were checked by NewSet and parseSet
		return c.pinned, shadowed
	}
	return s, shadowed
}

// sameKey reports whether a and b are the same public key with the same
// alg and use.
func sameKey(a, b *Key) bool {
	if a == b {
		return true
	}
	eq, ok := a.pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && a.alg == b.alg && a.use == b.use && eq.Equal(b.pub)
}
