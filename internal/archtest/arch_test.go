// Package archtest holds the test that keeps the layout README.md
// describes: which jwtguard packages each package may import. Mechanics
// (encoding, parsing, HTTP client rules) import no policy; policy imports
// no transport; transports reach token checking only through the
// verify.Checker seam.
package archtest

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/jwtguard/jwtguard/"

// allowed lists, per package directory of the root module, the jwtguard
// packages its non-test files may import. A directory missing from the
// table fails the test, so a new package must take a place in the layout.
var allowed = map[string][]string{
	// Mechanics: no jwtguard imports at all.
	"internal/jose":       {},
	"internal/httpx":      {},
	"internal/rsapub":     {},
	"internal/bearer":     {},
	"internal/claimsctx":  {},
	"internal/interleave": {},
	"internal/testcert":   {},
	"internal/testkeys":   {},
	// Keys: mechanics only; no JWT library (that is jwks/golangjwt's).
	"jwks":           {"internal/jose", "internal/httpx", "internal/rsapub"},
	"jwks/golangjwt": {"jwks"},
	// Policy: verify checks JWTs with keys from jwks; introspect checks
	// opaque tokens remotely and never touches keys.
	"verify":     {"jwks", "internal/jose", "internal/bearer", "internal/claimsctx"},
	"introspect": {"verify", "internal/jose", "internal/httpx", "internal/bearer"},
	// multitenant maps accepted issuer patterns to one jwks cache each,
	// behind verify's Resolver seam.
	"multitenant": {"verify", "jwks"},
	// DPoP: proof mechanics (with jwks's JWK rules) and the policy over them.
	"internal/dpopproof": {"internal/jose", "jwks"},
	"dpop":               {"verify", "internal/jose", "internal/dpopproof"},
	// The DPoP scheme of gRPC and Connect calls, behind a checker seam.
	"internal/rpcdpop": {"verify", "internal/bearer"},
	// Transports: the Checker seam and request mechanics only.
	"httpmw": {"verify", "internal/bearer", "internal/claimsctx"},
	"grpcmw": {"verify", "internal/bearer", "internal/rpcdpop"},
	// resourcemeta serves the document httpmw's challenges point at; it
	// needs neither.
	"resourcemeta": {},
	// Operations.
	"ready":     {"jwks"},
	"rejectlog": {"verify", "grpcmw"},
	// Test kits and tests.
	"issuertest":           {"internal/testkeys", "internal/dpopproof"},
	"internal/tokentest":   {"verify", "jwks", "internal/testkeys"},
	"internal/e2etest":     {"verify", "jwks", "issuertest"},
	"internal/bindtest":    {"verify", "introspect", "issuertest", "internal/e2etest", "internal/testcert"},
	"internal/hooktest":    {"verify", "jwks", "httpmw", "issuertest"},
	"internal/obslabel":    {"verify", "jwks", "rejectlog"},
	"internal/providers":   {},
	"internal/reliability": {},
	"internal/archtest":    {},
	// The command may use everything.
	"cmd/jwtguard": nil,
}

func TestLayout(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if rel != "." {
			if _, statErr := os.Stat(filepath.Join(path, "go.mod")); statErr == nil {
				return filepath.SkipDir // another module (bench, examples, integrations)
			}
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		want, listed := allowed[rel]
		if !listed {
			t.Errorf("%s is not in the layout table: give it a place (and README.md's Layout a row)", rel)
			return nil
		}
		if want == nil {
			return nil
		}
		for _, imp := range pkg.Imports {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if !slices.Contains(want, dep) {
				t.Errorf("%s imports %s, which the layout does not allow", rel, dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
