package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	"github.com/jwtguard/jwtguard/issuertest"
)

func TestDemo(t *testing.T) {
	code, out, errs := runCLI(t, "", "demo")
	t.Logf("demo output:\n%s", out)
	if code != exitOK {
		t.Fatalf("demo exit %d, want 0; stderr %q", code, errs)
	}
	if !strings.Contains(out, "PASS: all 27 checks matched") {
		t.Errorf("no PASS summary for 27 checks")
	}
	for _, scenario := range []string{"allowed call", "missing token", "wrong scope", "expired token", "key rotation", "issuer outage",
		"opaque token", "userinfo token", "revoked token", "introspection outage"} {
		for _, transport := range []string{"HTTP", "gRPC unary"} {
			if !hasRow(out, scenario, transport, "ok") {
				t.Errorf("table has no matching row %q | %q | … | ok", scenario, transport)
			}
		}
	}
	if !hasRow(out, "allowed call", "gRPC stream", "ok") {
		t.Errorf("table has no gRPC stream row")
	}
	if !hasRow(out, "issuer outage", "JWKS refresh", "ok") {
		t.Errorf("table has no row showing the refresh failed during the outage")
	}
	// DPoP (HTTP only): a bound token with a fresh proof passes, a replayed
	// proof and a stolen bound token (as Bearer, or with another key's
	// proof) are refused for the reason the server names.
	for _, tt := range []struct{ scenario, note string }{
		{"DPoP call", "accepted, kid "},
		{"DPoP proof, first use", "accepted, kid "},
		{"DPoP proof replayed", "invalid_dpop_proof"},
		{"bound token sent as Bearer", "binding_mismatch"},
		{"bound token, thief's proof", "binding_mismatch"},
	} {
		if !hasRow(out, tt.scenario, "HTTP", "ok") {
			t.Errorf("table has no matching row %q | HTTP | … | ok", tt.scenario)
		}
		if got := rowNote(out, tt.scenario, "HTTP"); !strings.HasPrefix(got, tt.note) {
			t.Errorf("%s: server saw %q, want %q…", tt.scenario, got, tt.note)
		}
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("table reports a FAIL row")
	}
	// What the server saw shows which checker answered: the one Checker
	// sent the JWTs to the verifier and the opaque tokens to the endpoints.
	for _, tt := range []struct{ scenario, note string }{
		{"allowed call", "accepted, kid "},
		{"opaque token", "accepted, introspected, client " + demoOpaqueID},
		{"userinfo token", "accepted, userinfo sub "},
		{"revoked token", "inactive"},
		{"introspection outage", "unavailable"},
	} {
		for _, transport := range []string{"HTTP", "gRPC unary"} {
			if got := rowNote(out, tt.scenario, transport); !strings.HasPrefix(got, tt.note) {
				t.Errorf("%s | %s: server saw %q, want %q…", tt.scenario, transport, got, tt.note)
			}
		}
	}
}

// hasRow reports whether the table has a row with these first two cells
// and this ok cell.
func hasRow(table, scenario, transport, ok string) bool {
	c := tableRow(table, scenario, transport)
	return c != nil && strings.TrimSpace(c[4]) == ok
}

// rowNote returns the "server saw" cell of the row with these first two
// cells.
func rowNote(table, scenario, transport string) string {
	if c := tableRow(table, scenario, transport); c != nil {
		return strings.TrimSpace(c[5])
	}
	return ""
}

// tableRow returns the cells of the first row with these first two cells.
func tableRow(table, scenario, transport string) []string {
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) == 6 && strings.TrimSpace(cells[0]) == scenario && strings.TrimSpace(cells[1]) == transport {
			return cells
		}
	}
	return nil
}

func TestDemoUsage(t *testing.T) {
	code, out, errs := runCLI(t, "", "demo", "extra")
	if code != exitUsage || out != "" || !strings.Contains(errs, `unexpected argument "extra"`) {
		t.Errorf("exit %d stdout %q stderr %q; want 2 and the unexpected argument", code, out, errs)
	}
}

func TestPrintTable(t *testing.T) {
	var buf bytes.Buffer
	failed := printTable(&buf, []row{
		{"allowed call", "HTTP", "200", "200", "accepted"},
		{"wrong scope", "HTTP", "403 insufficient_scope", "200", "accepted"},
		{"expired token", "gRPC unary", "Unauthenticated", "OK", ""},
	})
	if failed != 2 {
		t.Errorf("failed = %d, want 2", failed)
	}
	out := buf.String()
	if !hasRow(out, "allowed call", "HTTP", "ok") || !hasRow(out, "wrong scope", "HTTP", "FAIL") ||
		!hasRow(out, "expired token", "gRPC unary", "FAIL") {
		t.Errorf("table does not mark rows correctly:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "scenario ") || !strings.HasPrefix(lines[1], "---") {
		t.Errorf("want header, separator and 3 rows:\n%s", out)
	}
	// Columns line up: every " | " of a row sits where the header's does.
	want := strings.Index(lines[0], " | transport")
	for _, l := range lines[2:] {
		if strings.Index(l, " | ") != want {
			t.Errorf("misaligned row %q", l)
		}
	}
}

func TestHTTPOutcome(t *testing.T) {
	tests := []struct {
		status    int
		challenge string
		want      string
	}{
		{200, "", "200"},
		{401, `Bearer realm="api"`, "401 Bearer"},
		{401, `Bearer realm="api", error="invalid_token"`, "401 invalid_token"},
		{403, `Bearer realm="api", error="insufficient_scope", scope="demo.write"`, "403 insufficient_scope"},
		{503, "", "503"},
	}
	for _, tt := range tests {
		if got := httpOutcome(tt.status, tt.challenge); got != tt.want {
			t.Errorf("httpOutcome(%d, %q) = %q, want %q", tt.status, tt.challenge, got, tt.want)
		}
	}
}

func TestTokenKID(t *testing.T) {
	s := newIssuer(t, issuertest.Config{})
	if got, want := tokenKID(s.AccessToken(testClient)), s.SigningKID(); got != want {
		t.Errorf("tokenKID = %q, want %q", got, want)
	}
	if got := tokenKID("%%%.x.y"); got != "" {
		t.Errorf("tokenKID(garbage) = %q, want empty", got)
	}
}

// TestDemoServe runs demo --serve, calls the servers the way its printed
// commands do, and stops it.
func TestDemoServe(t *testing.T) {
	info, stop := startCommand(t, "demo", "--serve")
	ca, tok, opaque := info["CA file"], info["token"], firstField(info["opaque token"])
	httpURL, grpcAddr := firstField(info["HTTP"]), firstField(info["gRPC"])
	for _, want := range []string{
		"curl --cacert " + ca + " -H 'Authorization: Bearer " + tok + "' " + httpURL + "/v1/read   # 200",
		"grpcurl -cacert " + ca + " -H 'Authorization: Bearer " + tok + `' -d '{"fill_username": true}' ` + grpcAddr + " grpc.testing.TestService/UnaryCall",
		"jwtguard verify --issuer " + info["issuer"] + " --ca-file " + ca + " --audience " + demoAudience + " " + tok,
		"curl --cacert " + ca + " -H 'Authorization: Bearer " + opaque + "' " + httpURL + "/v1/read   # 200",
	} {
		if !strings.Contains(info["_all"], want) {
			t.Errorf("output lacks %q:\n%s", want, info["_all"])
		}
	}
	pemBytes, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("%s holds no certificate", ca)
	}
	tlsConf := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}

	// curl --cacert CA -H 'Authorization: Bearer TOKEN' URL/v1/read
	tr := &http.Transport{TLSClientConfig: tlsConf}
	defer tr.CloseIdleConnections()
	for _, bearer := range []string{tok, opaque} {
		req, err := http.NewRequest(http.MethodGet, httpURL+"/v1/read", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /v1/read with %.10s…: %d, want 200", bearer, resp.StatusCode)
		}
	}

	// grpcurl needs server reflection without a token, then the call with one.
	conn, err := grpc.NewClient("passthrough:///"+grpcAddr, grpc.WithTransportCredentials(credentials.NewTLS(tlsConf)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := t.Context()
	rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	if r, err := rs.Recv(); err != nil || !strings.Contains(r.String(), "grpc.testing.TestService") {
		t.Errorf("reflection: %v, %v; want the service list", r, err)
	}
	_ = rs.CloseSend()
	md := metadata.Pairs("authorization", "Bearer "+tok)
	if _, err := testgrpc.NewTestServiceClient(conn).UnaryCall(metadata.NewOutgoingContext(ctx, md), &testgrpc.SimpleRequest{}); err != nil {
		t.Errorf("UnaryCall with the printed token: %v", err)
	}

	// The printed verify commands accept both tokens.
	var verified int
	for _, line := range strings.Split(info["_all"], "\n") {
		if cmd, ok := strings.CutPrefix(line, "  jwtguard "); ok {
			if code, _, errs := runCLI(t, "", strings.Fields(cmd)...); code != exitOK {
				t.Errorf("printed command %q: exit %d, stderr %q", line, code, errs)
			}
			verified++
		}
	}
	if verified != 2 || !strings.Contains(info["_all"], "jwtguard verify --introspect ") {
		t.Errorf("ran %d printed verify commands, want 2, one with --introspect:\n%s", verified, info["_all"])
	}

	if code, errs := stop(); code != exitOK || !strings.Contains(errs, "stopping") {
		t.Errorf("after cancel: exit %d stderr %q, want 0 and a stopping note", code, errs)
	}
	if _, err := os.Stat(ca); !os.IsNotExist(err) {
		t.Errorf("%s still exists after the demo stopped (err %v)", ca, err)
	}
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
