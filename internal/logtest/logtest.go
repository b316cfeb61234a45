// Package logtest gives tests one place to collect output that servers,
// child processes and request goroutines write while the test reads it:
// a Buffer safe for concurrent use, with an optional cap and a way to wait
// for new lines, and NewLogger for an slog.Logger that writes into one.
package logtest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
)

// Buffer is an io.Writer that many goroutines may write while a test reads
// it. The zero value is an empty buffer without a cap.
type Buffer struct {
	// Max caps the bytes kept, so a long run or a runaway process cannot
	// fill the memory; output past it is dropped yet reported as written,
	// so the writer never fails. Zero means no cap.
	Max int

	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced by every write
}

// Write appends p, or as much of it as Max leaves room for.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	keep := p
	if b.Max > 0 {
		room := max(b.Max-b.buf.Len(), 0)
		if len(keep) > room {
			keep = keep[:room]
		}
	}
	b.buf.Write(keep)
	return len(p), nil
}

// String returns everything kept so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns the output up to its last newline and a channel closed by
// the next write, so a caller can wait for more without polling.
func (b *Buffer) Lines() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	s := b.buf.String()
	return s[:strings.LastIndexByte(s, '\n')+1], b.changed
}

// WaitLines waits until cond holds for the complete lines written so far
// and returns them. It gives up when ctx ends or done is closed (the
// writer has finished, e.g. a process exited), checking cond once more
// first; it then returns the lines with ctx.Err() or errDone.
func (b *Buffer) WaitLines(ctx context.Context, done <-chan struct{}, errDone error, cond func(string) bool) (string, error) {
	for {
		s, changed := b.Lines()
		if cond(s) {
			return s, nil
		}
		select {
		case <-changed:
		case <-done:
			// The writer has finished: what it wrote is all there is.
			if s, _ = b.Lines(); cond(s) {
				return s, nil
			}
			return s, errDone
		case <-ctx.Done():
			return s, ctx.Err()
		}
	}
}

// NewLogger returns a debug-level JSON logger and the Buffer it writes to,
// for tests that assert on what code logs (and on what it must not log).
func NewLogger() (*slog.Logger, *Buffer) {
	b := &Buffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}
