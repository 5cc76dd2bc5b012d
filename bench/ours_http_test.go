package bench

import (
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
)

func oursHTTPLibs() []lib {
	return []lib{
		// httpmw's Handler with its defaults around the bare handler; the
		// token is warm in the verifier's token cache after the warm-up.
		{"jwtguard", func(b *testing.B, f *fixture) func() func() error {
			m, err := httpmw.New(httpmw.Config{Checker: newOurs(b, newJWKSServer(b), true)})
			if err != nil {
				b.Fatal(err)
			}
			return serve(m.Handler(bareHandler), f.token)
		}},
	}
}
