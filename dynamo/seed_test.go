package dynamo_test

import (
	"testing"

	"github.com/thebabesclub/dashboard/internal/storetest"
)

// TestSeedLayout holds the bulk load to the items the store's own writes
// leave, on two fresh tables of DynamoDB Local.
func TestSeedLayout(t *testing.T) {
	storetest.SeedLayout(t, newStore(t), newStore(t))
}
