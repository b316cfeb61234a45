package evm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/evm"
	"github.com/thebabesclub/dashboard/internal/evmtest"
	"github.com/thebabesclub/dashboard/siwe"
)

// siweMessage stands for the EIP-4361 text a member's wallet signs; the
// Verifier sees only its personal_sign digest.
const siweMessage = "localhost:5173 wants you to sign in with your Ethereum account:\n" +
	"0x0000000000000000000000000000000000000000\n\nSign in to the Babes Club dashboard.\n\n" +
	"URI: http://localhost:5173\nVersion: 1\nChain ID: 1337\nNonce: abcdefgh12345678\n" +
	"Issued At: 2026-01-01T00:00:00Z\nExpiration Time: 2026-01-01T00:10:00Z"

// devChainID is the chain id of the chain evmtest runs.
const devChainID = evmtest.DevChainID

// TestCheckSignatureOnChain runs every path of the Verifier against a real
// EVM over JSON-RPC on HTTP: a TestWallet deployed through its CREATE2
// factory, one that is not deployed yet (ERC-6492), and a plain account.
func TestCheckSignatureOnChain(t *testing.T) {
	c := evmtest.Start(t)
	wallet := evmtest.Load(t, "TestWallet")
	factoryContract := evmtest.Load(t, "TestWalletFactory")
	factory := c.Deploy(t, factoryContract.Code)

	owner, stranger := evmtest.NewKey(t), evmtest.NewKey(t)
	ownerAddr := crypto.PubkeyToAddress(owner.PublicKey)
	strangerAddr := crypto.PubkeyToAddress(stranger.PublicKey)
	walletAt := func(owner common.Address, salt [32]byte) common.Address {
		return crypto.CreateAddress2(factory, salt, crypto.Keccak256(wallet.InitCode(t, owner)))
	}
	deployCall := func(owner common.Address, salt [32]byte) []byte {
		return factoryContract.Pack(t, "deploy", owner, salt)
	}

	// The owner's wallet with salt 1 is deployed; the one with salt 2 is
	// counterfactual: its address is known, but it has no code.
	deployedSalt, pendingSalt := [32]byte{1}, [32]byte{2}
	deployed, pending := walletAt(ownerAddr, deployedSalt), walletAt(ownerAddr, pendingSalt)
	c.Send(t, &factory, deployCall(ownerAddr, deployedSalt))
	if len(c.Code(t, deployed)) == 0 {
		t.Fatal("the factory did not deploy the wallet at its CREATE2 address")
	}
	if len(c.Code(t, pending)) != 0 {
		t.Fatal("the counterfactual wallet has code")
	}
	// A deployed wallet that accepts signatures only once prepared.
	preparedWallet := evmtest.Load(t, "TestPreparedWallet")
	unprepared := c.Deploy(t, preparedWallet.InitCode(t, ownerAddr))

	hash := [32]byte(siwe.PersonalHash(siweMessage))
	byOwner, byStranger := evmtest.Sign(t, owner, hash), evmtest.Sign(t, stranger, hash)
	short := byOwner[:64] // TestWallet reverts on a signature that is not 65 bytes

	// The revert case must be a real revert of the EVM, with the code-3
	// error the Verifier treats as the wallet's "no".
	if code := c.CallRevertCode(t, deployed, wallet.Pack(t, "isValidSignature", hash, short)); code != 3 {
		t.Fatalf("eth_call of isValidSignature with a short signature: json-rpc error %d, want 3 (revert)", code)
	}

	cases := []struct {
		name      string
		address   common.Address
		signature []byte
		want      bool
	}{
		{"erc-1271: the owner's signature through the deployed wallet", deployed, byOwner, true},
		{"erc-1271: another key's signature", deployed, byStranger, false},
		{"erc-1271: the wallet reverts", deployed, short, false},
		{"an account without code, even with its own key's signature", ownerAddr, byOwner, false},
		{"erc-1271 on a wallet that is not deployed yet", pending, byOwner, false},
		{"erc-6492: counterfactual wallet, the owner's signature", pending,
			evmtest.ERC6492(t, factory, deployCall(ownerAddr, pendingSalt), byOwner), true},
		{"erc-6492: counterfactual wallet, another key's signature", pending,
			evmtest.ERC6492(t, factory, deployCall(ownerAddr, pendingSalt), byStranger), false},
		{"erc-6492: the inner signature makes the wallet revert", pending,
			evmtest.ERC6492(t, factory, deployCall(ownerAddr, pendingSalt), short), false},
		{"erc-6492: the factory call reverts", pending,
			evmtest.ERC6492(t, factory, []byte{0xde, 0xad, 0xbe, 0xef}, byOwner), false},
		// A stranger's own wallet deploys elsewhere: it cannot lend its
		// signature to the owner's address.
		{"erc-6492: the factory deploys another wallet than the address", pending,
			evmtest.ERC6492(t, factory, deployCall(strangerAddr, pendingSalt), byStranger), false},
		{"erc-6492: a wallet already deployed is asked as it is now", deployed,
			evmtest.ERC6492(t, factory, deployCall(ownerAddr, deployedSalt), byOwner), true},
		{"erc-6492: a wallet already deployed, another key", deployed,
			evmtest.ERC6492(t, factory, deployCall(ownerAddr, deployedSalt), byStranger), false},
		{"erc-1271: a wallet not prepared yet", unprepared, byOwner, false},
		{"erc-6492: the prepare call makes a deployed wallet ready", unprepared,
			evmtest.ERC6492(t, unprepared, preparedWallet.Pack(t, "prepare"), byOwner), true},
	}
	v, err := evm.New(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	// Only a hang guard: the in-process chain answers at once, and a loaded
	// machine must not turn a slow answer into a failure.
	v.Timeout = 2 * time.Minute
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := v.CheckSignature(context.Background(), devChainID, tc.address.Hex(), hash, tc.signature)
			if err != nil || ok != tc.want {
				t.Fatalf("CheckSignature = %v, %v; want %v, nil", ok, err, tc.want)
			}
		})
	}

	// Another message's digest is not what the owner signed.
	other := [32]byte(siwe.PersonalHash(siweMessage + "\nResources:\n- https://example.com"))
	for _, sig := range [][]byte{byOwner, evmtest.ERC6492(t, factory, deployCall(ownerAddr, pendingSalt), byOwner)} {
		if ok, err := v.CheckSignature(context.Background(), devChainID, pending.Hex(), other, sig); ok || err != nil {
			t.Fatalf("CheckSignature of another digest = %v, %v; want false, nil", ok, err)
		}
	}

	// Validation runs in eth_call: nothing was deployed on the chain.
	if len(c.Code(t, pending)) != 0 {
		t.Fatal("checking an ERC-6492 signature deployed the wallet")
	}

	t.Run("the rpc serves another chain", func(t *testing.T) {
		ok, err := v.CheckSignature(context.Background(), 1, deployed.Hex(), hash, byOwner)
		if ok || !errors.Is(err, evm.ErrWrongChain) || dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE {
			t.Fatalf("CheckSignature on chain 1 = %v, %v; want false and an unavailable ErrWrongChain", ok, err)
		}
		// The cached chain id does not stick to the wrong answer.
		if ok, err := v.CheckSignature(context.Background(), devChainID, deployed.Hex(), hash, byOwner); !ok || err != nil {
			t.Fatalf("CheckSignature on the right chain after a mismatch = %v, %v; want true, nil", ok, err)
		}
	})
}
