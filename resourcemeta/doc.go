// Package resourcemeta serves OAuth 2.0 Protected Resource Metadata
// (RFC 9728): the JSON document that tells a client which authorization
// servers issue tokens for this resource, which scopes it uses and how to
// send the token.
//
// One [Config] gives both the document and its URL, so the challenges
// httpmw sends and the document they point at cannot disagree:
//
//	meta, err := resourcemeta.New(resourcemeta.Config{
//		Resource:             "https://api.example.com/v1",
//		AuthorizationServers: []string{"https://id.wgtwo.com/"},
//		ScopesSupported:      []string{"subscription.read"},
//	})
//	mw, err := httpmw.New(httpmw.Config{Checker: v, ResourceMetadata: meta.URL()})
//	mux.Handle(meta.Pattern(), meta) // not behind mw: clients fetch it without a token
//
// The document is served at the well-known URL RFC 9728 §3.1 derives from
// the resource identifier: "/.well-known/oauth-protected-resource" between
// the host and the resource's path. Its "resource" member is exactly
// Config.Resource, as §3.3 requires clients to check.
//
// Members: resource, authorization_servers, scopes_supported,
// bearer_methods_supported (["header"] unless configured),
// resource_name, resource_documentation,
// dpop_signing_alg_values_supported and
// tls_client_certificate_bound_access_tokens (true, or omitted), each
// omitted when empty except resource and bearer_methods_supported. Signed metadata
// (signed_metadata) and resource_signing_alg_values_supported are not
// produced: the resource signs nothing.
//
// # Security
//
// The document is public and built once from configuration: no request
// input reaches it, and serving it writes bytes encoded once by New. New refuses URLs that are not https, or that carry a
// query, fragment or user information, and scope values outside the
// RFC 6749 scope-token alphabet, so nothing in the document can break out
// of its JSON string or mislead a client about where the resource is.
// The document is advice to clients, not access control: it grants
// nothing, and listing an authorization server here does not make the
// verifier accept its tokens (verify.Config decides that). Keep the two
// lists in agreement.
package resourcemeta
