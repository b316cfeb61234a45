// Command internal-fulfillment is the Lambda function behind POST
// /internal/orders/{orderId}/fulfillment: the club's fulfilment tooling
// recording where a parcel is, which mails the member when it ships or
// arrives. Like every HTTP function it serves the whole API, and API
// Gateway sends it only its own paths. Its main is one line because package
// lambdafn holds the cold start and the adapters, so every function is
// built, configured and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("internal-fulfillment", lambdafn.MachineAPI) }
