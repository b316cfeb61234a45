package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Keys and attributes of the reconciliation's items, beside CONTRACT §6's
// watermark: the latest run at SYSTEM / STRIPE_ORDER_SYNC_RUN, and each window's checkpoint
// at RECONCILE#<runId> / WINDOW#<from>, the DynamoDB store's layout.
const (
	reconcileRunSK    = "STRIPE_ORDER_SYNC_RUN"
	reconcilePrefix   = "RECONCILE#"
	attrRunID         = "runId"
	attrFrom          = "from"
	attrTo            = "to"
	attrWindowSeconds = "windowSeconds"
	attrPlannedAt     = "plannedAt"
	attrStatus        = "status"
	attrAfter         = "after"
	attrAttempts      = "attempts"
	attrSynced        = "synced"
	attrCreated       = "created"
	attrUpdatedCount  = "updated"
	attrUnresolved    = "unresolved"
	attrCheckpointAt  = "updatedAt"
	statusDone        = "done"
	statusPending     = "pending"
)

// LatestReconcileRun returns the run saved last (nil if none).
func (s *Store) LatestReconcileRun(ctx context.Context) (*dashboard.ReconcileRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var item map[string]any
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		item, err = getMap(tx, systemPK, reconcileRunSK)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: latest reconcile run: %w", err)
	}
	if item == nil {
		return nil, nil
	}
	run := &dashboard.ReconcileRun{ID: str(item[attrRunID]), Window: time.Duration(intOf(item[attrWindowSeconds])) * time.Second}
	for attr, dst := range map[string]*time.Time{attrFrom: &run.From, attrTo: &run.To, attrPlannedAt: &run.PlannedAt} {
		if t := parseTime(item[attr]); t != nil {
			*dst = *t
		}
	}
	return run, nil
}

// SaveReconcileRun records run as the latest.
func (s *Store) SaveReconcileRun(ctx context.Context, run dashboard.ReconcileRun) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := dashboard.CheckReconcileRunID(run.ID); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return putMap(tx, map[string]any{
			"PK": systemPK, "SK": reconcileRunSK, attrRunID: run.ID,
			attrFrom: formatTime(run.From), attrTo: formatTime(run.To),
			attrWindowSeconds: int64(run.Window / time.Second), attrPlannedAt: formatTime(run.PlannedAt),
		})
	})
	if err != nil {
		return fmt.Errorf("bolt: save reconcile run: %w", err)
	}
	return nil
}

// ReconcileCheckpoint returns one window's checkpoint (nil if none).
func (s *Store) ReconcileCheckpoint(ctx context.Context, runID string, from time.Time) (*dashboard.ReconcileCheckpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := dashboard.CheckReconcileRunID(runID); err != nil {
		return nil, err
	}
	var item map[string]any
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		item, err = getMap(tx, reconcilePrefix+runID, dashboard.ReconcileWindowSK(from))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: reconcile checkpoint: %w", err)
	}
	if item == nil {
		return nil, nil
	}
	c := checkpointOf(item)
	return &c, nil
}

// ReconcileCheckpoints returns a run's checkpoints, ordered by window.
func (s *Store) ReconcileCheckpoints(ctx context.Context, runID string) ([]dashboard.ReconcileCheckpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := dashboard.CheckReconcileRunID(runID); err != nil {
		return nil, err
	}
	out := []dashboard.ReconcileCheckpoint{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		prefix := itemKey(reconcilePrefix+runID, dashboard.ReconcileWindowPrefix)
		c := tx.Bucket(bucketItems).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			item, err := decodeMap(v)
			if err != nil {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			out = append(out, checkpointOf(item))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: reconcile checkpoints: %w", err)
	}
	return out, nil
}

// SaveReconcileCheckpoint writes c unless the stored checkpoint is done,
// checked and written in one transaction.
func (s *Store) SaveReconcileCheckpoint(ctx context.Context, c dashboard.ReconcileCheckpoint) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := dashboard.CheckReconcileRunID(c.RunID); err != nil {
		return err
	}
	pk, sk := reconcilePrefix+c.RunID, dashboard.ReconcileWindowSK(c.From)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		cur, err := getMap(tx, pk, sk)
		if err != nil {
			return err
		}
		if cur != nil && str(cur[attrStatus]) == statusDone {
			return dashboard.Errorf(dashboard.EPRECONDITION, "The window is already done.")
		}
		status := statusPending
		if c.Done {
			status = statusDone
		}
		return putMap(tx, map[string]any{
			"PK": pk, "SK": sk, attrRunID: c.RunID, attrFrom: formatTime(c.From), attrTo: formatTime(c.To),
			attrStatus: status, attrAfter: c.After, attrAttempts: c.Attempts,
			attrSynced: c.Synced, attrCreated: c.Created, attrUpdatedCount: c.Updated, attrUnresolved: c.Unresolved,
			attrCheckpointAt: formatTime(c.UpdatedAt), attrExpiresAt: c.UpdatedAt.Add(dashboard.ReconcileRetention).Unix(),
		})
	})
	if err != nil {
		if dashboard.ErrorCode(err) == dashboard.EPRECONDITION {
			return err
		}
		return fmt.Errorf("bolt: save reconcile checkpoint: %w", err)
	}
	return nil
}

// checkpointOf reads a stored checkpoint item.
func checkpointOf(item map[string]any) dashboard.ReconcileCheckpoint {
	c := dashboard.ReconcileCheckpoint{
		Done: str(item[attrStatus]) == statusDone, After: str(item[attrAfter]),
		Attempts: int(intOf(item[attrAttempts])), Synced: int(intOf(item[attrSynced])),
		Created: int(intOf(item[attrCreated])), Updated: int(intOf(item[attrUpdatedCount])),
		Unresolved: int(intOf(item[attrUnresolved])),
	}
	c.RunID = str(item[attrRunID])
	for attr, dst := range map[string]*time.Time{attrFrom: &c.From, attrTo: &c.To, attrCheckpointAt: &c.UpdatedAt} {
		if t := parseTime(item[attr]); t != nil {
			*dst = *t
		}
	}
	return c
}

// intOf reads a stored whole number (json.Number from decodeMap), 0 when
// absent or not a number.
func intOf(v any) int64 {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0
		}
		return i
	case float64:
		return int64(n)
	}
	return 0
}
