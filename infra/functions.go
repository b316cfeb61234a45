package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
)

// Index names of the table (CONTRACT §6).
const (
	gsi1 = "GSI1" // GSI1PK = STRIPE#<customer id>: member by Stripe customer; WALLETS#<digit>: the wallet index by shard
	gsi2 = "GSI2" // GSI2PK = ORDER#<session id>: order by id
	gsi3 = "GSI3" // GSI3PK = COLLECTION#<id>: holders of a collection
)

// Settings a function may need, by group. Every group is a set of CONTRACT
// §7 variable names; functionSpec.env says which groups a function gets.
// A secret sits only in the group of the code that uses it, so that a
// function holds no key it never uses (CONTRACT §7): the variables, secrets
// among them, that each function ends up with are listed in
// testdata/function-env.txt, which stack_test.go holds the template to, and
// tabulated in docs/operations.md.
const (
	// envStore: every function that opens the table (app.New).
	envStore = "store"
	// envHTTP: functions behind API Gateway: the CORS allow-list.
	envHTTP = "http"
	// envMember: the functions of member routes (lambdafn.API): the
	// CURSOR_SECRET that keys list cursors and verification-code hashes,
	// which lambdafn.API insists on. Never JWT_SECRET: that is the
	// authorizer's alone, since it can mint any member's token.
	envMember = "member"
	// envStripe: functions that call Stripe: the key and the client's
	// settings.
	envStripe = "stripe"
	// envStripeFlag: functions that only need to know Stripe is on
	// (list-orders decides "refreshing" and queues the refresh):
	// STRIPE_ENABLED, no key.
	envStripeFlag = "stripe-flag"
	// envNFT: functions that call the marketplace: the key and the
	// adapter's settings.
	envNFT = "nft"
	// envNFTFlag: functions that only need to know a marketplace is on
	// (list-nfts): NFT_ENABLED, no key.
	envNFTFlag = "nft-flag"
	// envAuth: the authorizer's token verification.
	envAuth = "auth"
	// envQueue: functions that queue refreshes (REFRESH_QUEUE_URL).
	envQueue = "queue"
	// envInternal: the internal routes' X-Internal-Token.
	envInternal = "internal"
	// envStripeWebhook and envNFTWebhook: the webhook signing secrets.
	envStripeWebhook = "stripe-webhook"
	envNFTWebhook    = "nft-webhook"
	// envMail: functions that mail members (verification codes, the notice
	// of an email change): SES, the sender, and the dashboard's origin for
	// links. functionSpec.SendsMail grants the SES permission with it.
	envMail = "mail"
	// envSite: functions that name the dashboard's origin (the SIWE domain
	// and URI of wallet challenges, CONTRACT §10).
	envSite = "site"
	// envEthRPC: functions that verify wallet signatures: ETH_RPC_URL, the
	// Ethereum JSON-RPC endpoint through which a smart-contract wallet's
	// signature is checked (ERC-1271/6492, CONTRACT §10). It usually
	// carries the provider's API key in its path, so it is a secret
	// parameter; empty (the default) verifies externally owned accounts
	// only.
	envEthRPC = "eth-rpc"
)

// functionSpec is one Lambda function of the plan: its name, the lambdafn
// builder its main runs, the routes API Gateway sends it, its size, the
// settings it reads and exactly the data-plane access its code performs. The
// access lists are derived from the store calls on each code path
// (dynamo/*.go) and are what docs/operations.md tabulates; change them
// together with the code.
type functionSpec struct {
	// Name is the function's folder, cmd/lambda/<Name>, and its package,
	// dist/lambda/<Name>.zip.
	Name string
	// Builder is the lambdafn function its main passes to lambdafn.Run
	// (builderAPI, …).
	Builder string
	// Routes are the operations API Gateway sends the function, as
	// "METHOD /path" in API Gateway's (and net/http's) path syntax. The
	// routes of builderAPI functions are member routes, behind the TOKEN
	// authorizer; those of builderMachineAPI functions are called by
	// machines with credentials of their own.
	Routes []string
	// Description is the function's description on AWS; empty means its
	// Routes.
	Description string
	MemoryMB    float64
	Timeout     time.Duration
	Env         []string
	// TableActions are granted on the table ARN, IndexActions on
	// <table ARN>/index/<name>.
	TableActions []string
	IndexActions map[string][]string
	// TransactionOnly actions are granted on the table only inside a
	// TransactWriteItems (condition dynamodb:EnclosingOperation): the
	// ConditionCheckItem of a transaction's ConditionCheck, which the
	// function never needs on its own.
	TransactionOnly []string
	// SendsRefresh grants sqs:SendMessage on the refresh queue.
	SendsRefresh bool
	// SendsMail grants ses:SendEmail from the configured sender only; it
	// goes with envMail.
	SendsMail bool
	// StripeShare is the function's share of the deployment's Stripe rate
	// budget (Config.StripeRateBudget), all its processes together, and
	// StripeProcesses how many processes split it: the event source's
	// maximum concurrency for order-refresh, the concurrency the plan
	// expects of a request-driven function. Each process gets
	// STRIPE_MAX_RPS = budget × share / processes (stripeMaxRPS), one
	// budget for every Stripe call it makes (app.App.StripeBudget). The
	// shares of all functions sum to at most 1; docs/operations.md
	// tabulates them. Zero for functions that never call Stripe.
	StripeShare     float64
	StripeProcesses int
}

// stripeMaxRPS is the function's STRIPE_MAX_RPS under budget: its share
// per process, rounded down to a hundredth so that the sum stays under
// the budget.
func (f functionSpec) stripeMaxRPS(budget float64) string {
	v := math.Floor(budget*f.StripeShare/float64(max(1, f.StripeProcesses))*100) / 100
	return strconv.FormatFloat(max(v, 0.01), 'f', -1, 64)
}

// The DynamoDB actions, spelled once.
const (
	ddbGetItem        = "dynamodb:GetItem"
	ddbPutItem        = "dynamodb:PutItem"
	ddbUpdateItem     = "dynamodb:UpdateItem"
	ddbDeleteItem     = "dynamodb:DeleteItem"
	ddbQuery          = "dynamodb:Query"
	ddbBatchWriteItem = "dynamodb:BatchWriteItem"
	// ddbConditionCheckItem authorizes a TransactWriteItems' ConditionCheck
	// (its Put, Update and Delete parts are authorized as PutItem,
	// UpdateItem and DeleteItem; TransactWriteItems itself is no IAM
	// action).
	ddbConditionCheckItem = "dynamodb:ConditionCheckItem"
)

// Function names (cmd/lambda/<name>, dist/lambda/<name>.zip).
const (
	fnAuthorizer          = "authorizer"
	fnGetProfile          = "get-profile"
	fnUpdateProfile       = "update-profile"
	fnListOrders          = "list-orders"
	fnGetOrder            = "get-order"
	fnListNFTs            = "list-nfts"
	fnWalletChallenge     = "wallet-challenge"
	fnWalletVerify        = "wallet-verify"
	fnWallets             = "wallets"
	fnCheckoutEmails      = "checkout-emails"
	fnExport              = "export"
	fnStripeWebhook       = "stripe-webhook"
	fnNFTWebhook          = "nft-webhook"
	fnInternalSyncStripe  = "internal-sync-stripe"
	fnInternalSyncNFTs    = "internal-sync-nfts"
	fnInternalFulfillment = "internal-fulfillment"
	fnOrderRefresh        = "order-refresh"
	fnStripeOrderSync     = "stripe-order-sync"
	fnNFTSync             = "nft-sync"
)

// Builders: the lambdafn functions a main passes to lambdafn.Run.
const (
	builderTokenAuthorizer     = "TokenAuthorizer"
	builderAPI                 = "API"
	builderMachineAPI          = "MachineAPI"
	builderRefreshWorker       = "RefreshWorker"
	builderOrderReconciliation = "OrderReconciliation"
	builderNFTPoll             = "NFTPoll"
)

// refreshWorkerTimeout is order-refresh's timeout; the refresh queue's
// visibility timeout is six times it (AWS's advice for SQS event sources).
const refreshWorkerTimeout = 3 * time.Minute

// functionSpecs is the one list of the Lambda functions. What else names
// them is derived from it or held to it by a test:
//
//   - the API Gateway routes (routes, in api.go) come from Routes, and
//     the functions' descriptions of most;
//   - cmd/lambda/<Name>/main.go exists for each spec and no other, runs
//     lambdafn.Run(Name, lambdafn.<Builder>), and its doc comment names
//     the spec's Routes;
//   - the table of functions in lambdafn/doc.go is generated from it (go
//     test -run TestLambdafnDocListsTheFunctions -update, in infra/);
//   - the Go handler's routes (httpapi) are exactly the Routes of all
//     specs plus GET /healthz, which API Gateway answers itself, and its
//     member routes are those of builderAPI functions;
//   - testdata/function-env.txt, every function's environment, which
//     stack_test.go holds the template to and lambdafn's runtime tests
//     start the functions with, lists exactly these functions.
//
// The comment above each access list names the store calls it covers. The
// order of the specs and of their Routes is the order the API's methods are
// added in, which the API deployment's logical id hashes: reordering them
// only makes a new deployment of the same API.
func functionSpecs() []functionSpec {
	return []functionSpec{
		{
			Name: fnAuthorizer, Builder: builderTokenAuthorizer,
			Description: "API Gateway TOKEN authorizer: verifies member JWTs (HS256)",
			MemoryMB:    256, Timeout: 5 * time.Second,
			Env: []string{envAuth},
			// No table, no queue: it only verifies a signature.
		},
		{
			Name: fnGetProfile, Builder: builderAPI,
			Routes:   []string{"GET /dashboard/profile"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			Env: []string{envStore, envHTTP, envMember},
			// GetProfile.
			TableActions: []string{ddbGetItem},
		},
		{
			Name: fnUpdateProfile, Builder: builderAPI,
			Routes:   []string{"PUT /dashboard/profile", "POST /dashboard/update-profile", "POST /dashboard/profile/email/verify"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			Env:       []string{envStore, envHTTP, envMember, envMail},
			SendsMail: true,
			// GetProfile, the owners of the EMAIL# and CHECKOUTEMAIL# lookups
			// (UserIDByEmail, UserIDByCheckoutEmail), the code and the mail
			// rate limit (GetItem); SaveProfile (UpdateItem, or a
			// TransactWriteItems of Update profile + ConditionCheck that no
			// CHECKOUTEMAIL# lookup holds the new address + Update EMAIL#
			// claim + Delete old EMAIL#; TransactWriteItems is not an IAM
			// action: its parts are authorized as UpdateItem/DeleteItem and,
			// inside the transaction only, ConditionCheckItem); SaveCode and
			// TakeRate (PutItem); a code try (UpdateItem); DeleteCode
			// (DeleteItem). A preferredWallet change: the member's wallets
			// (Wallets: Query), the new primary added (AddWallet: keys-only
			// Query, then a TransactWriteItems of two Puts: PutItem), the
			// NFTs made stale (MarkSynced: UpdateItem), an unproven old
			// primary removed (RemoveWallet: GetItem, a TransactWriteItems of
			// Deletes and a ConditionCheck: DeleteItem, ConditionCheckItem;
			// its holdings: Query, BatchWriteItem, and DeleteItem of the
			// marker if that fails), and a primary from before the wallet
			// items takes the member's holdings (RemoveHoldings: Query of the
			// member's NFT# keys, BatchWriteItem deletes).
			TableActions:    []string{ddbGetItem, ddbUpdateItem, ddbPutItem, ddbDeleteItem, ddbQuery, ddbBatchWriteItem},
			TransactionOnly: []string{ddbConditionCheckItem},
		},
		{
			Name: fnListOrders, Builder: builderAPI,
			Routes:   []string{"GET /dashboard/orders"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			Env: []string{envStore, envHTTP, envMember, envStripeFlag, envQueue},
			// ListOrders (one Query that also reads SYNC#STRIPE); queues a
			// refresh when stale.
			TableActions: []string{ddbQuery},
			SendsRefresh: true,
		},
		{
			Name: fnGetOrder, Builder: builderAPI,
			Routes:   []string{"GET /dashboard/orders/{orderId}"},
			MemoryMB: 512, Timeout: 25 * time.Second,
			Env: []string{envStore, envHTTP, envMember, envStripe},
			// A detail read of a missing or stale order: one or two Stripe
			// reads per request, at the members' pace.
			StripeShare: 0.2, StripeProcesses: 2,
			// FindOrder (GSI2); on a miss or stale copy: ownership (GetProfile,
			// UserIDByEmail, UserIDByCheckoutEmail: GetItem;
			// UserIDByStripeCustomer: GSI1; linking the customer: UpdateItem)
			// and the upsert (GetOrder: GetItem, PutOrder: PutItem).
			TableActions: []string{ddbGetItem, ddbPutItem, ddbUpdateItem},
			IndexActions: map[string][]string{gsi1: {ddbQuery}, gsi2: {ddbQuery}},
		},
		{
			Name: fnListNFTs, Builder: builderAPI,
			Routes:   []string{"GET /dashboard/nfts"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			Env: []string{envStore, envHTTP, envMember, envNFTFlag, envQueue},
			// ListHoldings and the member's wallets, Wallets (Query);
			// GetProfile and SyncedAt (GetItem); queues a refresh when stale.
			TableActions: []string{ddbGetItem, ddbQuery},
			SendsRefresh: true,
		},
		{
			Name: fnWalletChallenge, Builder: builderAPI,
			Routes:   []string{"POST /dashboard/wallet/challenge"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			Env: []string{envStore, envHTTP, envMember, envSite},
			// GetProfile; SaveWalletChallenge (conditional PutItem).
			TableActions: []string{ddbGetItem, ddbPutItem},
		},
		{
			Name: fnWalletVerify, Builder: builderAPI,
			Routes:   []string{"POST /dashboard/wallet/verify"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			// ETH_RPC_URL: the primary may be a smart-contract wallet.
			Env: []string{envStore, envHTTP, envMember, envSite, envEthRPC},
			// TakeWalletChallenge (conditional DeleteItem); GetProfile
			// (GetItem); the member's wallets (GetProfile: GetItem; Wallets:
			// Query); a primary without a wallet item yet is added (AddWallet:
			// keys-only Query, then a TransactWriteItems of two Puts:
			// PutItem); VerifyWallet (GetItem, then a TransactWriteItems of
			// Update wallet + Put index item + Update claim: UpdateItem,
			// PutItem); the profile's walletVerifiedAt (GetProfile, SaveProfile:
			// UpdateItem); the NFT marker made stale (MarkSynced: UpdateItem).
			TableActions: []string{ddbGetItem, ddbUpdateItem, ddbDeleteItem, ddbQuery, ddbPutItem},
		},
		{
			Name: fnWallets, Builder: builderAPI,
			Routes: []string{"GET /dashboard/wallets", "POST /dashboard/wallets/challenge", "POST /dashboard/wallets/verify",
				"DELETE /dashboard/wallets/{address}"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			// SITE_ORIGIN names the challenges' domain; ETH_RPC_URL checks a
			// smart-contract wallet's signature. A proof makes the member's
			// NFTs stale rather than queueing a refresh, so no queue.
			Env: []string{envStore, envHTTP, envMember, envSite, envEthRPC},
			// The member's wallets on every route (GetProfile: GetItem;
			// Wallets: Query). Challenge: AddWallet (keys-only Query, then a
			// TransactWriteItems of two Puts: PutItem), SaveWalletChallenge
			// (conditional PutItem). Verify: TakeWalletChallenge (conditional
			// DeleteItem), AddWallet as above, VerifyWallet (GetItem, then a
			// TransactWriteItems of Update + Put + Update: UpdateItem,
			// PutItem), for the primary the profile's walletVerifiedAt
			// (GetProfile, SaveProfile: UpdateItem), MarkSynced (UpdateItem).
			// Delete: RemoveWallet (the claim's GetItem, then a
			// TransactWriteItems of Delete wallet + Delete index item +
			// Delete or ConditionCheck of the claim: DeleteItem, and
			// ConditionCheckItem inside the transaction only; then the
			// wallet's holdings: Query of the member's NFT# keys,
			// BatchWriteItem deletes, and on their failure DeleteItem of the
			// SYNC#NFT marker), for the primary the profile's
			// preferredWallet cleared (GetProfile, SaveProfile: UpdateItem).
			TableActions:    []string{ddbGetItem, ddbQuery, ddbPutItem, ddbUpdateItem, ddbDeleteItem, ddbBatchWriteItem},
			TransactionOnly: []string{ddbConditionCheckItem},
		},
		{
			Name: fnCheckoutEmails, Builder: builderAPI,
			Routes: []string{"GET /dashboard/emails", "POST /dashboard/emails", "POST /dashboard/emails/verify",
				"DELETE /dashboard/emails/{email}"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			// Mails the codes (SES); a verification queues the Stripe sync
			// of the address, which order-refresh performs with the key.
			Env:          []string{envStore, envHTTP, envMember, envMail, envQueue},
			SendsMail:    true,
			SendsRefresh: true,
			// GetProfile, UserIDByEmail, UserIDByCheckoutEmail, GetCode,
			// TakeRate's read, the checkout email read before a verify or a
			// delete (GetItem); CheckoutEmails and the count before an add
			// (Query of the member's CHECKOUTEMAIL# keys); SaveCode,
			// TakeRate, AddCheckoutEmail (PutItem); a code try (UpdateItem);
			// DeleteCode (DeleteItem); VerifyCheckoutEmail (a
			// TransactWriteItems of two Updates and a ConditionCheck that
			// EMAIL# is absent) and DeleteCheckoutEmail (a TransactWriteItems
			// of a Delete and a Delete or ConditionCheck of the lookup):
			// UpdateItem, DeleteItem, and ConditionCheckItem inside the
			// transaction only.
			TableActions:    []string{ddbGetItem, ddbQuery, ddbPutItem, ddbUpdateItem, ddbDeleteItem},
			TransactionOnly: []string{ddbConditionCheckItem},
		},
		{
			Name: fnExport, Builder: builderAPI,
			Routes:   []string{"GET /dashboard/export"},
			MemoryMB: 512, Timeout: 25 * time.Second,
			// Built from the store alone: no Stripe or marketplace key.
			Env: []string{envStore, envHTTP, envMember},
			// TakeRate of LIMIT#EXPORT (GetItem, PutItem), GetProfile
			// (GetItem); CheckoutEmails, the member's wallets (Wallets, which
			// decide the NFTs shown), every page of ListOrders and
			// ListHoldings (Query). The rate limit is its only write.
			TableActions: []string{ddbGetItem, ddbPutItem, ddbQuery},
		},
		{
			Name: fnInternalSyncStripe, Builder: builderMachineAPI,
			Routes:   []string{"POST /internal/sync/stripe"},
			MemoryMB: 512, Timeout: 29 * time.Second,
			Env: []string{envStore, envHTTP, envStripe, envInternal},
			// One member's sync at a time, called by a machine.
			StripeShare: 0.1, StripeProcesses: 1,
			// SyncMemberByID: UserIDByStripeCustomer (GSI1), GetProfile
			// (GetItem), the member's checkout emails (CheckoutEmails: Query
			// of their CHECKOUTEMAIL# keys), ownership of the sessions listed
			// by a checkout email (GetItem, GSI1, UpdateItem), upsert
			// (GetItem, GSI2, PutItem), MarkSynced (UpdateItem).
			TableActions: []string{ddbGetItem, ddbPutItem, ddbUpdateItem, ddbQuery},
			IndexActions: map[string][]string{gsi1: {ddbQuery}, gsi2: {ddbQuery}},
		},
		{
			Name: fnInternalSyncNFTs, Builder: builderMachineAPI,
			Routes:   []string{"POST /internal/sync/nfts"},
			MemoryMB: 512, Timeout: 29 * time.Second,
			Env: []string{envStore, envHTTP, envNFT, envInternal},
			// SyncRequested: GetProfile (GetItem); SyncMember: the member's
			// wallets before and after the marketplace reads (GetProfile:
			// GetItem; Wallets: Query), ReplaceHoldings (Query,
			// BatchWriteItem, MarkSynced: UpdateItem), and when a wallet
			// went meanwhile ReplaceHoldings again or RemoveHoldings (Query,
			// BatchWriteItem). By wallet, the members are found in the wallet
			// index (WalletMembers: one Query), never with a Scan.
			TableActions: []string{ddbGetItem, ddbQuery, ddbBatchWriteItem, ddbUpdateItem},
		},
		{
			Name: fnInternalFulfillment, Builder: builderMachineAPI,
			Routes:   []string{"POST /internal/orders/{orderId}/fulfillment"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			// Mails the member when a parcel ships or arrives (SES).
			Env:       []string{envStore, envHTTP, envInternal, envMail},
			SendsMail: true,
			// Fulfil: FindOrder (GSI2), PutOrder (conditional PutItem), and
			// for the mail GetProfile (GetItem).
			TableActions: []string{ddbGetItem, ddbPutItem},
			IndexActions: map[string][]string{gsi2: {ddbQuery}},
		},
		{
			Name: fnStripeWebhook, Builder: builderMachineAPI,
			Routes:      []string{"POST /webhooks/stripe", "POST /stripe/webhook"},
			Description: "POST /webhooks/stripe and /stripe/webhook",
			MemoryMB:    512, Timeout: 25 * time.Second,
			// STRIPE_SECRET too: a verified event is re-read from Stripe
			// (the session, and for refunds the sessions of the payment
			// intent) rather than trusted as sent.
			Env: []string{envStore, envHTTP, envStripe, envStripeWebhook},
			// One or two reads per event, at Stripe's delivery pace.
			StripeShare: 0.2, StripeProcesses: 2,
			// EventProcessed (GetItem), ownership (GetProfile, UserIDByEmail,
			// UserIDByCheckoutEmail: GetItem; GSI1; linking the customer:
			// UpdateItem), upsert (GetItem, GSI2, PutItem),
			// MarkEventProcessed (PutItem).
			TableActions: []string{ddbGetItem, ddbPutItem, ddbUpdateItem},
			IndexActions: map[string][]string{gsi1: {ddbQuery}, gsi2: {ddbQuery}},
		},
		{
			Name: fnNFTWebhook, Builder: builderMachineAPI,
			Routes:   []string{"POST /webhooks/nfts"},
			MemoryMB: 256, Timeout: 10 * time.Second,
			// No NFT_API_KEY: it verifies the signature and queues a
			// refresh; order-refresh calls the marketplace.
			Env: []string{envStore, envHTTP, envNFTWebhook, envQueue},
			// Verifies the signature and queues a refresh per wallet: no table.
			SendsRefresh: true,
		},
		{
			Name: fnOrderRefresh, Builder: builderRefreshWorker,
			Description: "Refresh queue worker (orders, NFTs, reconciliation windows, NFT poll shards), partial batch failures",
			MemoryMB:    512, Timeout: refreshWorkerTimeout,
			Env: []string{envStore, envStripe, envNFT, envQueue},
			// An NFT poll shard that runs out of time queues its
			// continuation on the refresh queue.
			SendsRefresh: true,
			// Member syncs and the reconciliation's windows: half the
			// budget, split over the event source's maximum concurrency.
			StripeShare: 0.5, StripeProcesses: refreshMaxConcurrency,
			// Reconciliation windows: the window's checkpoint
			// (ReconcileCheckpoint: GetItem; SaveReconcileCheckpoint:
			// conditional PutItem), ownership and upsert as below.
			// Orders: SyncedAt, GetProfile (GetItem), the member's checkout
			// emails (CheckoutEmails: Query), ownership of the sessions a
			// checkout email lists (GetProfile, UserIDByEmail,
			// UserIDByCheckoutEmail: GetItem; UserIDByStripeCustomer: GSI1;
			// linking the customer: UpdateItem), upsert (GetItem, GSI2,
			// PutItem), MarkSynced (UpdateItem). NFTs: SyncedAt, GetProfile
			// (GetItem), the member's wallets (Wallets: Query),
			// ReplaceHoldings or RemoveHoldings (Query, BatchWriteItem,
			// UpdateItem); a wallet's members come from the wallet index
			// (WalletMembers: Query), never a Scan. NFT poll shards: the
			// shard's wallet-index items (EachShardWalletMember: GSI1
			// Query), then per member SyncedAt and the sync above.
			// Consuming the queue is granted by the event source mapping.
			TableActions: []string{ddbGetItem, ddbPutItem, ddbUpdateItem, ddbQuery, ddbBatchWriteItem},
			IndexActions: map[string][]string{gsi1: {ddbQuery}, gsi2: {ddbQuery}},
		},
		{
			Name: fnStripeOrderSync, Builder: builderOrderReconciliation,
			Description: "Nightly Stripe reconciliation planner (02:00 UTC): queues its windows for order-refresh",
			MemoryMB:    256, Timeout: 5 * time.Minute,
			// It plans and queues; order-refresh reads Stripe. So no
			// Stripe key: STRIPE_ENABLED says Stripe is on.
			Env:          []string{envStore, envStripeFlag, envQueue},
			SendsRefresh: true,
			// PlanReconciliation: LatestReconcileRun and Watermark
			// (GetItem), the previous run's checkpoints (ReconcileCheckpoints:
			// Query of RECONCILE#<runId>), SetWatermark (UpdateItem),
			// SaveReconcileRun (PutItem); one SendMessage per window.
			TableActions: []string{ddbGetItem, ddbQuery, ddbUpdateItem, ddbPutItem},
		},
		{
			Name: fnNFTSync, Builder: builderNFTPoll,
			Description: "Hourly NFT poll planner: queues one unit per wallet shard for order-refresh",
			MemoryMB:    256, Timeout: time.Minute,
			// It plans and queues; order-refresh reads the marketplace
			// and the table. So no marketplace key (NFT_ENABLED says the
			// marketplace is on) and no table access: one SendMessage per
			// wallet shard.
			Env:          []string{envStore, envNFTFlag, envQueue},
			SendsRefresh: true,
		},
	}
}

// isRoute reports whether API Gateway invokes the function through a route
// (the authorizer is invoked as an authorizer, not a route).
func (f functionSpec) isRoute() bool { return len(f.Routes) > 0 }

// description is the function's description on AWS.
func (f functionSpec) description() string {
	if f.Description != "" {
		return f.Description
	}
	return strings.Join(f.Routes, ", ")
}

func (f functionSpec) hasEnv(group string) bool {
	for _, e := range f.Env {
		if e == group {
			return true
		}
	}
	return false
}

// retention maps a number of days to a CloudWatch Logs retention.
func retention(days int) (awslogs.RetentionDays, error) {
	m := map[int]awslogs.RetentionDays{
		1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
		7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
		60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS,
		120: awslogs.RetentionDays_FOUR_MONTHS, 150: awslogs.RetentionDays_FIVE_MONTHS,
		180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
		400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS,
		731: awslogs.RetentionDays_TWO_YEARS, 1096: awslogs.RetentionDays_THREE_YEARS,
		1827: awslogs.RetentionDays_FIVE_YEARS,
	}
	r, ok := m[days]
	if !ok {
		return "", fmt.Errorf("logRetentionDays %d is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)", days)
	}
	return r, nil
}
