// Command export is the Lambda function behind GET /dashboard/export: the
// member's data as one JSON download, built from the store alone. Like
// every HTTP function it serves the whole API, and API Gateway sends it
// only its own paths. Its main is one line because package lambdafn holds
// the cold start and the adapters, so every function is built, configured
// and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("export", lambdafn.API) }
