package markettest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"
)

// SignatureHeader is the header SignWebhook's value goes in.
const SignatureHeader = "X-Alchemy-Signature"

// SignWebhook returns the X-Alchemy-Signature of body under secret: the
// hex-encoded HMAC-SHA256 of the raw bytes, as Alchemy Notify signs them.
func SignWebhook(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Notify builds an Alchemy Notify payload:
//
//	body := markettest.NFTActivity("ETH_MAINNET").
//		Transfer(babes, "7", seller, buyer).
//		Transfer1155(editions, "3", 2, markettest.ZeroAddress, buyer). // a mint
//		JSON()
//	req.Header.Set(markettest.SignatureHeader, markettest.SignWebhook(secret, body))
type Notify struct {
	typ, network string
	activity     []map[string]any
}

// ZeroAddress is the sender of a mint and the receiver of a burn.
const ZeroAddress = "0x0000000000000000000000000000000000000000"

var eventSeq atomic.Int64

// NFTActivity starts an NFT_ACTIVITY payload on network ("ETH_MAINNET"
// when empty).
func NFTActivity(network string) *Notify { return newNotify("NFT_ACTIVITY", network) }

// AddressActivity starts an ADDRESS_ACTIVITY payload on network.
func AddressActivity(network string) *Notify { return newNotify("ADDRESS_ACTIVITY", network) }

// NewNotify starts a payload of any type, for the types the dashboard
// does not act on (MINED_TRANSACTION …).
func NewNotify(typ, network string) *Notify { return newNotify(typ, network) }

func newNotify(typ, network string) *Notify {
	if network == "" {
		network = "ETH_MAINNET"
	}
	return &Notify{typ: typ, network: network}
}

// Transfer adds an ERC-721 transfer of tokenID (decimal) of contract.
func (n *Notify) Transfer(contract, tokenID, from, to string) *Notify {
	a := n.base(contract, from, to, "erc721")
	a["erc721TokenId"] = hexID(tokenID)
	n.activity = append(n.activity, a)
	return n
}

// Transfer1155 adds an ERC-1155 transfer of value units of tokenID.
func (n *Notify) Transfer1155(contract, tokenID string, value int64, from, to string) *Notify {
	a := n.base(contract, from, to, "erc1155")
	a["erc1155Metadata"] = []map[string]any{{"tokenId": hexID(tokenID), "value": fmt.Sprintf("0x%x", value)}}
	n.activity = append(n.activity, a)
	return n
}

// Activity adds a raw activity entry, for shapes the helpers above do not
// produce.
func (n *Notify) Activity(entry map[string]any) *Notify {
	n.activity = append(n.activity, entry)
	return n
}

func (n *Notify) base(contract, from, to, category string) map[string]any {
	hash := fmt.Sprintf("0x%064x", eventSeq.Add(1))
	a := map[string]any{
		"fromAddress": from,
		"toAddress":   to,
		"blockNum":    "0x1310fe1",
		"hash":        hash,
		"category":    category,
		"log": map[string]any{
			"address": contract, "topics": []string{}, "data": "0x", "blockNumber": "0x1310fe1",
			"transactionHash": hash, "transactionIndex": "0x0", "logIndex": "0x0", "removed": false,
		},
	}
	if n.typ == "ADDRESS_ACTIVITY" {
		a["asset"] = nil
		a["value"] = 0
		a["rawContract"] = map[string]any{"rawValue": "0x", "address": contract, "decimals": nil}
	} else {
		a["contractAddress"] = contract
	}
	return a
}

// JSON renders the payload as Alchemy delivers it.
func (n *Notify) JSON() []byte {
	activity := n.activity
	if activity == nil {
		activity = []map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{
		"webhookId": "wh_marketfake",
		"id":        fmt.Sprintf("whevt_%d", eventSeq.Add(1)),
		"createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"type":      n.typ,
		"event":     map[string]any{"network": n.network, "activity": activity},
	})
	return b
}

// hexID turns a decimal token id into the 0x-hex form Notify uses (the
// input unchanged when it is not decimal).
func hexID(decimal string) string {
	v, ok := new(big.Int).SetString(decimal, 10)
	if !ok {
		return decimal
	}
	return "0x" + v.Text(16)
}
