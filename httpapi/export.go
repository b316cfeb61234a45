package httpapi

import (
	"net/http"

	dashboard "github.com/thebabesclub/dashboard"
)

// handleExport serves GET /dashboard/export: the member's data as a JSON
// attachment named for the day it was made (CONTRACT §12). It is never
// cached: it holds personal data and is made once a minute at most.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	if s.Export == nil {
		s.failf(w, r, dashboard.ENOTFOUND, "No such route.")
		return
	}
	doc, err := s.Export.Export(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="babes-club-`+doc.ExportedAt.Format("2006-01-02")+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, doc)
}
