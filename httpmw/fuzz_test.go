package httpmw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/httpmw"
	"github.com/jwtguard/jwtguard/verify"
)

// FuzzHandler sends attacker-chosen Authorization headers, query strings
// and cookies through a middleware with every token source enabled. The
// answer must always be one of the documented ones, never a panic, and a
// request may only reach the handler with the one valid token, carried by
// exactly one source.
func FuzzHandler(f *testing.F) {
	v, _ := newVerifier(f, staticKeys(f))
	mw, err := httpmw.New(httpmw.Config{Checker: v, TokenQueryParam: "access_token", TokenCookie: "at"})
	if err != nil {
		f.Fatal(err)
	}
	good := token(f, "read")
	reached := false
	h := mw.Handler(mw.Require(verify.ScopeRule{AnyOf: []string{"read", "admin"}})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := verify.FromContext(r.Context()); !ok {
			panic("handler reached without claims")
		}
		reached = true
	})))

	f.Add("Bearer "+good, "", "", "")
	f.Add("bearer "+good, "", "x=1", "")
	f.Add("Bearer "+good, "Bearer "+good, "", "")
	f.Add("", "Bearer "+good, "", "")
	f.Add("", "", "access_token="+good, "")
	f.Add("", "", "", "at="+good)
	f.Add("Bearer "+good, "", "access_token="+good, "at="+good)
	f.Add("Basic dXNlcjpwYXNz", "", "access_token=a%20b", "at=\"x\"")
	f.Add("Bearer a.b.c", "", "access_token=1&access_token=2", "at=1; at=2")
	f.Fuzz(func(t *testing.T, auth1, auth2, rawQuery, cookie string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = rawQuery
		for _, a := range []string{auth1, auth2} {
			if a != "" {
				r.Header.Add("Authorization", a)
			}
		}
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		reached = false
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 401, 403:
		default:
			t.Fatalf("status %d", w.Code)
		}
		if (w.Code == 200) != reached {
			t.Fatalf("status %d but handler reached = %v", w.Code, reached)
		}
		if !reached {
			if ch := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer realm="api"`) {
				t.Fatalf("status %d with challenge %q", w.Code, ch)
			}
			return
		}
		// Accepted: exactly one source carried the valid token.
		sources := 0
		if auths := r.Header["Authorization"]; len(auths) == 1 && strings.HasSuffix(strings.TrimRight(auths[0], " \t"), good) {
			sources++
		}
		if q, _ := url.ParseQuery(rawQuery); len(q["access_token"]) == 1 && q.Get("access_token") == good {
			sources++
		}
		if cs := r.CookiesNamed("at"); len(cs) == 1 && cs[0].Value == good {
			sources++
		}
		if sources != 1 {
			t.Fatalf("accepted with %d sources carrying the token (auth %q %q, query %q, cookie %q)", sources, auth1, auth2, rawQuery, cookie)
		}
	})
}

// wrappedChecker hides the Verifier's type: a middleware over it checks
// the header token's alphabet before verifying, as bearer.Parse does.
type wrappedChecker struct{ verify.Checker }

// FuzzHeaderAlphabet: a middleware over the Verifier, which checks the
// header token's alphabet only when the Verifier refuses the token, answers
// every pair of Authorization headers exactly as one that checks it first:
// same status, same challenge, same refusal.
func FuzzHeaderAlphabet(f *testing.F) {
	v, _ := newVerifier(f, staticKeys(f))
	var failures [2]*verify.Rejection
	var hs [2]http.Handler
	for i, c := range []verify.Checker{v, wrappedChecker{v}} {
		mw, err := httpmw.New(httpmw.Config{Checker: c,
			OnReject: func(_ context.Context, r verify.Rejection) { failures[i] = &r }})
		if err != nil {
			f.Fatal(err)
		}
		hs[i] = mw.Require(verify.ScopeRule{AllOf: []string{"read"}})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	}
	good := token(f, "read")
	for _, s := range []string{
		"Bearer " + good, "Bearer " + good + "!", "Bearer " + good + "=", "Bearer " + good + "=a",
		"Bearer " + token(f, "write"), "Bearer a!b", "Bearer ~+/=", "Bearer é", "Bearer " + strings.Repeat("a", 17<<10) + "\x00",
		"Bearer a.b.c", "Bearer a\tb", "Basic x!y",
	} {
		f.Add(s, "")
	}
	f.Add("Bearer "+good, "Bearer !")
	f.Fuzz(func(t *testing.T, auth1, auth2 string) {
		var codes [2]int
		var challenges, errs [2]string
		for i, h := range hs {
			r := httptest.NewRequest("GET", "/", nil)
			for _, a := range []string{auth1, auth2} {
				if a != "" {
					r.Header.Add("Authorization", a)
				}
			}
			failures[i] = nil
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			codes[i], challenges[i] = w.Code, w.Header().Get("WWW-Authenticate")
			if failures[i] != nil {
				errs[i] = failures[i].Err.Error()
			}
		}
		if codes[0] != codes[1] || challenges[0] != challenges[1] || errs[0] != errs[1] {
			t.Fatalf("late check: %d %q %q; check first: %d %q %q", codes[0], challenges[0], errs[0], codes[1], challenges[1], errs[1])
		}
	})
}
