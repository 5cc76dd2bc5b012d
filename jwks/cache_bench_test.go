package jwks

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/testkeys"
)

func benchCache(b *testing.B, keys ...map[string]any) *Cache {
	b.Helper()
	f := newFakeIssuer(keys...)
	c, err := New(context.Background(), Config{URL: fakeJWKSURL, HTTPClient: f.client(), UnknownKIDCooldown: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

func manyKeys(n int) []map[string]any {
	keys := make([]map[string]any, n)
	for i := range keys {
		keys[i] = jwkMap(fmt.Sprintf("public:%08d-9d4f-4c55-8a61-0f1e2d3c4b5a", i), "RS256", "sig", &testkeys.RSA2048(i%testkeys.RSA2048Count).PublicKey)
	}
	return keys
}

func BenchmarkCacheKey(b *testing.B) {
	ctx := context.Background()
	for _, size := range []int{2, 1000} {
		c := benchCache(b, manyKeys(size)...)
		hit := fmt.Sprintf("public:%08d-9d4f-4c55-8a61-0f1e2d3c4b5a", size/2)
		// Prime the negative cache with the missing kid.
		if _, err := c.Key(ctx, "missing", "RS256"); err == nil {
			b.Fatal("missing kid found")
		}
		b.Run(fmt.Sprintf("hit/keys=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Key(ctx, hit, "RS256"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("hit-parallel/keys=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Key(ctx, hit, "RS256"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run(fmt.Sprintf("miss-negative-cache/keys=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Key(ctx, "missing", "RS256"); err == nil {
					b.Fatal("found")
				}
			}
		})
		b.Run(fmt.Sprintf("miss-cooldown/keys=%d", size), func(b *testing.B) {
			kids := make([]string, 1024)
			for i := range kids {
				kids[i] = fmt.Sprintf("random-%d", i)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := c.Key(ctx, kids[i%len(kids)], "RS256"); err == nil {
					b.Fatal("found")
				}
				i++
			}
		})
		b.Run(fmt.Sprintf("miss-parallel/keys=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Key(ctx, "missing", "RS256"); err == nil {
						b.Error("found")
						return
					}
				}
			})
		})
	}
}

func BenchmarkSetKey(b *testing.B) {
	ctx := context.Background()
	s, _, err := ParseSet(jwksDoc(b, manyKeys(1000)...))
	if err != nil {
		b.Fatal(err)
	}
	kid := fmt.Sprintf("public:%08d-9d4f-4c55-8a61-0f1e2d3c4b5a", 777)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Key(ctx, kid, "RS256"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSet1000(b *testing.B) {
	doc := jwksDoc(b, manyKeys(1000)...)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseSet(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshUnchanged1000 is a refresh that fetches a 1 000-key set
// identical to the one in use (no ETag, so the document is parsed).
func BenchmarkRefreshUnchanged1000(b *testing.B) {
	c := benchCache(b, manyKeys(1000)...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
