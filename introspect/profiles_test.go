package introspect_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/introspect"
	"github.com/jwtguard/jwtguard/verify"
)

func TestShapes(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		hydra, hex bool
	}{
		{name: "hydra v1 (wgtwo fixture)", token: hydraTok, hydra: true},
		{name: "hydra v1 client credentials", token: hydraTok2, hydra: true},
		{name: "hydra v2 prefix", token: "ory_at_" + hydraTok, hydra: true},
		{name: "hydra refresh prefix", token: "ory_rt_" + hydraTok},
		{name: "hydra 42.43", token: hydraTok[1:]},
		{name: "hydra stray bits", token: hydraTok[:42] + "1" + hydraTok[43:]},
		{name: "hydra padded", token: hydraTok + "="},
		{name: "hydra std alphabet", token: strings.ReplaceAll(hydraTok, "-", "+")},
		{name: "hydra no dot", token: strings.Replace(hydraTok, ".", "_", 1)},
		{name: "net2phone", token: hexTok, hex: true},
		{name: "hex upper", token: strings.ToUpper(hexTok), hex: true},
		{name: "hex 31", token: hexTok[1:]},
		{name: "hex 33", token: hexTok + "0"},
		{name: "hex g", token: "g" + hexTok[1:]},
		{name: "empty", token: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := introspect.HydraToken(tt.token); got != tt.hydra {
				t.Errorf("HydraToken = %v, want %v", got, tt.hydra)
			}
			if got := introspect.Hex32Token(tt.token); got != tt.hex {
				t.Errorf("Hex32Token = %v, want %v", got, tt.hex)
			}
		})
	}
}

// TestProfiles runs each profile against a loopback endpoint answering as
// the profile assumes, with the requirement its comment suggests.
func TestProfiles(t *testing.T) {
	tests := []struct {
		name    string
		cfg     func(url string) introspect.Config
		answer  string
		token   string
		need    verify.ScopeRule
		auth    string // Authorization the endpoint must see
		form    string // client_id the form must carry
		wrong   string // a token of another provider: refused before the network
		wantSub string
	}{
		{name: "hydra", cfg: func(u string) introspect.Config { return introspect.HydraIntrospection(u, "https://id.wgtwo.com/") },
			answer: `{"active":true,"sub":"svc","aud":[],"iss":"https://id.wgtwo.com/","scope":"sms.text:send_to_subscriber","token_use":"access_token"}`,
			token:  "ory_at_" + hydraTok, need: verify.ScopeRule{AllOf: []string{"sms.text:send_to_subscriber"}}, wrong: hexTok, wantSub: "svc"},
		{name: "sangoma", cfg: func(u string) introspect.Config { return introspect.Sangoma(u, "cid", "sec") },
			answer: `{"active":true,"sub":"tenant-1","scope":"cx.agent-calls cx.queue-calls","exp":` + unix(24304413e9) + `}`,
			token:  "c2FuZ29tYS1vcGFxdWU", need: verify.ScopeRule{AnyPrefix: []string{"cx."}}, auth: "Basic Y2lkOnNlYw==", wantSub: "tenant-1"},
		{name: "net2phone", cfg: func(u string) introspect.Config { return introspect.Net2Phone(u, "0123456789", "s3cret") },
			answer: `{"active":true,"sub":"u1","scope":"Office Manager","token_type":"Bearer"}`,
			token:  hexTok, need: verify.ScopeRule{AllOf: []string{"Office Manager"}}, form: "0123456789", wrong: hydraTok, wantSub: "u1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, reply(200, tt.answer))
			cfg := tt.cfg(p.srv.URL + "/introspect")
			cfg.RootCAs, cfg.Now = p.pool, newClock().Now
			c := newChecker(t, cfg)
			cl, err := c.Verify(context.Background(), tt.token, tt.need)
			if err != nil || cl.Subject != tt.wantSub {
				t.Fatalf("Verify = %+v, %v", cl, err)
			}
			r, form := p.request()
			if got := r.Header.Get("Authorization"); got != tt.auth {
				t.Fatalf("Authorization = %q, want %q", got, tt.auth)
			}
			if got := strings.Join(form["client_id"], ","); got != tt.form {
				t.Fatalf("form client_id = %q, want %q", got, tt.form)
			}
			if tt.wrong != "" {
				if _, err := c.Verify(context.Background(), tt.wrong, verify.ScopeRule{}); verify.ReasonOf(err) != verify.ReasonMalformed {
					t.Fatalf("other provider's token = %v, want malformed", err)
				}
			}
			if p.calls.Load() != 1 {
				t.Fatalf("remote calls = %d", p.calls.Load())
			}
		})
	}
	c, err := introspect.New(introspect.WgtwoUserinfo())
	if err != nil {
		t.Fatalf("WgtwoUserinfo: %v", err)
	}
	c.Close()
}
