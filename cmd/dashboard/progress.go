package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress draws a one-line progress display on a terminal and stays silent
// elsewhere (CI logs, pipes), where only the final summary is printed.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	label string
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, label string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, label: label}
}

// update redraws the line at most ten times a second.
func (p *progress) update(format string, args ...any) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.drawn = time.Now(), true
	fmt.Fprintf(p.w, "\r\033[K%s %s", p.label, fmt.Sprintf(format, args...))
}

// done clears the progress line so the summary starts on a clean line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
