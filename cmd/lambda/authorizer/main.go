// Command authorizer is the Lambda function of the API Gateway TOKEN
// authorizer in front of every /dashboard/ route: it verifies the member's
// JWT and gives API Gateway the member id and claims. Its main is one line
// because package lambdafn holds the cold start and the adapters, so every
// function is built, configured and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("authorizer", lambdafn.TokenAuthorizer) }
