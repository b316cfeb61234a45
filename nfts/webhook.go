package nfts

import (
	dashboard "github.com/thebabesclub/dashboard"
)

// AcceptsWebhooks reports whether the marketplace webhook route exists:
// only with Webhooks (NFT_WEBHOOK_SECRET) to verify its deliveries.
func (s *Service) AcceptsWebhooks() bool { return s.Webhooks != nil }

// WebhookWallets verifies one marketplace webhook delivery (POST
// /webhooks/nfts) through Webhooks and returns the wallets whose holdings it
// says changed; the caller queues a refresh of each, because the delivery
// itself is never trusted for what a wallet holds. Without Webhooks the
// route does not exist (ENOTFOUND). A bad signature or an unreadable body is
// EINVALIDREQUEST with no wallets, so a forged delivery queues nothing.
func (s *Service) WebhookWallets(body []byte, signature string) ([]string, error) {
	if s.Webhooks == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such route.")
	}
	wallets, err := s.Webhooks.ParseWebhook(body, signature)
	if err != nil {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "The webhook signature or body is not valid.")
	}
	return wallets, nil
}
