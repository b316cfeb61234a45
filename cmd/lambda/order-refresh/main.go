// Command order-refresh is the Lambda function that consumes the refresh
// queue (SQS): it syncs members from Stripe and the marketplace and reports
// partial batch failures. Its main is one line because package lambdafn
// holds the cold start and the adapters, so every function is built,
// configured and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("order-refresh", lambdafn.RefreshWorker) }
