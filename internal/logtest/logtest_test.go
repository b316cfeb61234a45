package logtest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

func TestBufferKeepsEveryConcurrentWrite(t *testing.T) {
	var b logtest.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if n, err := b.Write([]byte("x\n")); n != 2 || err != nil {
					t.Errorf("Write = %d, %v; want 2, nil", n, err)
				}
			}
		}()
	}
	wg.Wait()
	if got := strings.Count(b.String(), "x\n"); got != 800 {
		t.Errorf("kept %d lines, want 800", got)
	}
}

func TestBufferMaxDropsThePastButReportsItWritten(t *testing.T) {
	b := logtest.Buffer{Max: 5}
	for _, w := range []string{"abc", "defg", "hij"} {
		if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
			t.Errorf("Write(%q) = %d, %v; want %d, nil", w, n, err, len(w))
		}
	}
	if got := b.String(); got != "abcde" {
		t.Errorf("String() = %q, want %q", got, "abcde")
	}
}

func TestWaitLinesSeesOnlyCompleteLines(t *testing.T) {
	var b logtest.Buffer
	done := make(chan struct{})
	errDone := errors.New("writer finished")
	got := make(chan string, 1)
	go func() {
		s, err := b.WaitLines(context.Background(), done, errDone, func(s string) bool { return strings.Contains(s, "ready") })
		if err != nil {
			t.Errorf("WaitLines: %v", err)
		}
		got <- s
	}()
	_, _ = b.Write([]byte("starting\nrea"))
	_, _ = b.Write([]byte("dy\npartial"))
	if s := <-got; s != "starting\nready\n" {
		t.Errorf("WaitLines = %q, want the two complete lines", s)
	}
}

func TestWaitLinesStopsWhenTheWriterIsDone(t *testing.T) {
	var b logtest.Buffer
	_, _ = b.Write([]byte("one\n"))
	done := make(chan struct{})
	close(done)
	errDone := errors.New("writer finished")
	s, err := b.WaitLines(context.Background(), done, errDone, func(s string) bool { return strings.Contains(s, "two") })
	if !errors.Is(err, errDone) || s != "one\n" {
		t.Errorf("WaitLines = %q, %v; want %q, %v", s, err, "one\n", errDone)
	}
}

func TestNewLoggerWritesJSONAtDebug(t *testing.T) {
	log, b := logtest.NewLogger()
	log.Debug("hello", "k", "v")
	if s := b.String(); !strings.Contains(s, `"msg":"hello"`) || !strings.Contains(s, `"k":"v"`) {
		t.Errorf("log = %q, want a JSON debug line", s)
	}
}
