package testkeys

import "testing"

func TestPool(t *testing.T) {
	tests := []struct {
		name string
		bits int
		got  int
	}{
		{"rsa2048-0", 2048, RSA2048(0).N.BitLen()},
		{"rsa2048-last", 2048, RSA2048(RSA2048Count - 1).N.BitLen()},
		{"rsa4096-0", 4096, RSA4096(0).N.BitLen()},
		{"rsa1024-weak", 1024, RSA1024Weak().N.BitLen()},
		{"ec-p256", 256, ECP256().Curve.Params().BitSize},
		{"ed25519", 64 * 8, len(Ed25519()) * 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.bits {
				t.Errorf("bits = %d, want %d", tt.got, tt.bits)
			}
		})
	}
	if RSA2048(0).N.Cmp(RSA2048(1).N) == 0 {
		t.Error("pool keys 0 and 1 are the same key")
	}
}

// Keys are parsed once: later calls return the same key without work.
func TestParsedOnce(t *testing.T) {
	if a, b := RSA4096(1), RSA4096(1); a != b {
		t.Error("RSA4096(1) returned two different keys")
	}
	if n := testing.AllocsPerRun(10, func() { _ = RSA4096(1) }); n > 2 {
		t.Errorf("RSA4096 after the first call: %v allocs, want at most 2 (the name)", n)
	}
}
