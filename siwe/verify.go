package siwe

import (
	"crypto/rand"
	"crypto/subtle"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Field names used in the Fields of the errors Verify returns, so the HTTP
// layer and the web client can tell the member what to do (sign again, ask
// for a new challenge, switch wallet) without the server echoing values.
const (
	FieldMessage   = "message"   // not a SIWE message, or missing a required term
	FieldSignature = "signature" // malformed, or made by another key
	FieldNonce     = "nonce"     // not the nonce of the outstanding challenge
	FieldExpired   = "expired"   // the expiration time has passed
	FieldNotBefore = "notBefore" // not valid yet (not-before or issued-at ahead of now)
	FieldAddress   = "address"   // signed for another wallet than the preferred one
	FieldDomain    = "domain"    // issued for another site
	FieldURI       = "uri"       // issued for another URI
	FieldChainID   = "chainId"   // issued for another chain
)

// ClockSkew is how far in the future a message's Issued At may lie: the
// member's wallet or our own instances may run slightly ahead.
const ClockSkew = 60 * time.Second

// Expect holds what the relying party issued and will accept back. Domain,
// ChainID and Nonce must be set; URI is compared only when set.
type Expect struct {
	Domain  string
	URI     string
	ChainID int64
	Nonce   string
}

// Verify checks that text is a well-formed SIWE message issued as want
// describes, for the wallet wantAddress, valid at now, and signed by that
// wallet's key with personal_sign (signatureHex as "0x" + 130 hex digits).
// It returns the parsed message. Every failure is an EVALIDATION
// *dashboard.Error whose Fields name the term that failed (see the Field
// constants) and never contain the nonce, the address or the signature.
//
// A message without an Expiration Time is refused: a challenge must stop
// being usable on its own even if the nonce store fails to forget it.
// Checking the nonce here does not make it single-use; the caller must
// consume it atomically before or after a successful Verify.
func Verify(text, signatureHex, wantAddress string, now time.Time, want Expect) (*Message, error) {
	m, err := Check(text, wantAddress, now, want)
	if err != nil {
		return nil, err
	}
	if err := CheckSignature(text, signatureHex, wantAddress); err != nil {
		return nil, err
	}
	return m, nil
}

// Check is Verify without the signature: the message is well formed, issued
// as want describes, for wantAddress, and valid at now. A smart-contract
// wallet's signature is then checked by the wallet (ERC-1271), not here.
func Check(text, wantAddress string, now time.Time, want Expect) (*Message, error) {
	m, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if want.Domain == "" || !strings.EqualFold(m.Domain, want.Domain) {
		return nil, invalid(FieldDomain, "The message was issued for another site.")
	}
	wantSum, ok := ChecksumAddress(wantAddress)
	if !ok || !strings.EqualFold(m.Address, wantSum) {
		return nil, invalid(FieldAddress, "The message is for another wallet than your preferred wallet.")
	}
	if want.URI != "" && m.URI != want.URI {
		return nil, invalid(FieldURI, "The message was issued for another address on this site.")
	}
	if m.ChainID != want.ChainID {
		return nil, invalid(FieldChainID, "The message was issued for another chain.")
	}
	if want.Nonce == "" || subtle.ConstantTimeCompare([]byte(m.Nonce), []byte(want.Nonce)) != 1 {
		return nil, invalid(FieldNonce, "The message does not answer the current challenge; request a new one.")
	}
	if m.ExpirationTime.IsZero() {
		return nil, invalid(FieldMessage, "The message must carry an expiration time.")
	}
	if !now.Before(m.ExpirationTime) {
		return nil, invalid(FieldExpired, "The challenge has expired; request a new one.")
	}
	if m.NotBefore != nil && now.Before(*m.NotBefore) {
		return nil, invalid(FieldNotBefore, "The message is not valid yet.")
	}
	if m.IssuedAt.After(now.Add(ClockSkew)) {
		return nil, invalid(FieldNotBefore, "The message is issued in the future.")
	}
	return m, nil
}

// CheckSignature checks that signatureHex is an EIP-191 personal_sign
// signature of text by wantAddress's key (ecrecover). Any failure is an
// EVALIDATION error naming FieldSignature.
func CheckSignature(text, signatureHex, wantAddress string) error {
	sig, err := ParseSignature(signatureHex)
	if err != nil {
		return err
	}
	signer, err := RecoverAddress(text, sig)
	if err != nil {
		return err
	}
	if !strings.EqualFold(signer, wantAddress) {
		return invalid(FieldSignature, "The signature was not made by this wallet.")
	}
	return nil
}

// NewNonce returns a fresh challenge nonce: 26 characters of the RFC 4648
// base32 alphabet (A–Z, 2–7) carrying 130 bits from crypto/rand, which is
// alphanumeric as EIP-4361 requires and far past its 8-character minimum.
// The error is always nil (crypto/rand no longer fails); it stays in the
// signature so callers handle a future source that can.
func NewNonce() (string, error) {
	return rand.Text(), nil
}

// invalid builds the EVALIDATION error for one failed term. A fresh map each
// time, since callers may add to it.
func invalid(field, detail string) *dashboard.Error {
	return &dashboard.Error{
		Code:    dashboard.EVALIDATION,
		Message: "The wallet signature could not be verified.",
		Fields:  map[string]string{field: detail},
	}
}
