package claimsctx

import (
	"context"
	"testing"
)

type markKey struct{ name string }

type otherKey struct{}

func TestWithMark(t *testing.T) {
	claims := new(int)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "parent"))
	ctx := WithMark(parent, claims, markKey{"a"})
	tests := []struct {
		name string
		key  any
		want any
	}{
		{"claims-key", Key{}, claims},
		{"mark", markKey{"a"}, claims},
		{"other-mark", markKey{"b"}, nil},
		{"parent-key", otherKey{}, "parent"},
		{"unrelated-type", "a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ctx.Value(tt.key); got != tt.want {
				t.Errorf("Value(%#v) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
	// Cancellation passes through the node to a child.
	child, stop := context.WithCancel(ctx)
	defer stop()
	cancel()
	<-child.Done()
	if child.Err() != context.Canceled {
		t.Errorf("child: %v", child.Err())
	}
}

func TestWithMarkInner(t *testing.T) {
	outer, inner := new(int), new(int)
	ctx := WithMark(WithMark(context.Background(), outer, markKey{"outer"}), inner, markKey{"inner"})
	if ctx.Value(Key{}) != inner || ctx.Value(markKey{"outer"}) != outer || ctx.Value(markKey{"inner"}) != inner {
		t.Error("the innermost node must answer Key{}, each node its own mark")
	}
}
