package httpapi

import (
	"net/http"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/profile"
)

type profileResponse struct {
	Profile      *dashboard.Profile `json:"profile"`
	EmailChanged bool               `json:"emailChanged,omitempty"`
	// EmailVerificationSent: the new email is pending until the mailed code
	// is confirmed (CONTRACT §9).
	EmailVerificationSent bool `json:"emailVerificationSent,omitempty"`
}

func (s *Server) handleGetProfile(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	p, err := s.Profiles.Get(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, p)
	writeJSON(w, http.StatusOK, profileResponse{Profile: p})
}

// handleUpdateProfile serves PUT /dashboard/profile and its POST alias.
func (s *Server) handleUpdateProfile(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	body, err := s.readJSONBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := profile.ParseUpdate(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Profiles.Update(r.Context(), m, u, r.Header.Get("If-Match"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, res.Profile)
	writeJSON(w, http.StatusOK, profileResponse{Profile: res.Profile, EmailVerificationSent: res.EmailVerificationSent})
}

// handleVerifyEmail serves POST /dashboard/profile/email/verify: the code
// mailed to a pending email completes the change.
func (s *Server) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	var req struct {
		Code string `json:"code"`
	}
	if !s.decodeRequest(w, r, &req, "Send a JSON object with the code from the email.") {
		return
	}
	p, err := s.Profiles.ConfirmEmail(r.Context(), m, req.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	setETag(w, p)
	writeJSON(w, http.StatusOK, profileResponse{Profile: p, EmailChanged: true})
}

// setETag exposes the profile's version so clients can send it back in
// If-Match.
func setETag(w http.ResponseWriter, p *dashboard.Profile) {
	if p.UpdatedAt != nil {
		var buf [48]byte
		b := append(p.UpdatedAt.UTC().AppendFormat(append(buf[:0], '"'), time.RFC3339Nano), '"')
		w.Header().Set("ETag", string(b))
	}
}
