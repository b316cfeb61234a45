// Command checkout-emails is the Lambda function behind GET
// /dashboard/emails, POST /dashboard/emails, POST /dashboard/emails/verify
// and DELETE /dashboard/emails/{email}: a member's checkout emails, whose
// codes it mails and whose verification queues a Stripe sync of the
// address. Like every HTTP function it serves the whole API, and API
// Gateway sends it only its own paths. Its main is one line because package
// lambdafn holds the cold start and the adapters, so every function is
// built, configured and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("checkout-emails", lambdafn.API) }
