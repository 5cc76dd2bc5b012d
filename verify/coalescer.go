package verify

import (
	"context"
	"sync"
)

// coalescer joins concurrent verifications of the same token: the first
// caller (the leader) verifies, later callers wait for its result or for
// their own ctx, whichever comes first. Unlike x/sync/singleflight.Do, a
// waiter can give up when its ctx ends; unlike DoChan, it starts no
// goroutine (the Verifier owns none).
type coalescer struct {
	mu    sync.Mutex
	calls map[string]*coalescedCall
}

type coalescedCall struct {
	done chan struct{}
	res  verifyResult
	ok   bool // fn returned (false if it panicked)
}

func (f *coalescer) do(ctx context.Context, key string, fn func() verifyResult) (res verifyResult, leader bool, err error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			if !c.ok {
				return verifyResult{e: &Error{Reason: ReasonUnavailable, Detail: "the verification in flight failed"}}, false, nil
			}
			return c.res, false, nil
		case <-ctx.Done():
			return verifyResult{}, false, ctx.Err()
		}
	}
	if f.calls == nil {
		f.calls = make(map[string]*coalescedCall)
	}
	c := &coalescedCall{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.res = fn()
	c.ok = true
	return c.res, true, nil
}
