package app_test

import (
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/marketplace"
)

// TestChainListsAgree checks finding 7d of issue 10: every NFT_CHAIN value
// the marketplace accepts is one the wallet challenges accept (and the
// reverse), with the chain id of the chain the marketplace reads. The
// candidates are every name of the one list plus the names each of the two
// former lists accepted, and a few that neither should.
func TestChainListsAgree(t *testing.T) {
	candidates := []string{"", " Ethereum ", "ETH-MAINNET", "mainnet", "eth-sepolia", "polygon", "matic", "polygon-mainnet",
		"amoy", "arbitrum_sepolia", "base_sepolia", "zora", "blast", "avalanche", "avax-mainnet",
		"solana", "bitcoin", "eth", "1", "ethereum-mainnet", "eth-mainnet.evil.example"}
	for _, c := range marketplace.Chains() {
		candidates = append(candidates, c.Names()...)
	}
	accepted := 0
	for _, name := range candidates {
		id, errID := app.ChainID(name)
		_, errMarket := marketplace.New(marketplace.Config{Provider: "opensea", APIKey: "k", Chain: name})
		_, errAlchemy := marketplace.New(marketplace.Config{Provider: "alchemy", APIKey: "k", Chain: name})
		if (errID == nil) != (errMarket == nil) || (errID == nil) != (errAlchemy == nil) {
			t.Errorf("NFT_CHAIN %q: app.ChainID err = %v, OpenSea err = %v, Alchemy err = %v", name, errID, errMarket, errAlchemy)
			continue
		}
		if errID != nil {
			continue
		}
		accepted++
		c, err := marketplace.LookupChain(name)
		if err != nil || c.ID != id {
			t.Errorf("NFT_CHAIN %q: challenges name chain %d, the marketplace reads %+v (%v)", name, id, c, err)
		}
	}
	if accepted < len(marketplace.Chains())*2 {
		t.Errorf("only %d of the candidate names were accepted", accepted)
	}
	// Every chain's names are its own: no spelling names two chains.
	seen := map[string]int64{}
	for _, c := range marketplace.Chains() {
		for _, n := range c.Names() {
			if n != strings.ToLower(n) || n == "" {
				t.Errorf("chain %d has a name %q that is not lower-case", c.ID, n)
			}
			if prev, dup := seen[n]; dup {
				t.Errorf("NFT_CHAIN %q names chains %d and %d", n, prev, c.ID)
			}
			seen[n] = c.ID
		}
	}
	if id, err := app.ChainID(""); err != nil || id != 1 {
		t.Errorf("the default chain = %d, %v; want Ethereum mainnet (1)", id, err)
	}
}
