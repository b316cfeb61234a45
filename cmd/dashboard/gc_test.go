package main

import (
	"runtime/debug"
	"testing"
)

// TestGCDefault checks that serve raises the collector's target only when
// the environment leaves GOGC unset, so an operator's GOGC always wins.
func TestGCDefault(t *testing.T) {
	restore := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(restore) })

	gcDefault(func(k string) string { return map[string]string{"GOGC": "100"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=100 set, the GC percent = %d, want 100 (left alone)", got)
	}
	gcDefault(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("without GOGC, the GC percent = %d, want %d", got, serveGCPercent)
	}
}
