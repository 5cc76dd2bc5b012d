package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// scaleSet is one set of scale figures written by the bench module's
// scale benchmarks (-scale.out).
type scaleSet map[string]map[string]float64

func parseScale(r io.Reader) (scaleSet, error) {
	out := scaleSet{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var s struct {
			Name    string             `json:"name"`
			Metrics map[string]float64 `json:"metrics"`
		}
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("scale results: %w", err)
		}
		out[s.Name] = s.Metrics
	}
	return out, sc.Err()
}

func writeScale(w *bytes.Buffer, s scaleSet, it interleaved, r results) {
	fmt.Fprintf(w, "## Scale\n\n")
	if m, ok := s["distinct-tokens"]; ok {
		fmt.Fprintf(w, "### %.0f distinct tokens through one Verifier (default token cache: 10 000 entries, 32 MiB)\n\n", m["tokens"])
		fmt.Fprintf(w, "EdDSA tokens (cheap to sign, so a million can be made); the verifier's work per token is the same.\n\n")
		fmt.Fprintf(w, "| live heap after 10 %% | after 50 %% | after 100 %% | fill cost per token | Zipf (s = 1.1) hit ratio | exact LRU, same stream |\n")
		fmt.Fprintf(w, "|--:|--:|--:|--:|--:|--:|\n")
		fmt.Fprintf(w, "| %.1f MB | %.1f MB | %.1f MB | %.0f µs | %.3f | %.3f |\n\n",
			m["heap-MB-10pct"], m["heap-MB-50pct"], m["heap-MB-100pct"], m["fill-us/token"], m["zipf-hit-ratio"], m["zipf-lru-hit-ratio"])
	}
	if r, ok := it.row("issuers", "100-issuers"); ok {
		fmt.Fprintf(w, "### 100 issuers\n\nCold verification of a token of the 100th configured issuer, interleaved with a Verifier configured "+
			"with that issuer alone: %s× (median, 25th–75th percentile).\n\n", spread(r.Ratio, "%.3f"))
	}
	if t, ok := r.ns("ParseJWKS1000"); ok {
		b, _ := r.get("B/op", "ParseJWKS1000")
		a, _ := r.get("allocs/op", "ParseJWKS1000")
		fmt.Fprintf(w, "### A 1 000-key JWKS\n\n`jwks.ParseSet` of 1 000 RSA-2048 keys: %.1f ms, %.1f MB allocated, %.0f allocations per parse "+
			"(paid at refresh time, never per request).\n\n", t/1e6, b.center/(1<<20), a.center)
	}
	if m, ok := s["http-load"]; ok {
		fmt.Fprintf(w, "### HTTP server under concurrent load (loopback, %.0f keep-alive clients, RSA-2048 token)\n\n", m["concurrency"])
		fmt.Fprintf(w, "The three servers take turns in 50 ms slices. jwtguard answers the repeated token from its token cache; "+
			"auth0 verifies the signature on every request.\n\n")
		fmt.Fprintf(w, "| server | p50 | p99 | p99.9 | requests/s |\n|---|--:|--:|--:|--:|\n")
		for _, n := range [][2]string{{"no-auth", "no authentication"}, {"jwtguard", "**jwtguard httpmw** (token cache hit)"}, {"auth0", "auth0/go-jwt-middleware v2 CheckJWT"}} {
			fmt.Fprintf(w, "| %s | %.0f µs | %.0f µs | %.0f µs | %.0f |\n", n[1], m[n[0]+"-p50-us"], m[n[0]+"-p99-us"], m[n[0]+"-p999-us"], m[n[0]+"-req/s"])
		}
		fmt.Fprintln(w)
	}
}
