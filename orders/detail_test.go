package orders

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidOrderIDMatchesPattern checks the written-out ValidOrderID against
// the pattern it replaced, on edge cases and on every prefix of a long id.
func TestValidOrderIDMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^cs_[A-Za-z0-9_]{1,252}$`)
	long := "cs_" + strings.Repeat("aZ9_", 70)
	cases := []string{
		"", "cs", "cs_", "cs_a", "CS_a", "cs-a", "cs_test_a1B2c3D4e5F6g7H801DEMO", "cs_a b", "cs_a/b", "cs_é", "cs_a\n",
		"xcs_a", " cs_a", "cs_" + strings.Repeat("a", 252), "cs_" + strings.Repeat("a", 253), "cs_a-", "cs__", "cs_\x00",
	}
	for i := range len(long) + 1 {
		cases = append(cases, long[:i])
	}
	for _, id := range cases {
		if got, want := ValidOrderID(id), pattern.MatchString(id); got != want {
			t.Errorf("ValidOrderID(%q) = %v, want %v", id, got, want)
		}
	}
}

// FuzzValidOrderID compares ValidOrderID with the pattern on any input.
func FuzzValidOrderID(f *testing.F) {
	pattern := regexp.MustCompile(`^cs_[A-Za-z0-9_]{1,252}$`)
	f.Add("cs_test_a1B2c3D4e5F6g7H801DEMO")
	f.Add("cs_")
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := ValidOrderID(id), pattern.MatchString(id); got != want {
			t.Errorf("ValidOrderID(%q) = %v, want %v", id, got, want)
		}
	})
}
