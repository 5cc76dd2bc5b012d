package main

import (
	"context"
	"net/http"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
)

// dpopCalls runs the sender-constrained scenarios over HTTP: a DPoP-bound token with a fresh proof per call,
// one proof used twice, the bound token presented as a Bearer token, and
// the bound token with a proof signed by another key (a thief's).
func (d *demo) dpopCalls(ctx context.Context) {
	hc := &http.Client{Transport: d.clientTr, Timeout: 5 * time.Second}
	client := issuertest.NewDPoPClient(time.Now)
	tok, err := client.Token(hc, d.iss, demoClientID, d.cc.ClientSecret, demoReadScope)
	if err != nil {
		d.rows = append(d.rows, row{"DPoP call", "HTTP", "200", "token request: " + oneLine(err.Error()), ""})
		return
	}
	url := d.httpURL + "/v1/read"
	call := func(scheme, proof string) string {
		h := http.Header{"Authorization": {scheme + " " + tok}}
		if proof != "" {
			h.Set("DPoP", proof)
		}
		return d.httpCallWith(ctx, hc, http.MethodGet, "/v1/read", h)
	}
	d.check("DPoP call", "HTTP", "200", call("DPoP", client.Proof(http.MethodGet, url, tok)))
	proof := client.Proof(http.MethodGet, url, tok)
	d.check("DPoP proof, first use", "HTTP", "200", call("DPoP", proof))
	d.check("DPoP proof replayed", "HTTP", "401 invalid_dpop_proof", call("DPoP", proof))
	d.check("bound token sent as Bearer", "HTTP", "401 invalid_token", call("Bearer", ""))
	thief := issuertest.NewDPoPClient(time.Now)
	d.check("bound token, thief's proof", "HTTP", "401 invalid_token", call("DPoP", thief.Proof(http.MethodGet, url, tok)))
}
