// Package queue carries refresh requests from the read path to the syncs:
// SQS in production (a Lambda worker consumes it through HandleBatch), and an
// in-process queue, Local, for `dashboard serve`. Both take the same
// dashboard.RefreshRequest and validate it the same way, and their consumers
// collapse repeated requests for one sync (within an SQS batch; while pending
// or just finished in Local), so a burst of reads triggers one sync, not
// fifty.
package queue

import (
	"encoding/json"
	"fmt"
	"strings"

	dashboard "github.com/thebabesclub/dashboard"
)

// maxFieldLen bounds userId and wallet. Member ids are 32 hex characters and
// wallets 42, so anything near this limit is a bug or an attack, and the cap
// keeps a message and a log line small.
const maxFieldLen = 256

// Validate reports whether r is a request a sync can act on: Kind is STRIPE
// or NFT, and it names a member (UserID) or, for NFT refreshes only, a
// wallet. A Stripe sync by wallet would mean nothing, so it is rejected
// rather than silently ignored. The error is a dashboard EVALIDATION error whose
// fields name the offending parts; it never echoes the values, which may be
// personal data.
func Validate(r dashboard.RefreshRequest) error {
	fields := map[string]string{}
	switch r.Kind {
	case dashboard.SyncStripe, dashboard.SyncNFT:
	default:
		fields["kind"] = "must be STRIPE or NFT"
	}
	if strings.TrimSpace(r.UserID) == "" && strings.TrimSpace(r.Wallet) == "" {
		fields["userId"] = "userId or wallet is required"
	}
	if r.Kind == dashboard.SyncStripe && r.Wallet != "" {
		fields["wallet"] = "only NFT refreshes take a wallet"
	}
	if len(r.UserID) > maxFieldLen {
		fields["userId"] = fmt.Sprintf("at most %d characters", maxFieldLen)
	}
	if len(r.Wallet) > maxFieldLen {
		fields["wallet"] = fmt.Sprintf("at most %d characters", maxFieldLen)
	}
	if len(fields) == 0 {
		return nil
	}
	return &dashboard.Error{
		Code:    dashboard.EVALIDATION,
		Message: "Invalid refresh request.",
		Fields:  fields,
	}
}

// encode returns the message body for r: exactly its JSON, nothing else, so
// the body is the whole message and no attribute has to carry (or leak)
// anything.
func encode(r dashboard.RefreshRequest) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("queue: encode refresh request: %w", err)
	}
	return string(b), nil
}

// ParseMessage decodes a message body written by Enqueue. It is strict on
// purpose: the body must be one JSON object whose keys are exactly among
// "kind", "userId" and "wallet" (case-sensitive, string values only) and the
// result must pass Validate. A body that fails is a bug in a producer, not a
// transient fault, so callers drop it instead of retrying it forever.
func ParseMessage(body string) (dashboard.RefreshRequest, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		return dashboard.RefreshRequest{}, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Refresh message is not a JSON object.")
	}
	if raw == nil {
		return dashboard.RefreshRequest{}, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Refresh message is not a JSON object.")
	}
	var r dashboard.RefreshRequest
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return dashboard.RefreshRequest{}, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Refresh message field %q is not a string.", clip(k))
		}
		switch k {
		case "kind":
			r.Kind = dashboard.SyncKind(s)
		case "userId":
			r.UserID = s
		case "wallet":
			r.Wallet = s
		default:
			return dashboard.RefreshRequest{}, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Refresh message has an unknown field %q.", clip(k))
		}
	}
	if err := Validate(r); err != nil {
		return dashboard.RefreshRequest{}, err
	}
	return r, nil
}

// collapseKey identifies the sync a request asks for: two requests with the
// same key would do the same work, so only one of them runs. Wallets are
// compared case-insensitively because an EVM address in checksum form and in
// lower case is the same account.
func collapseKey(r dashboard.RefreshRequest) string {
	return string(r.Kind) + "\x00" + r.UserID + "\x00" + strings.ToLower(r.Wallet)
}

// logAttrs describes r for a log line: the kind and the member id (an opaque
// identifier the logs already carry), never the wallet, which is personal
// data; only whether one was named.
func logAttrs(r dashboard.RefreshRequest) []any {
	return []any{"kind", string(r.Kind), "memberId", r.UserID, "byWallet", r.Wallet != ""}
}

// clip shortens a field name taken from a malformed message before it goes
// into an error (and so a log line), so a hostile body cannot flood the logs.
func clip(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}
