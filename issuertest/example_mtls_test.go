package issuertest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/issuertest"
)

// With RequestClientCert, a client that presents a TLS certificate at the
// token endpoint gets an access token bound to it (RFC 8705 §3.1).
func ExampleConfig_requestClientCert() {
	iss := issuertest.NewServer(issuertest.Config{RequestClientCert: true})
	defer iss.Close()
	iss.AddClient(issuertest.Client{ID: "svc", Secret: "s3cret"})

	// A self-signed client certificate; the issuer trusts any.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	leaf, _ := x509.ParseCertificate(der)

	tr := iss.Client().Transport.(*http.Transport).Clone() // trusts the issuer
	defer tr.CloseIdleConnections()
	tr.TLSClientConfig.Certificates = []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}
	req, _ := http.NewRequest(http.MethodPost, iss.TokenURL(), strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("svc", "s3cret")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		fmt.Println(err)
		return
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(body.AccessToken, ".")[1])
	var claims struct {
		Cnf map[string]string `json:"cnf"`
	}
	_ = json.Unmarshal(payload, &claims)
	fmt.Println(claims.Cnf["x5t#S256"] == issuertest.CertThumbprint(leaf))
	// Output:
	// true
}
