package proctest

import (
	"os"
	"sync"
	"testing"
)

// Shared is one test server per test binary: the running instance an
// environment variable names (a developer may start one by hand to save the
// start-up time; nothing in the repository does), or else one started on
// first use and shared by every test of the binary.
// A failed start fails the test rather than skipping it, because a skipped
// test would hide the very bug it exists for.
type Shared struct {
	// Name prefixes error messages.
	Name string
	// Env names the variable holding a running instance's URL.
	Env string
	// Start starts an instance and returns its URL.
	Start func() (string, *Server, error)

	once sync.Once
	url  string
	err  error
	mu   sync.Mutex
	proc *Server
}

// URL returns the instance's base URL.
func (s *Shared) URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(s.Env); u != "" {
		return u
	}
	s.once.Do(func() {
		var p *Server
		s.url, p, s.err = s.Start()
		s.mu.Lock()
		s.proc = p
		s.mu.Unlock()
	})
	if s.err != nil {
		t.Fatalf("%s: %v", s.Name, s.err)
	}
	return s.url
}

// Stop stops the instance this process started, if any.
func (s *Shared) Stop() {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p != nil {
		p.Stop()
	}
}

// Main runs a package's tests and then stops the instance, for TestMain.
// Without it the child still dies with the test binary on Linux (it has a
// parent-death signal), but Main stops it in order and at once.
func (s *Shared) Main(m *testing.M) {
	code := m.Run()
	s.Stop()
	os.Exit(code)
}
