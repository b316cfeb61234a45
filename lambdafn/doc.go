// Package lambdafn adapts the dashboard to AWS Lambda: the API Gateway REST
// proxy for the HTTP API, the TOKEN authorizer, the SQS refresh worker and
// the EventBridge schedules. Every adapter is a thin wrapper over code the
// local `dashboard serve` runs too (httpapi.Server, auth.Verifier,
// queue.HandleBatch, the reconciliation's planning and windows in orders,
// nfts.Poll), so both deployments behave the same and tests of one cover
// the other.
//
// Each cmd/lambda/<name> main is one line: Run(name, builder). Run is the
// cold start: it reads the environment once per process, sets slog's
// default to the JSON logger, builds what the builder needs (for most,
// app.New on DynamoDB — never the embedded store) and only then starts the
// Lambda loop, so invocations pay for none of it. A cold start that fails is
// reported to the Runtime API's init/error endpoint and the process exits.
//
// infra/functions.go (functionSpecs) is the one list of the functions:
// their builders, routes, settings and access. The table below is generated
// from it (in infra/: go test -run TestLambdafnDocListsTheFunctions
// -update), and the infra tests fail when it, a cmd/lambda main or the
// routes of httpapi disagree with it.
//
// The functions of the plan, their builders and what each serves:
//
//	authorizer            TokenAuthorizer      API Gateway TOKEN authorizer: verifies member JWTs (HS256)
//	get-profile           API                  GET  /dashboard/profile
//	update-profile        API                  PUT  /dashboard/profile, POST /dashboard/update-profile, POST /dashboard/profile/email/verify
//	list-orders           API                  GET  /dashboard/orders
//	get-order             API                  GET  /dashboard/orders/{orderId}
//	list-nfts             API                  GET  /dashboard/nfts
//	wallet-challenge      API                  POST /dashboard/wallet/challenge
//	wallet-verify         API                  POST /dashboard/wallet/verify
//	wallets               API                  GET  /dashboard/wallets, POST /dashboard/wallets/challenge, POST /dashboard/wallets/verify, DELETE /dashboard/wallets/{address}
//	checkout-emails       API                  GET  /dashboard/emails, POST /dashboard/emails, POST /dashboard/emails/verify, DELETE /dashboard/emails/{email}
//	export                API                  GET  /dashboard/export
//	internal-sync-stripe  MachineAPI           POST /internal/sync/stripe
//	internal-sync-nfts    MachineAPI           POST /internal/sync/nfts
//	internal-fulfillment  MachineAPI           POST /internal/orders/{orderId}/fulfillment
//	stripe-webhook        MachineAPI           POST /webhooks/stripe, POST /stripe/webhook
//	nft-webhook           MachineAPI           POST /webhooks/nfts
//	order-refresh         RefreshWorker        Refresh queue worker (orders, NFTs, reconciliation windows, NFT poll shards), partial batch failures
//	stripe-order-sync     OrderReconciliation  Nightly Stripe reconciliation planner (02:00 UTC): queues its windows for order-refresh
//	nft-sync              NFTPoll              Hourly NFT poll planner: queues one unit per wallet shard for order-refresh
//
// API and MachineAPI differ only in what they insist on: the member-facing
// functions need CURSOR_SECRET, the ones machines call hold no key they do
// not use (CONTRACT §7).
//
// Every HTTP function serves the whole httpapi handler, not only its route:
// routing inside is a map lookup, there is one code path to test, and the
// API Gateway resource → function mapping decides what reaches each
// function. A request a function was not meant for still gets the API's own
// answer (its status and error body), never a different behaviour.
//
// Metrics are CloudWatch Embedded Metric Format lines on stdout (obs.Metrics),
// flushed at the end of every invocation: Requests, Errors, Latency for all,
// UpstreamCalls / UpstreamFailures per upstream (dynamodb, stripe,
// marketplace) counted at the store and adapter interfaces, the sync counts
// for the worker and schedules, AuthorizerDenied for the authorizer. A
// refusal is a function error to Lambda (it is how a TOKEN authorizer says
// 401), so the authorizer's alarm belongs on our Errors metric, which counts
// only its real failures, not on AWS/Lambda Errors.
package lambdafn
