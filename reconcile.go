package dashboard

import (
	"context"
	"strings"
	"time"
)

// ReconcileKind is the RefreshRequest kind of one reconciliation window:
// the queue carries windows to the same worker that syncs members, so a
// nightly backlog fans out over the worker's concurrency instead of running
// in one invocation. It names no per-member marker.
const ReconcileKind SyncKind = "RECONCILE"

// ReconcileRun is one planned reconciliation: the sessions created in
// [From, To), cut into windows of Window (the last one shorter). The
// planner stores the latest run so that the next one can tell how far
// this one got (ReconcileStore).
type ReconcileRun struct {
	ID        string
	From, To  time.Time
	Window    time.Duration
	PlannedAt time.Time
}

// Windows returns the run's windows in order: consecutive, each starting
// where the previous one ended, the first at From and the last ending at
// To, so that every instant of the run is in exactly one window.
func (r ReconcileRun) Windows() []ReconcileWindow {
	if r.Window <= 0 || !r.From.Before(r.To) {
		return nil
	}
	var out []ReconcileWindow
	for from := r.From; from.Before(r.To); from = from.Add(r.Window) {
		to := from.Add(r.Window)
		if to.After(r.To) {
			to = r.To
		}
		out = append(out, ReconcileWindow{RunID: r.ID, From: from, To: to})
	}
	return out
}

// ReconcileWindow is one window of a run: the sessions created at or after
// From and before To.
type ReconcileWindow struct {
	RunID    string
	From, To time.Time
}

// Request is the refresh-queue message of the window.
func (w ReconcileWindow) Request() RefreshRequest {
	return RefreshRequest{Kind: ReconcileKind, RunID: w.RunID, From: w.From, To: w.To}
}

// ReconcileCheckpoint is how far a window got: the last session it filed
// (After, the cursor a retry resumes from) and whether it is done. A done
// window is never processed again.
type ReconcileCheckpoint struct {
	ReconcileWindow
	Done bool
	// After is the id of the last session filed; a retry lists the window
	// again starting after it. Empty: start from the window's newest.
	After string
	// Attempts counts the runs of the window that started.
	Attempts int
	// Counts of the window over all its attempts.
	Synced, Created, Updated, Unresolved int
	UpdatedAt                            time.Time
}

// ReconcileStore keeps the latest reconciliation run and the checkpoints of
// its windows, items beside CONTRACT §6's watermark (SYSTEM /
// STRIPE_ORDER_SYNC): SYSTEM / STRIPE_ORDER_SYNC_RUN, and
// RECONCILE#<runId> / WINDOW#<from>. Checkpoints expire on their own
// (expiresAt, ReconcileRetention after they were written).
type ReconcileStore interface {
	// LatestReconcileRun returns the run saved last (nil if none).
	LatestReconcileRun(ctx context.Context) (*ReconcileRun, error)
	// SaveReconcileRun records run as the latest.
	SaveReconcileRun(ctx context.Context, run ReconcileRun) error
	// ReconcileCheckpoint returns the checkpoint of the window of runID
	// starting at from (nil if the window never started).
	ReconcileCheckpoint(ctx context.Context, runID string, from time.Time) (*ReconcileCheckpoint, error)
	// ReconcileCheckpoints returns the checkpoints of runID's windows,
	// ordered by From.
	ReconcileCheckpoints(ctx context.Context, runID string) ([]ReconcileCheckpoint, error)
	// SaveReconcileCheckpoint writes c unless the window's stored
	// checkpoint is done: then it fails with EPRECONDITION and changes
	// nothing, so a late duplicate delivery cannot undo a finished window.
	SaveReconcileCheckpoint(ctx context.Context, c ReconcileCheckpoint) error
}

// ReconcileRetention is how long window checkpoints live (their TTL): long
// enough for the next nightly run to read the previous run's, and for an
// operator to look at a failed window.
const ReconcileRetention = 30 * 24 * time.Hour

// ReconcileWindowPrefix begins every checkpoint's sort key.
const ReconcileWindowPrefix = "WINDOW#"

// ReconcileWindowSK is the sort key of a window's checkpoint item
// (RECONCILE#<runId> / WINDOW#<from>) in both stores: the window's start in
// UTC at a fixed width, so that a run's keys sort as its windows do.
func ReconcileWindowSK(from time.Time) string {
	return ReconcileWindowPrefix + from.UTC().Format("2006-01-02T15:04:05.000Z")
}

// CheckReconcileRunID refuses a run id that could not key an item: empty,
// longer than 64 bytes, or holding a NUL (the embedded store's key
// separator).
func CheckReconcileRunID(id string) error {
	if id == "" || len(id) > 64 || strings.ContainsRune(id, 0) {
		return Errorf(EVALIDATION, "Invalid reconciliation run id.")
	}
	return nil
}
