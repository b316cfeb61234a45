package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// Keys and attributes of the reconciliation's items, beside CONTRACT §6's
// watermark: the latest run at SYSTEM / STRIPE_ORDER_SYNC_RUN, and each window's checkpoint
// at RECONCILE#<runId> / WINDOW#<from>. A run's checkpoints share one small
// partition (at most a few hundred items, written once a page of sessions
// and read once by the next night's planner) and expire with expiresAt.
const (
	skReconcileRun    = "STRIPE_ORDER_SYNC_RUN"
	prefixReconcile   = "RECONCILE#"
	attrRunID         = "runId"
	attrFrom          = "from"
	attrTo            = "to"
	attrWindowSeconds = "windowSeconds"
	attrPlannedAt     = "plannedAt"
	attrStatus        = "status"
	attrAfter         = "after"
	attrAttempts      = "attempts"
	attrSynced        = "synced"
	attrCreatedCount  = "created"
	attrUpdatedCount  = "updated"
	attrUnresolved    = "unresolved"
	attrCheckpointAt  = "updatedAt"
	statusDone        = "done"
	statusPending     = "pending"
)

// LatestReconcileRun reads SYSTEM / STRIPE_ORDER_SYNC_RUN consistently.
func (s *Store) LatestReconcileRun(ctx context.Context) (*dashboard.ReconcileRun, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: key(pkSystem, skReconcileRun), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: latest reconcile run: %w", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	run := &dashboard.ReconcileRun{ID: getString(out.Item, attrRunID),
		Window: time.Duration(getInt(out.Item, attrWindowSeconds)) * time.Second}
	for attr, dst := range map[string]*time.Time{attrFrom: &run.From, attrTo: &run.To, attrPlannedAt: &run.PlannedAt} {
		t, err := parseTime(out.Item[attr])
		if err != nil {
			return nil, fmt.Errorf("dynamo: latest reconcile run: %w", err)
		}
		if t != nil {
			*dst = *t
		}
	}
	return run, nil
}

// SaveReconcileRun replaces SYSTEM / STRIPE_ORDER_SYNC_RUN with run.
func (s *Store) SaveReconcileRun(ctx context.Context, run dashboard.ReconcileRun) error {
	if err := dashboard.CheckReconcileRunID(run.ID); err != nil {
		return err
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: map[string]types.AttributeValue{
		attrPK: str(pkSystem), attrSK: str(skReconcileRun), attrRunID: str(run.ID),
		attrFrom: str(formatTime(run.From)), attrTo: str(formatTime(run.To)),
		attrWindowSeconds: num(int64(run.Window / time.Second)), attrPlannedAt: str(formatTime(run.PlannedAt)),
	}})
	if err != nil {
		return fmt.Errorf("dynamo: save reconcile run: %w", err)
	}
	return nil
}

// ReconcileCheckpoint reads one window's checkpoint consistently: a retry
// must see the cursor its previous attempt wrote.
func (s *Store) ReconcileCheckpoint(ctx context.Context, runID string, from time.Time) (*dashboard.ReconcileCheckpoint, error) {
	if err := dashboard.CheckReconcileRunID(runID); err != nil {
		return nil, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: key(prefixReconcile+runID, dashboard.ReconcileWindowSK(from)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: reconcile checkpoint: %w", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	c, err := checkpointOf(out.Item)
	if err != nil {
		return nil, fmt.Errorf("dynamo: reconcile checkpoint: %w", err)
	}
	return &c, nil
}

// ReconcileCheckpoints reads a run's checkpoints with one consistent Query
// of its partition (more pages only past 1 MB, thousands of windows).
func (s *Store) ReconcileCheckpoints(ctx context.Context, runID string) ([]dashboard.ReconcileCheckpoint, error) {
	if err := dashboard.CheckReconcileRunID(runID); err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:                &s.table,
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(prefixReconcile + runID), ":prefix": str(dashboard.ReconcileWindowPrefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	out := []dashboard.ReconcileCheckpoint{}
	for p := dynamodb.NewQueryPaginator(s.client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamo: reconcile checkpoints: %w", err)
		}
		for _, item := range page.Items {
			c, err := checkpointOf(item)
			if err != nil {
				return nil, fmt.Errorf("dynamo: reconcile checkpoints: %w", err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// SaveReconcileCheckpoint puts the checkpoint on the condition that the
// stored one, if any, is not done.
func (s *Store) SaveReconcileCheckpoint(ctx context.Context, c dashboard.ReconcileCheckpoint) error {
	if err := dashboard.CheckReconcileRunID(c.RunID); err != nil {
		return err
	}
	status := statusPending
	if c.Done {
		status = statusDone
	}
	n := func(v int) types.AttributeValue { return num(int64(v)) }
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: str(prefixReconcile + c.RunID), attrSK: str(dashboard.ReconcileWindowSK(c.From)), attrRunID: str(c.RunID),
			attrFrom: str(formatTime(c.From)), attrTo: str(formatTime(c.To)), attrStatus: str(status),
			attrAfter: str(c.After), attrAttempts: n(c.Attempts), attrSynced: n(c.Synced), attrCreatedCount: n(c.Created),
			attrUpdatedCount: n(c.Updated), attrUnresolved: n(c.Unresolved), attrCheckpointAt: str(formatTime(c.UpdatedAt)),
			attrTTL: num(c.UpdatedAt.Add(dashboard.ReconcileRetention).Unix()),
		},
		ConditionExpression:       aws.String("attribute_not_exists(#status) OR #status <> :done"),
		ExpressionAttributeNames:  map[string]string{"#status": attrStatus},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str(statusDone)},
	})
	if isConditionFailed(err) {
		return dashboard.Errorf(dashboard.EPRECONDITION, "The window is already done.")
	}
	if err != nil {
		return fmt.Errorf("dynamo: save reconcile checkpoint: %w", err)
	}
	return nil
}

// checkpointOf reads a stored checkpoint item.
func checkpointOf(item map[string]types.AttributeValue) (dashboard.ReconcileCheckpoint, error) {
	c := dashboard.ReconcileCheckpoint{
		Done: getString(item, attrStatus) == statusDone, After: getString(item, attrAfter),
		Attempts: int(getInt(item, attrAttempts)), Synced: int(getInt(item, attrSynced)),
		Created: int(getInt(item, attrCreatedCount)), Updated: int(getInt(item, attrUpdatedCount)),
		Unresolved: int(getInt(item, attrUnresolved)),
	}
	c.RunID = getString(item, attrRunID)
	for attr, dst := range map[string]*time.Time{attrFrom: &c.From, attrTo: &c.To, attrCheckpointAt: &c.UpdatedAt} {
		t, err := parseTime(item[attr])
		if err != nil {
			return c, err
		}
		if t != nil {
			*dst = *t
		}
	}
	return c, nil
}
