package httpapi

import (
	"net/http"

	dashboard "github.com/thebabesclub/dashboard"
)

// handleListWallets serves GET /dashboard/wallets.
func (s *Server) handleListWallets(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	list, err := s.NFTs.Wallets(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, walletsResponse{Wallets: list})
}

// handleWalletsChallenge serves POST /dashboard/wallets/challenge: any
// address joins the member's wallets, unverified, and gets a challenge.
func (s *Server) handleWalletsChallenge(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	var req struct {
		Address string `json:"address"`
	}
	if !s.decodeRequest(w, r, &req, "Send a JSON object with the wallet address.") {
		return
	}
	c, err := s.NFTs.ChallengeAddress(r.Context(), m, req.Address)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleWalletsVerify serves POST /dashboard/wallets/verify.
func (s *Server) handleWalletsVerify(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	var req walletVerifyRequest
	if !s.decodeRequest(w, r, &req, "Send a JSON object with the signed message and its signature.") {
		return
	}
	if err := req.check(); err != nil {
		s.writeError(w, r, err)
		return
	}
	wallet, err := s.NFTs.VerifyAddress(r.Context(), m, req.Message, req.Signature)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]*dashboard.Wallet{"wallet": wallet})
}

// handleDeleteWallet serves DELETE /dashboard/wallets/{address}.
func (s *Server) handleDeleteWallet(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	if err := s.NFTs.RemoveWallet(r.Context(), m, r.PathValue("address")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
