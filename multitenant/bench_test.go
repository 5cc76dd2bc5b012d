package multitenant

import (
	"context"
	"testing"
)

// BenchmarkResolve: the per-verification cost of a held issuer and of an
// issuer that matches no pattern (neither may allocate).
func BenchmarkResolve(b *testing.B) {
	f := newFakeIdP(b, allowAll)
	r, _ := newResolver(b, Config{Patterns: []string{"https://kc.example.com/realms/{tenant}", f.pattern()}})
	held := f.issuer("held")
	if _, err := r.Resolve(context.Background(), held); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, iss string }{
		{"held", held},
		{"no-match", f.srv.URL + "/held/v2.0/"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_, _ = r.Resolve(context.Background(), bc.iss)
				}
			})
		})
	}
}
