package testcert

import (
	"crypto/x509"
	"testing"
	"time"
)

func TestLoopback(t *testing.T) {
	cert, pool, err := Loopback("test")
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			_, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool, CurrentTime: time.Now(),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if err != nil {
				t.Errorf("certificate does not verify for %s: %v", host, err)
			}
		})
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: pool}); err == nil {
		t.Error("certificate verifies for example.com")
	}
}

func TestClient(t *testing.T) {
	a, err := Client("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Client("a")
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Leaf.Raw) == string(b.Leaf.Raw) {
		t.Error("two calls returned the same certificate")
	}
	pool := x509.NewCertPool()
	pool.AddCert(a.Leaf)
	if _, err := a.Leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("not a client certificate: %v", err)
	}
}
