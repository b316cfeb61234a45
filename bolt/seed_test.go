package bolt_test

import (
	"testing"

	"github.com/thebabesclub/dashboard/internal/storetest"
)

// TestSeedLayout holds the bulk load to the items the store's own writes
// leave, in two fresh files.
func TestSeedLayout(t *testing.T) {
	storetest.SeedLayout(t, open(t), open(t))
}
