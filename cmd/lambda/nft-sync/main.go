// Command nft-sync is the Lambda function of the hourly NFT poll of every
// member's wallet, started by EventBridge. Its main is one line because
// package lambdafn holds the cold start and the adapters, so every function
// is built, configured and tested the same way.
package main

import "github.com/thebabesclub/dashboard/lambdafn"

func main() { lambdafn.Run("nft-sync", lambdafn.NFTPoll) }
