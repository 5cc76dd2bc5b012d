package bench

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"

	"github.com/jwtguard/jwtguard/httpmw"
)

var (
	loadDuration    = flag.Duration("load.duration", 300*time.Millisecond, "time each server is loaded in BenchmarkLoadHTTP")
	loadConcurrency = flag.Int("load.concurrency", 16, "concurrent clients in BenchmarkLoadHTTP")
)

// BenchmarkLoadHTTP: real HTTP servers on loopback (no auth, jwtguard
// httpmw, auth0's CheckJWT), each loaded by -load.concurrency keep-alive
// clients sending the same valid RSA-2048 token. The servers take turns in
// 50 ms slices, round-robin, until each has had -load.duration, so machine
// load spreads over all three. It reports each server's p50, p99 and
// p99.9 request latency and its throughput. jwtguard answers a repeat token
// from its token cache; auth0 verifies the signature on every request.
func BenchmarkLoadHTTP(b *testing.B) {
	f := env.fixtures[0]
	m, err := httpmw.New(httpmw.Config{Checker: newOurs(b, newJWKSServer(b), true)})
	if err != nil {
		b.Fatal(err)
	}
	v := newAuth0Validator(b, newJWKSServer(b))
	servers := []struct {
		name string
		h    http.Handler
	}{
		{"no-auth", bareHandler},
		{"jwtguard", m.Handler(bareHandler)},
		{"auth0", jwtmiddleware.New(v.ValidateToken).CheckJWT(bareHandler)},
	}
	for b.Loop() {
		lat := make([][]time.Duration, len(servers))
		busy := make([]time.Duration, len(servers))
		urls := make([]string, len(servers))
		for i, s := range servers {
			srv := httptest.NewServer(s.h)
			defer srv.Close()
			urls[i] = srv.URL
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *loadConcurrency}}
		defer client.CloseIdleConnections()
		const slice = 50 * time.Millisecond
		for done := false; !done; {
			done = true
			for i := range servers {
				if busy[i] >= *loadDuration {
					continue
				}
				done = false
				start := time.Now()
				lat[i] = append(lat[i], loadSlice(b, client, urls[i], f.token, slice)...)
				busy[i] += time.Since(start)
			}
		}
		res := scaleResult{Name: "http-load", Metrics: map[string]float64{"concurrency": float64(*loadConcurrency)}}
		for i, s := range servers {
			d := lat[i]
			slices.Sort(d)
			pct := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) }
			res.Metrics[s.name+"-p50-us"] = pct(0.50)
			res.Metrics[s.name+"-p99-us"] = pct(0.99)
			res.Metrics[s.name+"-p999-us"] = pct(0.999)
			res.Metrics[s.name+"-req/s"] = float64(len(d)) / busy[i].Seconds()
		}
		writeScale(b, res)
	}
}

// loadSlice runs the concurrent clients against url for d and returns
// every request's latency.
func loadSlice(b *testing.B, c *http.Client, url, token string, d time.Duration) []time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, *loadConcurrency)
	for range *loadConcurrency {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				req, _ := http.NewRequest(http.MethodGet, url+"/v1/sms", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				start := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return all
}
