package evm

import (
	"bytes"
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/thebabesclub/dashboard/internal/evmtest"
)

// TestSignatureValidator runs contracts/SignatureValidator.sol itself, the
// way CheckSignature does (creation code and constructor arguments as an
// eth_call without "to", on a real EVM), for every rule of ERC-6492's
// verifier order, including the ones CheckSignature never sends it: a plain
// ERC-1271 signature and an ECDSA signature of an account without code.
func TestSignatureValidator(t *testing.T) {
	c := evmtest.Start(t)
	owner, stranger := evmtest.NewKey(t), evmtest.NewKey(t)
	ownerAddr := crypto.PubkeyToAddress(owner.PublicKey)
	factory := c.WalletFactory(t)
	deployed := c.DeployWallet(t, ownerAddr, [32]byte{1})
	pendingSalt := [32]byte{2}
	pending := c.WalletAddress(t, ownerAddr, pendingSalt)
	deployPending := c.WalletDeployCall(t, ownerAddr, pendingSalt)
	preparedWallet := evmtest.Load(t, "TestPreparedWallet")
	unprepared := c.Deploy(t, preparedWallet.InitCode(t, ownerAddr))
	prepare := preparedWallet.Pack(t, "prepare")

	hash := [32]byte(crypto.Keccak256([]byte("the digest a wallet signs")))
	byOwner, byStranger := evmtest.Sign(t, owner, hash), evmtest.Sign(t, stranger, hash)
	// An ECDSA signature with v as 0 or 1, as some signers produce it.
	byOwnerV01 := bytes.Clone(byOwner)
	byOwnerV01[64] -= 27
	// r = s = 0 recovers no address at all: ecrecover answers address(0).
	unrecoverable := append(make([]byte, 64), 27)
	wrap := func(to common.Address, data, inner []byte) []byte { return evmtest.ERC6492(t, to, data, inner) }

	const (
		valid   = "valid"
		invalid = "not valid"
		reverts = "reverts"
	)
	cases := []struct {
		name      string
		signer    common.Address
		signature []byte
		want      string
	}{
		// Rule 3: no code, no suffix: ECDSA.
		{"ecdsa: an account's own signature", ownerAddr, byOwner, valid},
		{"ecdsa: another key's signature", ownerAddr, byStranger, invalid},
		{"ecdsa: v as 0 or 1", ownerAddr, byOwnerV01, invalid},
		{"ecdsa: 64 bytes", ownerAddr, byOwner[:64], invalid},
		{"ecdsa: 66 bytes", ownerAddr, append(bytes.Clone(byOwner), 0), invalid},
		{"ecdsa: empty", ownerAddr, nil, invalid},
		{"ecdsa: the zero address and a signature that recovers nothing", common.Address{}, unrecoverable, invalid},
		{"ecdsa: an address without code is not asked with erc-1271", pending, byOwner, invalid},

		// Rule 2: code, no suffix: ERC-1271 on the whole signature.
		{"erc-1271: the owner's signature", deployed, byOwner, valid},
		{"erc-1271: another key's signature", deployed, byStranger, invalid},
		{"erc-1271: the wallet reverts (short signature)", deployed, byOwner[:64], invalid},
		{"erc-1271: a wallet not prepared yet", unprepared, byOwner, invalid},

		// Rule 1: the ERC-6492 suffix.
		{"erc-6492: counterfactual wallet, the owner's signature", pending, wrap(factory, deployPending, byOwner), valid},
		{"erc-6492: counterfactual wallet, a wrong inner signature", pending, wrap(factory, deployPending, byStranger), invalid},
		{"erc-6492: the factory call reverts", pending, wrap(factory, []byte{0xde, 0xad, 0xbe, 0xef}, byOwner), invalid},
		{"erc-6492: the factory call deploys nothing", pending, wrap(ownerAddr, nil, byOwner), invalid},
		{"erc-6492: an ecdsa inner signature of a codeless account is not recovered", ownerAddr,
			wrap(factory, deployPending, byOwner), invalid},
		{"erc-6492: deployed wallet, the owner's signature (the factory call is not needed)", deployed,
			wrap(factory, []byte{0xde, 0xad, 0xbe, 0xef}, byOwner), valid},
		{"erc-6492: deployed wallet, another key's signature", deployed, wrap(factory, deployPending, byStranger), invalid},
		{"erc-6492: the prepare call makes a deployed wallet ready", unprepared, wrap(unprepared, prepare, byOwner), valid},
		{"erc-6492: prepared, but another key's signature", unprepared, wrap(unprepared, prepare, byStranger), invalid},
		{"erc-6492: the prepare call reverts", unprepared, wrap(unprepared, []byte{0xde, 0xad, 0xbe, 0xef}, byOwner), invalid},
		{"erc-6492: only the suffix", pending, bytes.Clone(erc6492Suffix[:]), reverts},
		{"erc-6492: a wrapper that is not abi-encoded", pending, append(bytes.Repeat([]byte{0xff}, 96), erc6492Suffix[:]...), reverts},
	}
	v, err := New(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, reverted, err := v.call(context.Background(), nil, encodeValidatorCall(signatureValidator, tc.signer, hash, tc.signature))
			var got string
			switch {
			case err != nil:
				t.Fatalf("eth_call: %v", err)
			case reverted:
				got = reverts
			case bytes.Equal(out, []byte{1}):
				got = valid
			case bytes.Equal(out, []byte{0}):
				got = invalid
			default:
				t.Fatalf("the validator returned %x, want one byte", out)
			}
			if got != tc.want {
				t.Fatalf("the validator says %s, want %s", got, tc.want)
			}
		})
	}

	// Every check ran inside eth_call: nothing was deployed or prepared.
	if len(c.Code(t, pending)) != 0 {
		t.Fatal("validating deployed the counterfactual wallet")
	}
	walletAddr := [20]byte(unprepared)
	if out, reverted, err := v.call(context.Background(), &walletAddr, preparedWallet.Pack(t, "prepared")); err != nil || reverted || !bytes.Equal(out, make([]byte, 32)) {
		t.Fatalf("prepared() = %x, %v, %v; want false: validating prepared the wallet", out, reverted, err)
	}
}
