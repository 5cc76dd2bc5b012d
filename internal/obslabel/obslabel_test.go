package obslabel_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/internal/obslabel"
	"github.com/jwtguard/jwtguard/jwks"
)

func TestLabels(t *testing.T) {
	is := obslabel.NewIssuers([]string{"https://id.wgtwo.com/"})
	tests := []struct {
		name, got, want string
	}{
		{"configured issuer", is.Label("https://id.wgtwo.com/"), "https://id.wgtwo.com/"},
		{"issuer differing by a slash", is.Label("https://id.wgtwo.com"), "other"},
		{"attacker issuer", is.Label("https://evil.test/\x00"), "other"},
		{"accepted", obslabel.Reason(""), "ok"},
		{"refused", obslabel.Reason("expired"), "expired"},
		{"hit", obslabel.Cache(true), "hit"},
		{"miss", obslabel.Cache(false), "miss"},
		{"trigger", obslabel.Trigger(jwks.TriggerUnknownKID), "unknown_kid"},
		{"no trigger", obslabel.Trigger(0), "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	events := []struct {
		name        string
		e           jwks.Event
		fetch, ukid string
	}{
		{"updated", jwks.Event{Kind: jwks.EventRefreshed}, "updated", ""},
		{"304", jwks.Event{Kind: jwks.EventRefreshed, NotModified: true}, "not_modified", ""},
		{"failed", jwks.Event{Kind: jwks.EventRefreshFailed}, "failed", ""},
		{"unknown kid fetch", jwks.Event{Kind: jwks.EventUnknownKIDFetch}, "", "fetch"},
		{"cooldown", jwks.Event{Kind: jwks.EventUnknownKIDSuppressed, Reason: "cooldown"}, "", "cooldown"},
		{"negative cache", jwks.Event{Kind: jwks.EventUnknownKIDSuppressed, Reason: "negative cache"}, "", "negative_cache"},
		{"skipped key", jwks.Event{Kind: jwks.EventKeySkipped}, "", ""},
	}
	for _, tt := range events {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := obslabel.FetchResult(tt.e); got != tt.fetch || ok != (tt.fetch != "") {
				t.Errorf("FetchResult = %q, %v, want %q", got, ok, tt.fetch)
			}
			if got, ok := obslabel.UnknownKID(tt.e); got != tt.ukid || ok != (tt.ukid != "") {
				t.Errorf("UnknownKID = %q, %v, want %q", got, ok, tt.ukid)
			}
		})
	}
}
