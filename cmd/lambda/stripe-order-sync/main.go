// Command stripe-order-sync is the Lambda function of the nightly (02:00
// UTC) reconciliation of Stripe's Checkout Sessions, started by
// EventBridge. Its main is one line because package lambdafn holds the cold
// start and the adapters, so every function is built, configured and tested
// the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("stripe-order-sync", lambdafn.OrderReconciliation) }
