package queue

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

func TestParseMessageAccepts(t *testing.T) {
	cases := map[string]dashboard.RefreshRequest{
		`{"kind":"STRIPE","userId":"u1"}`:                  stripeReq("u1"),
		`{"kind":"NFT","userId":"u1"}`:                     nftReq("u1"),
		`{"kind":"NFT","wallet":"` + wallet + `"}`:         {Kind: dashboard.SyncNFT, Wallet: wallet},
		` {"userId":"u1", "kind":"NFT", "wallet":"0xab"} `: {Kind: dashboard.SyncNFT, UserID: "u1", Wallet: "0xab"},
	}
	for body, want := range cases {
		got, err := ParseMessage(body)
		if err != nil {
			t.Errorf("ParseMessage(%s): %v", body, err)
			continue
		}
		if got != want {
			t.Errorf("ParseMessage(%s) = %+v, want %+v", body, got, want)
		}
	}
}

func TestParseMessageRejects(t *testing.T) {
	long := strings.Repeat("a", maxFieldLen+1)
	bodies := []string{
		``,
		`null`,
		`[]`,
		`"NFT"`,
		`not json`,
		`{"kind":"NFT","userId":"u1"} {"kind":"NFT","userId":"u2"}`,
		`{"kind":"nft","userId":"u1"}`,
		`{"kind":"ORDERS","userId":"u1"}`,
		`{"kind":"NFT"}`,
		`{"kind":"NFT","userId":"  "}`,
		`{"userId":"u1"}`,
		`{"kind":"STRIPE","wallet":"0xab"}`,
		`{"kind":"NFT","userId":"u1","extra":"x"}`,
		`{"Kind":"NFT","userId":"u1"}`,
		`{"kind":"NFT","userID":"u1"}`,
		`{"kind":"NFT","userId":5}`,
		`{"kind":"NFT","userId":null}`,
		`{"kind":"NFT","userId":"` + long + `"}`,
		`{"kind":"NFT","wallet":"` + long + `"}`,
	}
	for _, body := range bodies {
		if r, err := ParseMessage(body); err == nil {
			t.Errorf("ParseMessage(%q) = %+v, want an error", body, r)
		}
	}
}

func TestValidateIsAnInvalidErrorWithoutValues(t *testing.T) {
	err := Validate(dashboard.RefreshRequest{Kind: dashboard.SyncStripe, Wallet: wallet})
	if code := dashboard.ErrorCode(err); code != dashboard.EVALIDATION {
		t.Fatalf("code = %q, want %q (err %v)", code, dashboard.EVALIDATION, err)
	}
	if _, ok := dashboard.ErrorFields(err)["wallet"]; !ok {
		t.Errorf("fields %v do not name wallet", dashboard.ErrorFields(err))
	}
	if strings.Contains(err.Error(), wallet) || strings.Contains(dashboard.ErrorMessage(err), wallet) {
		t.Errorf("error echoes the wallet: %v", err)
	}
	if err := Validate(dashboard.RefreshRequest{UserID: "u1"}); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("missing kind: err = %v", err)
	}
}

func TestEncodeRoundTrips(t *testing.T) {
	for _, r := range []dashboard.RefreshRequest{
		stripeReq("u1"),
		{Kind: dashboard.SyncNFT, Wallet: wallet},
		{Kind: dashboard.SyncNFT, UserID: "u2", Wallet: wallet},
	} {
		body, err := encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseMessage(body)
		if err != nil || got != r {
			t.Errorf("round trip of %+v: got %+v, %v (body %s)", r, got, err, body)
		}
	}
}

func TestCollapseKeyIgnoresWalletCase(t *testing.T) {
	a := dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: wallet}
	b := dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: strings.ToLower(wallet)}
	if collapseKey(a) != collapseKey(b) {
		t.Error("checksum and lower-case forms of one wallet do not collapse")
	}
	if collapseKey(stripeReq("u1")) == collapseKey(nftReq("u1")) {
		t.Error("a Stripe and an NFT refresh of one member collapse")
	}
}

// window is a reconciliation window request.
func window(run string, from time.Time) dashboard.RefreshRequest {
	return dashboard.ReconcileWindow{RunID: run, From: from, To: from.Add(time.Hour)}.Request()
}

var windowStart = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// A reconciliation window and a checkout email's sync travel through SQS
// bodies and come back whole. (Before RECONCILE messages existed, the email
// of a checkout-email sync was refused as an unknown field, so on AWS the
// sync a verification queued was dropped as malformed.)
func TestWindowAndEmailMessagesRoundTrip(t *testing.T) {
	for _, r := range []dashboard.RefreshRequest{
		window("20260301T020000Z", windowStart),
		{Kind: dashboard.SyncStripe, UserID: "u1", Email: "Guest.Buyer@Example.com"},
	} {
		body, err := encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseMessage(body)
		if err != nil || got.Kind != r.Kind || got.UserID != r.UserID || got.Email != r.Email || got.RunID != r.RunID ||
			!got.From.Equal(r.From) || !got.To.Equal(r.To) {
			t.Errorf("round trip of %+v: got %+v, %v (body %s)", r, got, err, body)
		}
	}
	body, _ := encode(window("r1", windowStart))
	if want := `{"kind":"RECONCILE","runId":"r1","from":"2026-03-01T02:00:00Z","to":"2026-03-01T03:00:00Z"}`; body != want {
		t.Errorf("window body = %s, want %s", body, want)
	}
}

func TestWindowMessagesRejected(t *testing.T) {
	for _, body := range []string{
		`{"kind":"RECONCILE","runId":"r1","from":"2026-03-01T02:00:00Z"}`,                                           // no end
		`{"kind":"RECONCILE","from":"2026-03-01T02:00:00Z","to":"2026-03-01T03:00:00Z"}`,                            // no run
		`{"kind":"RECONCILE","runId":"r1","from":"2026-03-01T03:00:00Z","to":"2026-03-01T02:00:00Z"}`,               // backwards
		`{"kind":"RECONCILE","runId":"r1","from":"2026-03-01T02:00:00Z","to":"2026-03-01T02:00:00Z"}`,               // empty
		`{"kind":"RECONCILE","runId":"r1","from":"yesterday","to":"2026-03-01T03:00:00Z"}`,                          // not a time
		`{"kind":"RECONCILE","runId":"r1","from":"2026-03-01T02:00:00Z","to":"2026-03-01T03:00:00Z","userId":"u1"}`, // a member too
		`{"kind":"STRIPE","userId":"u1","runId":"r1"}`,                                                              // a window on a sync
		`{"kind":"NFT","userId":"u1","email":"a@example.com"}`,                                                      // an email on an NFT sync
		`{"kind":"STRIPE","email":"a@example.com"}`,                                                                 // an email without a member
	} {
		if r, err := ParseMessage(body); err == nil {
			t.Errorf("ParseMessage(%s) = %+v, want an error", body, r)
		}
	}
	err := Validate(dashboard.RefreshRequest{Kind: dashboard.SyncStripe, Email: "who@example.com"})
	if err == nil || strings.Contains(err.Error(), "who@example.com") {
		t.Errorf("Validate of an email without a member = %v; want an error that does not echo it", err)
	}
}

// A checkout email's sync and the member's full sync are different work:
// neither swallows the other. Two copies of one window collapse; two
// windows of a run do not.
func TestCollapseKeysOfEmailsAndWindows(t *testing.T) {
	email := dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: "u1", Email: "Guest@Example.com"}
	if collapseKey(email) == collapseKey(stripeReq("u1")) {
		t.Error("a checkout email's sync collapses into the member's full sync")
	}
	if lower := (dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: "u1", Email: "guest@example.com"}); collapseKey(email) != collapseKey(lower) {
		t.Error("two spellings of one checkout email do not collapse")
	}
	if collapseKey(window("r1", windowStart)) != collapseKey(window("r1", windowStart.In(time.FixedZone("X", 3600)))) {
		t.Error("two copies of one window do not collapse")
	}
	if collapseKey(window("r1", windowStart)) == collapseKey(window("r1", windowStart.Add(time.Hour))) ||
		collapseKey(window("r1", windowStart)) == collapseKey(window("r2", windowStart)) {
		t.Error("different windows collapse")
	}
}

// pollWallet is a lower-cased wallet of shard WALLETS#3.
const pollWallet = "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"

// TestPollMessagesRoundTrip checks that a unit of the NFT poll (a shard,
// and for a continuation the wallet and member it resumes after) survives
// the queue's body whole.
func TestPollMessagesRoundTrip(t *testing.T) {
	from := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	for _, r := range []dashboard.RefreshRequest{
		{Kind: dashboard.PollKind, RunID: "p1", From: from, Shard: "WALLETS#0"},
		{Kind: dashboard.PollKind, RunID: "p1", From: from, Shard: "WALLETS#3", Wallet: pollWallet, UserID: "u1"},
	} {
		body, err := encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseMessage(body)
		if err != nil || got != r {
			t.Errorf("ParseMessage(%s) = %+v, %v; want %+v", body, got, err, r)
		}
	}
}

// TestPollMessagesRejected checks that a malformed unit of the NFT poll is
// refused clearly, naming the field at fault and never echoing a value.
func TestPollMessagesRejected(t *testing.T) {
	const ok = `"kind":"NFT_POLL","runId":"p1","from":"2026-03-01T02:00:00Z"`
	for body, field := range map[string]string{
		`{` + ok + `}`:                      "shard", // no shard
		`{` + ok + `,"shard":"WALLETS#g"}`:  "shard", // not a hex digit
		`{` + ok + `,"shard":"WALLETS#A"}`:  "shard", // upper case
		`{` + ok + `,"shard":"WALLETS#10"}`: "shard", // two digits
		`{"kind":"NFT_POLL","from":"2026-03-01T02:00:00Z","shard":"WALLETS#3"}`:                                           "runId",  // no run
		`{"kind":"NFT_POLL","runId":"p1","shard":"WALLETS#3"}`:                                                            "from",   // no start
		`{` + ok + `,"shard":"WALLETS#3","to":"2026-03-01T03:00:00Z"}`:                                                    "to",     // an end
		`{` + ok + `,"shard":"WALLETS#3","wallet":"` + pollWallet + `"}`:                                                  "wallet", // resumes after a wallet, no member
		`{` + ok + `,"shard":"WALLETS#3","userId":"u1"}`:                                                                  "wallet", // a member, no wallet
		`{` + ok + `,"shard":"WALLETS#4","wallet":"` + pollWallet + `","userId":"u1"}`:                                    "wallet", // wallet of another shard
		`{` + ok + `,"shard":"WALLETS#3","wallet":"0x123","userId":"u1"}`:                                                 "wallet", // not a wallet
		`{` + ok + `,"shard":"WALLETS#3","wallet":"` + pollWallet + `","userId":"u#1"}`:                                   "userId", // not a member id
		`{` + ok + `,"shard":"WALLETS#3","email":"a@example.com"}`:                                                        "email",
		`{"kind":"NFT","userId":"u1","shard":"WALLETS#3"}`:                                                                "shard", // a shard on a member refresh
		`{"kind":"RECONCILE","runId":"r1","from":"2026-03-01T02:00:00Z","to":"2026-03-01T03:00:00Z","shard":"WALLETS#3"}`: "shard",
	} {
		r, err := ParseMessage(body)
		if err == nil {
			t.Errorf("ParseMessage(%s) = %+v, want an error", body, r)
			continue
		}
		var e *dashboard.Error
		if !errors.As(err, &e) || e.Code != dashboard.EVALIDATION || e.Fields[field] == "" {
			t.Errorf("ParseMessage(%s) = %v, want EVALIDATION naming %q", body, err, field)
			continue
		}
		if strings.Contains(err.Error()+fmt.Sprint(e.Fields), pollWallet[2:]) || strings.Contains(fmt.Sprint(e.Fields), "a@example.com") {
			t.Errorf("ParseMessage(%s) echoed a value: %v %v", body, err, e.Fields)
		}
	}
}

// TestPollCollapseKeys checks that two deliveries of one poll unit
// collapse, and that another shard, another resume point or another poll
// do not.
func TestPollCollapseKeys(t *testing.T) {
	from := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	base := dashboard.RefreshRequest{Kind: dashboard.PollKind, RunID: "p1", From: from, Shard: "WALLETS#3"}
	resumed := base
	resumed.Wallet, resumed.UserID = pollWallet, "u1"
	upper := resumed
	upper.Wallet = "0x" + strings.ToUpper(pollWallet[2:])
	if collapseKey(resumed) != collapseKey(upper) {
		t.Error("a resume point in another case is other work")
	}
	other := base
	other.Shard = "WALLETS#4"
	again := base
	again.RunID = "p2"
	keys := map[string]bool{}
	for _, r := range []dashboard.RefreshRequest{base, resumed, other, again} {
		keys[collapseKey(r)] = true
	}
	if len(keys) != 4 {
		t.Errorf("distinct poll units share collapse keys: %d keys for 4 units", len(keys))
	}
	if attrs := fmt.Sprint(logAttrs(resumed)); strings.Contains(attrs, pollWallet[2:]) || !strings.Contains(attrs, "WALLETS#3") {
		t.Errorf("logAttrs of a poll unit = %s, want its shard and never its wallet", attrs)
	}
}
