package jwks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// persistedFile returns the contents of a persisted file written for
// fakeJWKSURL with the given fetch time.
func persistedFile(fetched time.Time, doc []byte) []byte {
	h := fmt.Sprintf(`{"v":1,"url":%q,"fetched":%q}`, fakeJWKSURL, fetched.UTC().Format(time.RFC3339Nano))
	return append([]byte(h+"\n"), doc...)
}

// TestPersistRestartDuringOutage: a Cache saves its set; a new Cache
// started while the issuer is down serves it until StaleWindow after the
// saved fetch time, then fails with ErrUnavailable; the issuer's return
// heals it and renews the file.
func TestPersistRestartDuringOutage(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		t.Run(fmt.Sprintf("LazyStart=%v", lazy), func(t *testing.T) { testPersistRestart(t, lazy) })
	}
}

func testPersistRestart(t *testing.T, lazy bool) {
	bubble(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jwks.state")
		f := newFakeIssuer(hydraJWK(0))
		var ev1 events
		first, err := New(t.Context(), Config{URL: fakeJWKSURL, HTTPClient: f.client(), PersistPath: path, OnEvent: ev1.hook})
		if err != nil {
			t.Fatal(err)
		}
		fetched := time.Now()
		_ = first.Close()
		if e, ok := ev1.last(EventPersistSaved); !ok || !e.Fetched.Equal(fetched) || e.Trigger != TriggerInitial {
			t.Fatalf("save event = %+v, %v; want fetched %v", e, ok, fetched)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
		}

		f.setStatus(http.StatusServiceUnavailable)
		time.Sleep(time.Hour)
		var ev events
		c := newTestCache(t, f, Config{PersistPath: path, OnEvent: ev.hook, LazyStart: lazy})
		mustFind(t, c, hydraKID(0))
		e, ok := ev.last(EventPersistLoaded)
		if !ok || !e.Fetched.Equal(fetched) || e.Keys != 1 {
			t.Fatalf("load event = %+v, %v", e, ok)
		}
		if st := c.Status(); !st.Loaded || !st.Available || !st.Stale || !errors.Is(st.LastError, ErrFetch) {
			t.Fatalf("status = %+v", st)
		}

		// The window counts from the saved fetch, not from this start.
		time.Sleep(time.Until(fetched.Add(DefaultStaleWindow)) - time.Second)
		mustFind(t, c, hydraKID(0))
		time.Sleep(2 * time.Second)
		if _, err := c.Key(t.Context(), hydraKID(0), "RS256"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Key after the stale window = %v, want ErrUnavailable", err)
		}

		f.setStatus(http.StatusOK)
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		mustFind(t, c, hydraKID(0))
		if e, ok := ev.last(EventPersistSaved); !ok || !e.Fetched.Equal(time.Now()) {
			t.Errorf("renewing save event = %+v, %v", e, ok)
		}
	})
}

// TestPersistRefused: a file that is missing, stale, for another source,
// corrupt, oversized or writable by others is never used.
func TestPersistRefused(t *testing.T) {
	good := func(t *testing.T) []byte { return jwksDoc(t, hydraJWK(0)) }
	header := func(h string) func(t *testing.T, now time.Time) []byte {
		return func(t *testing.T, now time.Time) []byte {
			return append([]byte(strings.ReplaceAll(h, "NOW", now.Add(-time.Hour).Format(time.RFC3339))+"\n"), good(t)...)
		}
	}
	for _, tc := range []struct {
		name    string
		file    func(t *testing.T, now time.Time) []byte // nil: no file
		cfg     Config
		mode    os.FileMode // of the file; a directory when fs.ModeDir
		wantErr string
	}{
		{name: "missing", wantErr: "no such file"},
		{name: "stale", file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(-DefaultStaleWindow), good(t))
		}, wantErr: "longer ago than the stale window"},
		{name: "stale for a shorter window", cfg: Config{StaleWindow: 30 * time.Minute},
			file: header(`{"v":1,"url":"` + fakeJWKSURL + `","fetched":"NOW"}`), wantErr: "longer ago than the stale window"},
		{name: "future", file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(time.Hour), good(t))
		}, wantErr: "in the future"},
		{name: "another URL", file: header(`{"v":1,"url":"https://other.test/jwks.json","fetched":"NOW"}`),
			wantErr: "not this cache's"},
		{name: "an issuer's, not this URL's", file: header(`{"v":1,"issuer":"` + fakeJWKSURL + `","fetched":"NOW"}`),
			wantErr: "not this cache's"},
		{name: "another issuer", cfg: Config{Issuer: "https://other.test/"},
			file: header(`{"v":1,"issuer":"https://issuer.test/","fetched":"NOW"}`), wantErr: "not this cache's"},
		{name: "no header", file: func(t *testing.T, _ time.Time) []byte { return good(t) }, wantErr: "no header line"},
		{name: "header member twice", file: header(`{"v":1,"url":"https://other.test/","url":"` + fakeJWKSURL + `","fetched":"NOW"}`),
			wantErr: "duplicate"},
		{name: "header name case", file: header(`{"v":1,"URL":"` + fakeJWKSURL + `","fetched":"NOW"}`), wantErr: "unknown"},
		{name: "version", file: header(`{"v":2,"url":"` + fakeJWKSURL + `","fetched":"NOW"}`), wantErr: "version 2"},
		{name: "corrupt document", file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(-time.Hour), []byte(`{"keys":[`))
		}, wantErr: "JWKS"},
		{name: "keys twice", file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(-time.Hour), []byte(`{"keys":[],"keys":[]}`))
		}, wantErr: "twice"},
		{name: "no usable keys", file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(-time.Hour), jwksDoc(t, map[string]any{"kty": "oct", "k": "c2VjcmV0"}))
		}, wantErr: "no usable keys"},
		{name: "oversized", cfg: Config{MaxBodyBytes: 100}, file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(-time.Hour), good(t))
		}, wantErr: "exceeds"},
		{name: "directory", mode: fs.ModeDir, wantErr: "not a regular file"},
		{name: "group-writable", mode: 0o620, file: func(t *testing.T, now time.Time) []byte {
			return persistedFile(now.Add(-time.Hour), good(t))
		}, wantErr: "writable by group or others"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bubble(t, func(t *testing.T) {
				f := newFakeIssuer()
				f.setStatus(http.StatusBadGateway)
				f.discovery = map[string]any{"issuer": tc.cfg.Issuer, "jwks_uri": fakeJWKSURL}
				path := filepath.Join(t.TempDir(), "jwks.state")
				if tc.mode == fs.ModeDir {
					if err := os.Mkdir(path, 0o700); err != nil {
						t.Fatal(err)
					}
				}
				if tc.file != nil {
					mode := tc.mode
					if mode == 0 {
						mode = 0o600
					}
					if err := os.WriteFile(path, tc.file(t, time.Now()), mode); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(path, mode); err != nil { // umask
						t.Fatal(err)
					}
				}
				var ev events
				cfg := tc.cfg
				if cfg.Issuer == "" {
					cfg.URL = fakeJWKSURL
				}
				cfg.HTTPClient, cfg.PersistPath, cfg.OnEvent = f.client(), path, ev.hook
				c, err := New(t.Context(), cfg)
				if !errors.Is(err, ErrFetch) || c != nil {
					t.Fatalf("New = %v, %v; want ErrFetch", c, err)
				}
				e, ok := ev.last(EventPersistLoadFailed)
				if !ok || !errors.Is(e.Err, ErrPersist) || !strings.Contains(e.Err.Error(), tc.wantErr) {
					t.Fatalf("load event = %+v, %v; want ErrPersist containing %q", e, ok, tc.wantErr)
				}
				if ev.count(EventPersistLoaded) != 0 {
					t.Error("refused file reported as loaded")
				}
			})
		})
	}
}

// TestPersistReadOnce: the file is read only after the first fetch fails,
// and only once.
func TestPersistReadOnce(t *testing.T) {
	bubble(t, func(t *testing.T) {
		f := newFakeIssuer()
		f.setStatus(http.StatusBadGateway)
		path := filepath.Join(t.TempDir(), "jwks.state")
		var ev events
		newTestCache(t, f, Config{LazyStart: true, PersistPath: path, OnEvent: ev.hook})
		time.Sleep(10 * time.Second) // the first fetch and a few retries
		synctest.Wait()
		if got := f.jwksHits.Load(); got < 3 {
			t.Fatalf("fetches = %d, want >= 3", got)
		}
		if got := ev.count(EventPersistLoadFailed); got != 1 {
			t.Errorf("load attempts = %d, want 1", got)
		}
	})
}

// TestPersistSaveSchedule: a changed document is saved at once, an
// unchanged one at most every persistRenew (also after a 304).
func TestPersistSaveSchedule(t *testing.T) {
	bubble(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "jwks.state")
		f := newFakeIssuer(hydraJWK(0))
		f.etag = `"v1"`
		var ev events
		c := newTestCache(t, f, Config{PersistPath: path, OnEvent: ev.hook})
		saves := func() int { return ev.count(EventPersistSaved) }
		if saves() != 1 {
			t.Fatalf("saves after New = %d, want 1", saves())
		}
		refresh := func() {
			t.Helper()
			if err := c.Refresh(t.Context()); err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // saving follows the waiters' release
		}
		refresh() // 304
		if saves() != 1 {
			t.Errorf("saves after an early 304 = %d, want 1", saves())
		}
		time.Sleep(persistRenew)
		refresh() // 304, but the file's fetch time is due for renewal
		if saves() != 2 {
			t.Errorf("saves after a 304 persistRenew later = %d, want 2", saves())
		}
		want := persistedFile(time.Now(), jwksDoc(t, hydraJWK(0)))
		if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
			t.Errorf("file =\n%s\nwant\n%s", got, want)
		}
		f.mu.Lock()
		f.etag = ""
		f.mu.Unlock()
		f.setKeys(hydraJWK(1), hydraJWK(0))
		refresh()
		if saves() != 3 {
			t.Errorf("saves after a change = %d, want 3", saves())
		}
	})
}

// TestPersistSaveFailed: a file that cannot be written is reported and
// does not fail the refresh.
func TestPersistSaveFailed(t *testing.T) {
	bubble(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing-dir", "jwks.state")
		var ev events
		c := newTestCache(t, newFakeIssuer(hydraJWK(0)), Config{PersistPath: path, OnEvent: ev.hook})
		mustFind(t, c, hydraKID(0))
		e, ok := ev.last(EventPersistSaveFailed)
		if !ok || !errors.Is(e.Err, ErrPersist) || !errors.Is(e.Err, fs.ErrNotExist) {
			t.Fatalf("save event = %+v, %v", e, ok)
		}
	})
}

// TestWriteFileAtomic: a failed rename leaves the old file whole and no
// temporary file behind; a successful one replaces the file with mode 0600.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jwks.state")
	if err := writeFileAtomic(path, []byte("old"), os.Rename); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("rename failed")
	var tmp string
	err := writeFileAtomic(path, []byte("new contents"), func(from, _ string) error {
		tmp = from
		b, _ := os.ReadFile(from)
		if string(b) != "new contents" {
			t.Errorf("temporary file holds %q before the rename", b)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeFileAtomic = %v, want the rename's error", err)
	}
	if filepath.Dir(tmp) != dir {
		t.Errorf("temporary file %q not in %q (rename would cross file systems)", tmp, dir)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file after a failed rename = %q, want %q", b, "old")
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the file", names)
	}
	if err := writeFileAtomic(path, []byte("new"), os.Rename); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("after a successful write: %q, %v, %v", b, fi.Mode(), err)
	}
}
