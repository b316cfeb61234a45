package httpapi

import (
	"net/http"

	dashboard "github.com/thebabesclub/dashboard"
)

func (s *Server) handleListNFTs(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	q := query(r)
	limit, err := parseLimit(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.NFTs.List(r.Context(), m, q.Get("collectionId"), limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
	s.queueAfterResponse(w, r, list.Refresh)
}

// handleWalletChallenge serves POST /dashboard/wallet/challenge. It takes no
// body: the wallet is the profile's, and the site the message names is
// SITE_ORIGIN, never the request's Host or Origin.
func (s *Server) handleWalletChallenge(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	c, err := s.NFTs.Challenge(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

type walletVerifyRequest struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

// check refuses a request without a message or a signature.
func (req walletVerifyRequest) check() error {
	if req.Message == "" || req.Signature == "" {
		return &dashboard.Error{Code: dashboard.EVALIDATION, Message: "message and signature are required.",
			Fields: map[string]string{"message": "Required.", "signature": "Required."}}
	}
	return nil
}

func (s *Server) handleWalletVerify(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	var req walletVerifyRequest
	if !s.decodeRequest(w, r, &req, "Send a JSON object with message and signature.") {
		return
	}
	if err := req.check(); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.NFTs.Verify(r.Context(), m, req.Message, req.Signature)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

type nftSyncRequest struct {
	UserID string `json:"userId"`
	Wallet string `json:"wallet"`
}

// handleSyncNFTs serves POST /internal/sync/nfts: a forced sync of one
// member or of every member with one wallet.
func (s *Server) handleSyncNFTs(w http.ResponseWriter, r *http.Request) {
	var req nftSyncRequest
	if !s.decodeRequest(w, r, &req, "Send a JSON object with userId or wallet.") {
		return
	}
	res, err := s.NFTs.SyncRequested(r.Context(), req.UserID, req.Wallet)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// handleNFTWebhook serves POST /webhooks/nfts: a marketplace notification,
// signed with NFT_WEBHOOK_SECRET, that queues a sync of each wallet it
// names (nfts.Service.WebhookWallets verifies it). The route does not exist
// unless the service accepts webhooks, whatever the body. The sync runs in the
// background; a queue failure is a 5xx so the sender retries.
func (s *Server) handleNFTWebhook(w http.ResponseWriter, r *http.Request) {
	if s.NFTs == nil || !s.NFTs.AcceptsWebhooks() {
		s.failf(w, r, dashboard.ENOTFOUND, "No such route.")
		return
	}
	body, err := s.readWebhookBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	wallets, err := s.NFTs.WebhookWallets(body, r.Header.Get("X-Alchemy-Signature"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.Refresh == nil {
		s.failf(w, r, dashboard.EUNAVAILABLE, "Refreshes are not available.")
		return
	}
	for _, wallet := range wallets {
		if err := s.Refresh.Enqueue(r.Context(), dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: wallet}); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]bool{"received": true})
}
