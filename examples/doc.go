// Package examples holds runnable programs that protect a service with
// jwtguard against a local, offline issuer: one directory per framework.
//
//	go run ./servemux-grpc   net/http ServeMux and a gRPC server, readiness, gRPC health
//	go run ./chi             github.com/go-chi/chi/v5
//	go run ./gin             github.com/gin-gonic/gin (through integrations/ginguard)
//	go run ./echo            github.com/labstack/echo/v4
//	go run ./connect         connectrpc.com/connect (through integrations/connectguard)
//
// Each starts a Hydra-shaped issuer (issuertest) and serves on loopback
// with a TLS certificate made at start-up; it prints a token and a curl
// line. With -smoke it sends a fixed set of requests (allowed and
// refused), prints one line per request and exits, which is what the
// tests of this module run.
//
// # Security
//
// The programs are demonstrations: the issuer, its keys and the server
// certificate are made in memory at start-up and trusted by nothing else.
// The token checks themselves are the real ones.
package examples
