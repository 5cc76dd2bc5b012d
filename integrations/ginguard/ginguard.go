package ginguard

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Wrap returns a gin.HandlerFunc that runs the rest of the gin chain as
// mw's next handler, with the request mw passes on (which carries the
// verified claims). When mw answers the request itself (a refusal), the
// chain is aborted.
func Wrap(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		passed := false
		mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		if !passed {
			c.Abort()
		}
	}
}
