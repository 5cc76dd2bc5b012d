package jose_test

import (
	"fmt"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// A Scanner walks one object, handing each member's name to a callback
// that consumes the value; a duplicate name fails the whole scan.
func ExampleScanner() {
	for _, doc := range []string{`{"alg":"RS256","kid":"k1"}`, `{"alg":"RS256","\u0061lg":"none"}`} {
		p := jose.NewScanner(doc)
		var alg string
		ok := p.Object(func(name string) bool {
			if name == "alg" {
				var ok bool
				alg, ok = p.StringValue()
				return ok
			}
			return p.Value()
		}) && p.End()
		fmt.Printf("ok=%v alg=%q err=%q\n", ok, alg, p.Err())
	}
	// Output:
	// ok=true alg="RS256" err=""
	// ok=false alg="RS256" err="duplicate member \"alg\""
}

// The algorithm table says which key verifies an algorithm.
func ExampleAlg_FitsKey() {
	es256 := jose.LookupAlg("ES256")
	fmt.Println(es256.FitsKey("EC", 256), es256.FitsKey("EC", 384))
	rs256 := jose.LookupAlg("RS256")
	fmt.Println(rs256.FitsKey("RSA", 4096), rs256.FitsKey("RSA", 1024))
	fmt.Println(jose.LookupAlg("HS256") == nil, jose.LookupAlg("none") == nil)
	// Output:
	// true false
	// true false
	// true true
}

func ExampleDecodeSegment() {
	for _, seg := range []string{"eyJhbGciOiJSUzI1NiJ9", "eyJhbGciOiJSUzI1NiJ9\n", "eyJhbGciOiJSUzI1NiJ9=="} {
		buf := make([]byte, max(0, jose.DecodedLen(len(seg))))
		n, ok := jose.DecodeSegment(buf, seg)
		fmt.Printf("%v %q\n", ok, buf[:n])
	}
	// Output:
	// true "{\"alg\":\"RS256\"}"
	// false ""
	// false ""
}
