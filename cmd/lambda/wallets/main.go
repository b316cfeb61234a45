// Command wallets is the Lambda function behind GET /dashboard/wallets,
// POST /dashboard/wallets/challenge, POST /dashboard/wallets/verify and
// DELETE /dashboard/wallets/{address}: a member's wallets (at most five),
// each proven with a Sign-In with Ethereum challenge — by its key, or for a
// smart-contract wallet through ETH_RPC_URL — and removed with its NFTs.
// Like every HTTP function it serves the whole API, and API Gateway sends
// it only its own paths. Its main is one line because package lambdafn
// holds the cold start and the adapters, so every function is built,
// configured and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("wallets", lambdafn.API) }
