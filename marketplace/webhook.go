package marketplace

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/thebabesclub/dashboard"
)

// SignatureHeader carries an Alchemy Notify webhook's signature: the
// hex-encoded HMAC-SHA256 of the raw request body under the webhook's
// signing key (NFT_WEBHOOK_SECRET).
const SignatureHeader = "X-Alchemy-Signature"

// Notify webhook types whose activity names wallets.
const (
	WebhookNFTActivity     = "NFT_ACTIVITY"
	WebhookAddressActivity = "ADDRESS_ACTIVITY"
)

// zeroAddress is the from of a mint and the to of a burn: nobody to sync.
const zeroAddress = "0x0000000000000000000000000000000000000000"

// Webhooks is the dashboard.MarketplaceWebhooks of Alchemy Notify: it
// verifies a delivery's X-Alchemy-Signature under Secret
// (NFT_WEBHOOK_SECRET) and reads the wallets it names. It needs no API key
// and makes no request, so the webhook function holds only the secret.
type Webhooks struct {
	Secret []byte
}

var _ dashboard.MarketplaceWebhooks = Webhooks{}

// ParseWebhook verifies the delivery (VerifyWebhook) and returns the
// wallets it names (WebhookWallets).
func (w Webhooks) ParseWebhook(body []byte, signature string) ([]string, error) {
	if err := VerifyWebhook(w.Secret, body, signature); err != nil {
		return nil, err
	}
	return WebhookWallets(body)
}

// VerifyWebhook checks signature (the X-Alchemy-Signature header) against
// the HMAC-SHA256 of the raw body under secret, in constant time. The
// body must be the bytes as received: re-encoded JSON would not match.
// Any failure is EUNAUTHORIZED, and an empty secret refuses everything, so
// a deployment without NFT_WEBHOOK_SECRET cannot be driven by anyone.
func VerifyWebhook(secret, body []byte, signature string) error {
	if len(secret) == 0 {
		return dashboard.Errorf(dashboard.EUNAUTHORIZED, "Webhook signatures cannot be checked: no signing secret is configured.")
	}
	signature = strings.TrimSpace(signature)
	if signature == "" {
		return dashboard.Errorf(dashboard.EUNAUTHORIZED, "The webhook signature is missing.")
	}
	got, err := hex.DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return dashboard.Errorf(dashboard.EUNAUTHORIZED, "The webhook signature is malformed.")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return dashboard.Errorf(dashboard.EUNAUTHORIZED, "The webhook signature does not match.")
	}
	return nil
}

// notifyPayload is an Alchemy Notify delivery, with what WebhookWallets
// reads of it.
type notifyPayload struct {
	Type  string `json:"type"`
	Event *struct {
		Activity *[]struct {
			FromAddress *string `json:"fromAddress"`
			ToAddress   *string `json:"toAddress"`
		} `json:"activity"`
	} `json:"event"`
}

// WebhookWallets returns the distinct wallets a verified Notify payload
// names as sender or receiver of its activity, lower-cased, without the
// zero address and without strings that are not addresses; they are the
// wallets to sync again. A payload that is not a Notify object, or whose
// NFT_ACTIVITY or ADDRESS_ACTIVITY event lacks its activity list, is
// EINVALIDREQUEST. Other webhook types carry no transfers to act on: they
// yield no wallets and no error, so the handler acknowledges them instead
// of making Alchemy redeliver them.
func WebhookWallets(body []byte) ([]string, error) {
	var p notifyPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "The webhook payload is not a Notify JSON object.")
	}
	if p.Type != WebhookNFTActivity && p.Type != WebhookAddressActivity {
		if p.Type == "" {
			return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "The webhook payload has no type.")
		}
		return []string{}, nil
	}
	if p.Event == nil || p.Event.Activity == nil {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "The webhook payload has no event activity.")
	}
	out := []string{}
	seen := map[string]bool{}
	add := func(a *string) {
		if a == nil || !isAddress(*a) {
			return
		}
		w := strings.ToLower(*a)
		if w == zeroAddress || seen[w] {
			return
		}
		seen[w] = true
		out = append(out, w)
	}
	for _, act := range *p.Event.Activity {
		add(act.FromAddress)
		add(act.ToAddress)
	}
	return out, nil
}
