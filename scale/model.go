package main

import (
	"fmt"
	"io"
	"strings"
)

// The cost and capacity model of docs/scale.md, computed over the run's
// measured inputs so that the doc's results table is this program's
// output, not a calculation done by hand. The prices and usage assumptions
// are the doc's tables; change one there and here together.

// Prices, us-east-1, public on-demand (docs/scale.md names the sources).
const (
	priceLambdaGBs  = 0.0000133334 // per GB-s, arm64
	priceLambdaReq  = 0.20 / 1e6
	priceAPIRest    = 3.50 / 1e6
	priceAPIHTTP    = 1.00 / 1e6
	priceRRU        = 0.125 / 1e6
	priceWRU        = 0.625 / 1e6
	priceStorageGB  = 0.25 // per GB-month after the free 25 GB
	priceSQS        = 0.40 / 1e6
	priceSESPerMail = 0.10 / 1000
)

// Usage assumptions per month (docs/scale.md, "Usage assumptions").
const (
	activeShare     = 0.4  // a: members who visit in a month
	visitsPerActive = 4.0  // v
	walletShare     = 0.45 // w: members with a wallet
	ordersPerMember = 0.25 // o: new orders a month
	paidShare       = 0.82
	notifiedShare   = 0.85
	pollsPerMonth   = 24 * 30
	verifyMails     = 0.02 // per member
	profileUpdates  = 0.05 // per member
	staleDetail     = 0.84 // s: order-detail views that find the order stale
	apiMillis       = 10.0
	authMillis      = 2.0
	hookMillis      = 150.0
	upstreamMillis  = 200.0 // one Stripe or marketplace call
	dynamoRTTMillis = 5.0
	workerBatch     = 5.0 // SQS batch size of the refresh worker
	pollUnits       = 16  // wallet shards: queued messages per poll
	orderWRU        = 2.0 // an order's table WRU (≈ 1.25 KB)
	indexCopies     = 1.8 // stored bytes × this for GSI2 and GSI3 copies
)

// requestMix is API requests per visit, by route (the scale harness's route
// names).
var requestMix = []struct {
	route string
	per   float64
}{
	{"GET /dashboard/profile", 1}, {"GET /dashboard/orders (first page)", 1}, {"GET /dashboard/orders (deep page)", 0.2},
	{"GET /dashboard/orders/{id}", 0.5}, {"GET /dashboard/nfts", 1}, {"GET /dashboard/nfts?collectionId=", 0.2},
	{"GET /dashboard/wallets", 0.3}, {"GET /dashboard/emails", 0.2},
}

// perItem is one job's measured DynamoDB cost per item.
type perItem struct{ calls, rcu, wcu float64 }

// modelInputs are what the model takes from a run.
type modelInputs struct {
	routeRCU       map[string]float64 // by requestMix route
	memberPoll     perItem            // one member polled (table units; its holdings' GSI3 writes are doubled below)
	memberSync     perItem            // one member's incremental Stripe sync
	reconciled     perItem            // one new session filed by the reconciliation
	bytesPerMember float64
}

// inputsOf gathers the model's inputs from the run's tables; ok is false
// when a route or job it needs is missing (a partial run).
func inputsOf(routes []route, full []routeResult, jobs []jobResult, size tableSize, members int) (modelInputs, bool) {
	in := modelInputs{routeRCU: map[string]float64{}}
	for _, m := range requestMix {
		for i, rt := range routes {
			if strings.HasPrefix(rt.name, m.route) {
				in.routeRCU[m.route] = full[i].rcu
				break
			}
		}
	}
	job := func(prefix string) (perItem, bool) {
		for _, j := range jobs {
			if strings.HasPrefix(j.name, prefix) && j.dynamo != nil && j.items > 0 {
				n := float64(j.items)
				return perItem{float64(j.dynamo.Calls) / n, j.dynamo.RCU / n, j.dynamo.WCU / n}, true
			}
		}
		return perItem{}, false
	}
	var okPoll, okSync, okRecon bool
	in.memberPoll, okPoll = job("NFT poll")
	in.memberSync, okSync = job("member sync")
	in.reconciled, okRecon = job("reconciliation")
	if members > 0 {
		in.bytesPerMember = float64(size.bytes) / float64(members)
	}
	return in, okPoll && okSync && okRecon && len(in.routeRCU) == len(requestMix) && in.bytesPerMember > 0
}

// monthOf is one month of a club of n members.
type monthOf struct {
	visits, api, lambdaInv, gbs, rru, wru, pollWRU, memberPolls, stripe, sqs, mails, storageGB float64
	lambda, apiRest, apiHTTP, reads, writes, storage, sqsCost, ses, total                      float64
}

// month applies docs/scale.md's formulas to a club of n members. The
// member-poll's writes count as measured (the marker, and the holdings
// that changed, which carry a GSI3 key and so cost as much again there):
// the run's club is unchanged between polls, so that is the marker alone.
func (in modelInputs) month(n float64) monthOf {
	var m monthOf
	m.visits = n * activeShare * visitsPerActive
	mixRCU, perVisit := 0.0, 0.0
	for _, r := range requestMix {
		mixRCU += r.per * in.routeRCU[r.route]
		perVisit += r.per
	}
	m.api = m.visits * perVisit
	m.rru = m.visits * mixRCU
	// A stale order detail: a Stripe read and the order rewritten (table + GSI2).
	staleDetails := m.visits * 0.5 * staleDetail
	m.wru += staleDetails * orderWRU * 2
	// Each visit refreshes the orders, and the NFTs of a member with a wallet.
	orderRefreshes, nftRefreshes := m.visits, m.visits*walletShare
	m.rru += orderRefreshes*in.memberSync.rcu + nftRefreshes*in.memberPoll.rcu
	m.wru += orderRefreshes*in.memberSync.wcu + nftRefreshes*in.memberPoll.wcu
	// The hourly poll.
	m.memberPolls = n * walletShare * pollsPerMonth
	m.pollWRU = m.memberPolls * in.memberPoll.wcu
	m.rru += m.memberPolls * in.memberPoll.rcu
	m.wru += m.pollWRU
	// New orders: the webhook's write (table + GSI2) and 2 event items, the
	// reconciliation's read, 2 fulfilment writes of paid orders.
	orders := n * ordersPerMember
	m.wru += orders * (in.reconciled.wcu*2 + 2 + paidShare*2*orderWRU*2)
	m.rru += orders * (in.reconciled.rcu + 1.5 + paidShare*2)
	m.wru += n * profileUpdates * 2
	m.rru += n * profileUpdates
	// Lambda: API reads, the authorizer, webhooks and fulfilment, the
	// refresh worker (refreshes and poll units), the poll's planner.
	hooks := orders*2 + orders*paidShare*2
	workerMillis := orderRefreshes*(in.memberSync.calls*dynamoRTTMillis+upstreamMillis) +
		(nftRefreshes+m.memberPolls)*(in.memberPoll.calls*dynamoRTTMillis+upstreamMillis)
	m.gbs = (m.api*apiMillis*0.25 + m.visits*authMillis*0.25 + hooks*hookMillis*0.5 + workerMillis*0.5) / 1000
	queued := orderRefreshes + nftRefreshes + pollsPerMonth*pollUnits
	m.lambdaInv = m.api + m.visits + hooks + queued/workerBatch + pollsPerMonth
	m.sqs = queued * 3 // send, receive, delete
	m.stripe = orderRefreshes + staleDetails + orders*2
	m.mails = n*verifyMails + orders*paidShare*2*notifiedShare
	m.storageGB = n * in.bytesPerMember * indexCopies / 1e9

	m.lambda = m.gbs*priceLambdaGBs + m.lambdaInv*priceLambdaReq
	gateway := m.api + hooks
	m.apiRest, m.apiHTTP = gateway*priceAPIRest, gateway*priceAPIHTTP
	m.reads, m.writes = m.rru*priceRRU, m.wru*priceWRU
	m.storage = max(0, m.storageGB-25) * priceStorageGB
	m.sqsCost = max(0, m.sqs-1e6) * priceSQS
	m.ses = m.mails * priceSESPerMail
	m.total = m.lambda + m.apiRest + m.reads + m.writes + m.storage + m.sqsCost + m.ses
	return m
}

// printModel prints the model's results for 10,000, 100,000 and 1,000,000
// members.
func printModel(w io.Writer, in modelInputs) {
	sizes := []float64{10_000, 100_000, 1_000_000}
	ms := make([]monthOf, len(sizes))
	for i, n := range sizes {
		ms[i] = in.month(n)
	}
	fmt.Fprintln(w, "## Cost model (docs/scale.md's formulas over this run's measured inputs)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Inputs: RCU per request %s; a member-poll %.2f calls, %.2f RCU, %.2f WCU; a member sync %.2f calls, %.2f RCU, %.2f WCU; "+
		"a reconciled session %.2f RCU, %.2f WCU; %.0f stored bytes a member.\n\n",
		routeRCUs(in), in.memberPoll.calls, in.memberPoll.rcu, in.memberPoll.wcu, in.memberSync.calls, in.memberSync.rcu,
		in.memberSync.wcu, in.reconciled.rcu, in.reconciled.wcu, in.bytesPerMember)
	fmt.Fprintln(w, "| per month | 10,000 members | 100,000 members | 1,000,000 members |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	row := func(name string, f func(monthOf) string) {
		cells := make([]string, len(ms))
		for i := range ms {
			cells[i] = f(ms[i])
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	count := func(v float64) string { return group(fmt.Sprintf("%.0f", v)) }
	dollars := func(v float64) string { return "$" + group(fmt.Sprintf("%.2f", v)) }
	row("visits V", func(m monthOf) string { return count(m.visits) })
	row("API requests (member routes)", func(m monthOf) string { return count(m.api) })
	row("Lambda invocations", func(m monthOf) string { return count(m.lambdaInv) })
	row("Lambda GB-s", func(m monthOf) string { return count(m.gbs) })
	row("DynamoDB RRU", func(m monthOf) string { return count(m.rru) })
	row("DynamoDB WRU", func(m monthOf) string { return count(m.wru) })
	row("of which the hourly poll (WRU)", func(m monthOf) string { return count(m.pollWRU) })
	row("member-polls (marketplace calls)", func(m monthOf) string { return count(m.memberPolls) })
	row("Stripe calls (refreshes, stale details, webhooks)", func(m monthOf) string { return count(m.stripe) })
	row("SQS requests", func(m monthOf) string { return count(m.sqs) })
	row("mails", func(m monthOf) string { return count(m.mails) })
	row("stored GB (with index copies)", func(m monthOf) string { return fmt.Sprintf("%.1f", m.storageGB) })
	row("**Lambda** (arm64)", func(m monthOf) string { return dollars(m.lambda) })
	row("**API Gateway** REST (HTTP API would be)", func(m monthOf) string { return dollars(m.apiRest) + " (" + dollars(m.apiHTTP) + ")" })
	row("**DynamoDB reads**", func(m monthOf) string { return dollars(m.reads) })
	row("**DynamoDB writes**", func(m monthOf) string { return dollars(m.writes) })
	row("**DynamoDB storage** (after the free 25 GB)", func(m monthOf) string { return dollars(m.storage) })
	row("**SQS** (after the free million)", func(m monthOf) string { return dollars(m.sqsCost) })
	row("**SES**", func(m monthOf) string { return dollars(m.ses) })
	row("**total**", func(m monthOf) string { return "**" + dollars(m.total) + "**" })
	fmt.Fprintln(w)
}

// routeRCUs lists the mix's read units per request, in the mix's order.
func routeRCUs(in modelInputs) string {
	parts := make([]string, len(requestMix))
	for i, r := range requestMix {
		parts[i] = fmt.Sprintf("%s %.2f", strings.TrimPrefix(r.route, "GET /dashboard/"), in.routeRCU[r.route])
	}
	return strings.Join(parts, ", ")
}

// group puts thousands separators into a decimal number.
func group(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}
