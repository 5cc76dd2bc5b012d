package resourcemeta_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/jwtguard/jwtguard/resourcemeta"
)

// The metadata URL goes to httpmw.Config.ResourceMetadata; the Handler
// serves the document at that URL's path.
func Example() {
	meta, err := resourcemeta.New(resourcemeta.Config{
		Resource:             "https://api.example.com/v1",
		AuthorizationServers: []string{"https://id.wgtwo.com/"},
		ScopesSupported:      []string{"subscription.read", "sms.text:send_to_subscriber"},
		ResourceName:         "Example API",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta.URL())
	fmt.Println(meta.Pattern())

	mux := http.NewServeMux()
	mux.Handle(meta.Pattern(), meta)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/.well-known/oauth-protected-resource/v1", nil))
	fmt.Println(w.Code, w.Header().Get("Cache-Control"))
	fmt.Println(w.Body)
	// Output:
	// https://api.example.com/.well-known/oauth-protected-resource/v1
	// GET /.well-known/oauth-protected-resource/v1
	// 200 public, max-age=3600
	// {"resource":"https://api.example.com/v1","authorization_servers":["https://id.wgtwo.com/"],"scopes_supported":["subscription.read","sms.text:send_to_subscriber"],"bearer_methods_supported":["header"],"resource_name":"Example API"}
}
