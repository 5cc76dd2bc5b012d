package bearer_test

import (
	"errors"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/bearer"
)

func ExampleParse() {
	for _, values := range [][]string{
		{"bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		{"Basic dXNlcjpwYXNz"},
		{"Bearer a", "Bearer b"},
	} {
		tok, err := bearer.Parse(values)
		switch {
		case err == nil:
			fmt.Println("token:", tok)
		case errors.Is(err, bearer.ErrMissing):
			fmt.Println("missing:", err)
		case errors.Is(err, bearer.ErrInvalidRequest):
			fmt.Println("invalid_request:", err)
		}
	}
	// Output:
	// token: eyJhbGciOiJSUzI1NiJ9.e30.c2ln
	// missing: bearer: no bearer credentials: authorization scheme is not Bearer
	// invalid_request: bearer: malformed bearer credentials: more than one authorization value
}
