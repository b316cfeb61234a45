package httpapi

import (
	"net/http"

	dashboard "github.com/thebabesclub/dashboard"
)

// handleListEmails serves GET /dashboard/emails.
func (s *Server) handleListEmails(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	list, err := s.Profiles.Emails(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, emailsResponse{Emails: list})
}

// handleAddEmail serves POST /dashboard/emails: a checkout email is added,
// unverified, and its code mailed (202: nothing matches it yet).
func (s *Server) handleAddEmail(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	var req struct {
		Email string `json:"email"`
	}
	if !s.decodeRequest(w, r, &req, "Send a JSON object with the email address.") {
		return
	}
	pending, err := s.Profiles.AddCheckoutEmail(r.Context(), m, req.Email)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, pending)
}

// handleVerifyCheckoutEmail serves POST /dashboard/emails/verify; once the
// answer is sent, the Stripe sync of the address is queued.
func (s *Server) handleVerifyCheckoutEmail(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	var req struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if !s.decodeRequest(w, r, &req, "Send a JSON object with the email address and the code from the email.") {
		return
	}
	v, err := s.Profiles.VerifyCheckoutEmail(r.Context(), m, req.Email, req.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
	s.queueAfterResponse(w, r, v.Refresh)
}

// handleDeleteEmail serves DELETE /dashboard/emails/{email}.
func (s *Server) handleDeleteEmail(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	if err := s.Profiles.DeleteCheckoutEmail(r.Context(), m, r.PathValue("email")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
