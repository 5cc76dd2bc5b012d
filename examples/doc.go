// Package examples holds runnable programs that protect a service with
// jwtguard: the README's quick start, and one directory per framework.
//
//	go run ./quickstart -issuer URL   the README's quick start: ServeMux and gRPC against a real issuer
//	go run ./servemux-grpc            net/http ServeMux and a gRPC server, readiness, gRPC health
//	go run ./chi                      github.com/go-chi/chi/v5
//	go run ./gin                      github.com/gin-gonic/gin (through integrations/ginguard)
//	go run ./echo                     github.com/labstack/echo/v4
//	go run ./connect                  connectrpc.com/connect (through integrations/connectguard)
//
// From the repository root, add -C examples after go: this directory is a
// module of its own.
//
// quickstart trusts the issuer its flags name (https://id.wgtwo.com/ by
// default, or the test issuer of 'jwtguard issuer'). Its tests run it in a
// child process against a Hydra-shaped issuer (issuertest) and keep it
// identical to the README's quick start.
//
// Every other program starts such an issuer itself and serves on loopback
// with a TLS certificate made at start-up; it prints a token and a curl
// line. With -smoke it sends a fixed set of requests (allowed and
// refused), prints one line per request and exits, which is what the
// tests of this module run.
//
// # Security
//
// The programs other than quickstart are demonstrations: the issuer, its
// keys and the server certificate are made in memory at start-up and
// trusted by nothing else. quickstart's only such part is its
// self-signed certificate, used when -cert and -key are not given. The
// token checks themselves are the real ones.
package examples
