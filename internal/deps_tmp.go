package internal

import (
	_ "github.com/MicahParks/keyfunc/v3"
	_ "github.com/go-json-experiment/json"
	_ "github.com/go-json-experiment/json/jsontext"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	_ "github.com/lestrrat-go/jwx/v2/jwk"
	_ "github.com/pquerna/cachecontrol/cacheobject"
	_ "go.uber.org/goleak"
	_ "golang.org/x/oauth2/clientcredentials"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/time/rate"
	_ "google.golang.org/grpc"
	_ "google.golang.org/grpc/credentials/oauth"
	_ "google.golang.org/grpc/interop/grpc_testing"
	_ "google.golang.org/grpc/test/bufconn"
	_ "google.golang.org/protobuf/types/dynamicpb"
	_ "google.golang.org/protobuf/reflect/protodesc"
)
