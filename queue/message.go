// Package queue carries refresh requests from the read path to the syncs
// (and the reconciliation's windows from its planner to the workers):
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
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// maxFieldLen bounds userId and wallet. Member ids are 32 hex characters and
// wallets 42, so anything near this limit is a bug or an attack, and the cap
// keeps a message and a log line small.
const maxFieldLen = 256

// Validate reports whether r is a request a worker can act on. Kind is
// STRIPE or NFT, naming a member (UserID) or, for NFT refreshes only, a
// wallet (a Stripe sync by wallet would mean nothing, so it is rejected
// rather than silently ignored); a Stripe refresh may name one checkout
// email of the member. Or Kind is RECONCILE, naming one reconciliation
// window (RunID, From before To) and nothing else. Or Kind is NFT_POLL,
// naming one unit of the NFT poll: the poll (RunID, its start From), one
// wallet shard (a key of dashboard.WalletShardKeys), and for a
// continuation the index item it resumes after (a wallet of that shard and
// a member id, both or neither). The error is a dashboard
// EVALIDATION error whose fields name the offending parts; it never echoes
// the values, which may be personal data.
func Validate(r dashboard.RefreshRequest) error {
	fields := map[string]string{}
	switch r.Kind {
	case dashboard.SyncStripe, dashboard.SyncNFT:
		if strings.TrimSpace(r.UserID) == "" && strings.TrimSpace(r.Wallet) == "" {
			fields["userId"] = "userId or wallet is required"
		}
		if r.Kind == dashboard.SyncStripe && r.Wallet != "" {
			fields["wallet"] = "only NFT refreshes take a wallet"
		}
		if r.Email != "" && (r.Kind != dashboard.SyncStripe || strings.TrimSpace(r.UserID) == "") {
			fields["email"] = "only a member's Stripe refresh takes an email"
		}
		if r.RunID != "" || !r.From.IsZero() || !r.To.IsZero() {
			fields["runId"] = "only RECONCILE requests name a window"
		}
		if r.Shard != "" {
			fields["shard"] = "only NFT_POLL requests name a shard"
		}
	case dashboard.PollKind:
		validatePoll(r, fields)
	case dashboard.ReconcileKind:
		if strings.TrimSpace(r.RunID) == "" || dashboard.CheckReconcileRunID(r.RunID) != nil {
			// The stores key checkpoints by it and refuse what they cannot.
			fields["runId"] = "runId is required, at most 64 bytes, no NUL"
		}
		if r.From.IsZero() || r.To.IsZero() || !r.From.Before(r.To) {
			fields["from"] = "from and to are required, from before to"
		}
		if r.UserID != "" || r.Wallet != "" || r.Email != "" {
			fields["userId"] = "a RECONCILE request names no member, wallet or email"
		}
		if r.Shard != "" {
			fields["shard"] = "only NFT_POLL requests name a shard"
		}
	default:
		fields["kind"] = "must be STRIPE, NFT, RECONCILE or NFT_POLL"
	}
	for name, v := range map[string]string{"userId": r.UserID, "wallet": r.Wallet, "email": r.Email, "runId": r.RunID, "shard": r.Shard} {
		if len(v) > maxFieldLen {
			fields[name] = fmt.Sprintf("at most %d characters", maxFieldLen)
		}
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

// validatePoll adds to fields what is wrong with an NFT_POLL request.
func validatePoll(r dashboard.RefreshRequest, fields map[string]string) {
	if strings.TrimSpace(r.RunID) == "" {
		fields["runId"] = "runId is required"
	}
	if r.From.IsZero() {
		fields["from"] = "from (when the poll started) is required"
	}
	if !r.To.IsZero() {
		fields["to"] = "an NFT_POLL request names no end"
	}
	if r.Email != "" {
		fields["email"] = "an NFT_POLL request names no email"
	}
	if !slices.Contains(dashboard.WalletShardKeys(), r.Shard) {
		fields["shard"] = "must be a wallet shard, WALLETS# and one lower-case hex digit"
	}
	switch {
	case r.Wallet == "" && r.UserID == "":
	case r.Wallet == "" || r.UserID == "":
		fields["wallet"] = "a continuation names both the wallet and the member it resumes after"
	default:
		if a, ok := dashboard.WalletKey(r.Wallet); !ok || dashboard.WalletShardKey(a) != r.Shard {
			fields["wallet"] = "must be a wallet of the shard"
		}
		if !dashboard.ValidMemberID(r.UserID) {
			fields["userId"] = "must be a member id"
		}
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
// "kind", "userId", "wallet", "email", "runId", "from", "to" and "shard"
// (case-sensitive, string values only; from and to RFC 3339 times) and the
// result must pass Validate. A body that fails is a bug in a producer, not
// a transient fault, so callers drop it instead of retrying it forever.
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
		case "email":
			r.Email = s
		case "runId":
			r.RunID = s
		case "shard":
			r.Shard = s
		case "from", "to":
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return dashboard.RefreshRequest{}, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Refresh message field %q is not an RFC 3339 time.", k)
			}
			if k == "from" {
				r.From = t.UTC()
			} else {
				r.To = t.UTC()
			}
		default:
			return dashboard.RefreshRequest{}, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Refresh message has an unknown field %q.", clip(k))
		}
	}
	if err := Validate(r); err != nil {
		return dashboard.RefreshRequest{}, err
	}
	return r, nil
}

// collapseKey identifies the work a request asks for: two requests with
// the same key would do the same work, so only one of them runs. Wallets
// and checkout emails are compared case-insensitively (an EVM address in
// checksum form and in lower case is the same account; a checkout email's
// sync lists every spelling), and a member's sync of one checkout email is
// other work than their full sync, so neither swallows the other. A
// reconciliation window is its run and its start.
func collapseKey(r dashboard.RefreshRequest) string {
	if r.Kind == dashboard.ReconcileKind {
		return string(r.Kind) + "\x00" + r.RunID + "\x00" + r.From.UTC().Format(time.RFC3339Nano)
	}
	if r.Kind == dashboard.PollKind {
		return string(r.Kind) + "\x00" + r.RunID + "\x00" + r.Shard + "\x00" + strings.ToLower(r.Wallet) + "\x00" + r.UserID
	}
	return string(r.Kind) + "\x00" + r.UserID + "\x00" + strings.ToLower(r.Wallet) + "\x00" + strings.ToLower(r.Email)
}

// logAttrs describes r for a log line: the kind and the member id (an opaque
// identifier the logs already carry), never the wallet or the email, which
// are personal data; only whether one was named. A window is named by its
// run and bounds, a poll unit by its run and shard and whether it resumes
// (the member it resumes after, never the wallet).
func logAttrs(r dashboard.RefreshRequest) []any {
	if r.Kind == dashboard.ReconcileKind {
		return []any{"kind", string(r.Kind), "runId", r.RunID, "from", r.From.UTC().Format(time.RFC3339), "to", r.To.UTC().Format(time.RFC3339)}
	}
	if r.Kind == dashboard.PollKind {
		return []any{"kind", string(r.Kind), "runId", r.RunID, "shard", r.Shard, "afterMemberId", r.UserID}
	}
	return []any{"kind", string(r.Kind), "memberId", r.UserID, "byWallet", r.Wallet != "", "byEmail", r.Email != ""}
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
