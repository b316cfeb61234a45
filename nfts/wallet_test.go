package nfts_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/siwe"
)

// Well-known test keys: keyA controls walletA, keyB walletB.
const (
	keyA = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	keyB = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
)

func privKey(t *testing.T, hexKey, wallet string) *secp256k1.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	k := secp256k1.PrivKeyFromBytes(b)
	if got := siwe.PubKeyAddress(k.PubKey()); got != wallet {
		t.Fatalf("test key controls %s, not %s", got, wallet)
	}
	return k
}

// personalSign signs message as a wallet's personal_sign does (EIP-191):
// r‖s‖v.
func personalSign(key *secp256k1.PrivateKey, message string) string {
	compact := ecdsa.SignCompact(key, siwe.PersonalHash(message), false) // v‖r‖s
	return "0x" + hex.EncodeToString(append(append([]byte{}, compact[1:]...), compact[0]))
}

// walletKit is a member u1 whose preferred wallet is walletA.
func walletKit(t *testing.T) *kit {
	k := newKit(t)
	k.setWallet("u1", walletA)
	return k
}

var member = dashboard.Member{UserID: "u1"}

// verified reports whether u1's wallet is verified, both as stored and as
// the NFT list shows it.
func (k *kit) verified() bool {
	k.t.Helper()
	p, err := k.store.GetProfile(k.ctx, "u1")
	if err != nil {
		k.t.Fatal(err)
	}
	l, err := k.svc.List(k.ctx, member, "", 10, "")
	if err != nil {
		k.t.Fatal(err)
	}
	if (p.WalletVerifiedAt != nil) != l.WalletVerified {
		k.t.Fatalf("stored walletVerifiedAt %v but the list says walletVerified %v", p.WalletVerifiedAt, l.WalletVerified)
	}
	return l.WalletVerified
}

// TestChallenge checks that a challenge names SITE_ORIGIN's host and origin
// and the profile's wallet, with the service's chain, a ten-minute expiry
// and the nonce it returns.
func TestChallenge(t *testing.T) {
	k := walletKit(t)
	c, err := k.svc.Challenge(k.ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	m, err := siwe.Parse(c.Message)
	if err != nil {
		t.Fatalf("the challenge is not a SIWE message: %v\n%s", err, c.Message)
	}
	if !strings.HasPrefix(c.Message, "dashboard.babesclub.example wants you to sign in with your Ethereum account:\n"+walletA+"\n") {
		t.Errorf("the message does not open with the site's host and the wallet:\n%s", c.Message)
	}
	if m.Domain != "dashboard.babesclub.example" || m.URI != "https://dashboard.babesclub.example" || m.Address != walletA ||
		m.ChainID != 1 || m.Nonce != c.Nonce || m.Nonce == "" {
		t.Errorf("message = %+v; want domain and uri of SITE_ORIGIN, %s, chain 1, nonce %q", m, walletA, c.Nonce)
	}
	if want := k.now.Add(10 * time.Minute); !m.ExpirationTime.Equal(want) || !c.ExpiresAt.Equal(want) || !m.IssuedAt.Equal(k.now) {
		t.Errorf("issued %v expires %v (answer %v); want %v and %v", m.IssuedAt, m.ExpirationTime, c.ExpiresAt, k.now, want)
	}
	if c2, err := k.svc.Challenge(k.ctx, member); err != nil || c2.Nonce == c.Nonce {
		t.Errorf("a second challenge = %+v, %v; want a fresh nonce", c2, err)
	}

	// A member without a wallet gets no challenge.
	if _, err := k.svc.Challenge(k.ctx, dashboard.Member{UserID: "nobody"}); dashboard.ErrorCode(err) != dashboard.ECONFLICT {
		t.Errorf("challenge without a wallet: %v, want conflict", err)
	}
}

// TestVerify checks that a challenge signed by the wallet verifies it,
// once: a replay of the same signed message is refused.
func TestVerify(t *testing.T) {
	k := walletKit(t)
	key := privKey(t, keyA, walletA)
	c, err := k.svc.Challenge(k.ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if k.verified() {
		t.Fatal("the wallet is verified before any proof")
	}
	sig := personalSign(key, c.Message)
	k.now = k.now.Add(9*time.Minute + 59*time.Second) // still within the ten minutes
	v, err := k.svc.Verify(k.ctx, member, c.Message, sig)
	if err != nil {
		t.Fatal(err)
	}
	if v.Wallet != walletA || !v.WalletVerified {
		t.Errorf("verify = %+v, want %s verified", v, walletA)
	}
	if !k.verified() {
		t.Error("the wallet is not shown verified")
	}
	p, _ := k.store.GetProfile(k.ctx, "u1")
	if p.WalletVerifiedAt == nil || !p.WalletVerifiedAt.Equal(k.now) {
		t.Errorf("walletVerifiedAt = %v, want %v", p.WalletVerifiedAt, k.now)
	}

	if _, err := k.svc.Verify(k.ctx, member, c.Message, sig); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("a replayed proof: %v, want validation_failed", err)
	}
}

// TestVerifyRefusals checks that each bad proof is refused with its error
// and leaves the wallet unverified; each uses its own challenge, so the
// refusal is the one named, not a consumed nonce.
func TestVerifyRefusals(t *testing.T) {
	keyOfA := func(t *testing.T) *secp256k1.PrivateKey { return privKey(t, keyA, walletA) }
	for name, tc := range map[string]struct {
		// attempt returns the message and signature to send for challenge
		// message msg, changing the world as the case needs.
		attempt func(t *testing.T, k *kit, msg string) (string, string)
		code    string
	}{
		"wrong signer": {func(t *testing.T, k *kit, msg string) (string, string) {
			return msg, personalSign(privKey(t, keyB, walletB), msg)
		}, dashboard.EVALIDATION},
		"expired": {func(t *testing.T, k *kit, msg string) (string, string) {
			k.now = k.now.Add(10*time.Minute + time.Second)
			return msg, personalSign(keyOfA(t), msg)
		}, dashboard.EVALIDATION},
		"expired at ten minutes": {func(t *testing.T, k *kit, msg string) (string, string) {
			k.now = k.now.Add(10 * time.Minute)
			return msg, personalSign(keyOfA(t), msg)
		}, dashboard.EVALIDATION},
		"altered by one byte": {func(t *testing.T, k *kit, msg string) (string, string) {
			i := strings.Index(msg, "Prove")
			altered := msg[:i] + "p" + msg[i+1:]
			return altered, personalSign(keyOfA(t), altered)
		}, dashboard.EVALIDATION},
		"signature of another message": {func(t *testing.T, k *kit, msg string) (string, string) {
			i := strings.Index(msg, "Prove")
			return msg, personalSign(keyOfA(t), msg[:i]+"p"+msg[i+1:])
		}, dashboard.EVALIDATION},
		"wallet changed after the challenge": {func(t *testing.T, k *kit, msg string) (string, string) {
			k.setWallet("u1", walletB)
			return msg, personalSign(keyOfA(t), msg)
		}, dashboard.ECONFLICT},
		"another member's challenge": {func(t *testing.T, k *kit, msg string) (string, string) {
			k.setWallet("u2", walletA)
			other, err := k.svc.Challenge(k.ctx, dashboard.Member{UserID: "u2"})
			if err != nil {
				t.Fatal(err)
			}
			return other.Message, personalSign(keyOfA(t), other.Message)
		}, dashboard.EVALIDATION},
	} {
		// Only an attempt on u1's own nonce consumes u1's challenge.
		consumes := name != "another member's challenge"
		t.Run(name, func(t *testing.T) {
			k := walletKit(t)
			issued := k.now
			c, err := k.svc.Challenge(k.ctx, member)
			if err != nil {
				t.Fatal(err)
			}
			msg, sig := tc.attempt(t, k, c.Message)
			if v, err := k.svc.Verify(k.ctx, member, msg, sig); dashboard.ErrorCode(err) != tc.code {
				t.Errorf("verify = %+v, %v; want %s", v, err, tc.code)
			}
			if k.verified() {
				t.Error("a refused proof verified the wallet")
			}
			if !consumes {
				return
			}
			// The attempt consumed the challenge: even the right proof of it,
			// in time and for the right wallet, now fails.
			k.now = issued.Add(time.Second)
			k.setWallet("u1", walletA)
			_, err = k.svc.Verify(k.ctx, member, c.Message, personalSign(keyOfA(t), c.Message))
			var e *dashboard.Error
			if !errors.As(err, &e) || e.Code != dashboard.EVALIDATION || e.Fields["nonce"] == "" {
				t.Errorf("the right proof of a used challenge: %v; want validation_failed on the nonce", err)
			}
			if k.verified() {
				t.Error("a second attempt on a used challenge verified the wallet")
			}
		})
	}
}
