package storetest

import (
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var reconcileTests = []namedTest{
	{"Run", testReconcileRun},
	{"Checkpoints", testReconcileCheckpoints},
	{"DoneIsFinal", testReconcileDoneIsFinal},
}

func testReconcileRun(t *testing.T, s RawStore) {
	run := dashboard.ReconcileRun{ID: "run-" + newID(t)[:12], From: baseTime.Add(-25 * time.Hour), To: baseTime,
		Window: time.Hour, PlannedAt: baseTime}
	must(t, s.SaveReconcileRun(t.Context(), run), "SaveReconcileRun")
	got, err := s.LatestReconcileRun(t.Context())
	must(t, err, "LatestReconcileRun")
	if got == nil || got.ID != run.ID || got.Window != time.Hour {
		t.Fatalf("LatestReconcileRun = %+v, want %+v", got, run)
	}
	checkTime(t, "run.From", &got.From, run.From)
	checkTime(t, "run.To", &got.To, run.To)
	checkTime(t, "run.PlannedAt", &got.PlannedAt, run.PlannedAt)
	item := raw(t, s, "SYSTEM", "STRIPE_ORDER_SYNC_RUN")
	if item["runId"] != run.ID || item["windowSeconds"] != float64(3600) {
		t.Errorf("stored run = %v", item)
	}
	checkStoredTime(t, item, "from", run.From)

	next := run
	next.ID, next.From, next.To = "run-"+newID(t)[:12], run.To.Add(-time.Hour), run.To.Add(24*time.Hour)
	must(t, s.SaveReconcileRun(t.Context(), next), "SaveReconcileRun again")
	if got, _ := s.LatestReconcileRun(t.Context()); got == nil || got.ID != next.ID {
		t.Errorf("LatestReconcileRun after a second save = %+v, want %s", got, next.ID)
	}
	if err := s.SaveReconcileRun(t.Context(), dashboard.ReconcileRun{}); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("SaveReconcileRun without an id: %v, want EVALIDATION", err)
	}
}

func testReconcileCheckpoints(t *testing.T, s RawStore) {
	runID := "run-" + newID(t)[:12]
	if c, err := s.ReconcileCheckpoint(t.Context(), runID, baseTime); err != nil || c != nil {
		t.Fatalf("checkpoint of a window never started = %+v, %v", c, err)
	}
	if cs, err := s.ReconcileCheckpoints(t.Context(), runID); err != nil || len(cs) != 0 {
		t.Fatalf("checkpoints of a run never started = %+v, %v", cs, err)
	}
	// Written out of order, read back by window; hour 10 sorts after hour 9
	// (a fixed-width key), and a window from a second run stays apart.
	hours := []int{10, 0, 9, 2}
	for _, h := range hours {
		from := baseTime.Add(time.Duration(h) * time.Hour)
		must(t, s.SaveReconcileCheckpoint(t.Context(), dashboard.ReconcileCheckpoint{
			ReconcileWindow: dashboard.ReconcileWindow{RunID: runID, From: from, To: from.Add(time.Hour)},
			After:           "cs_test_" + newID(t)[:8], Attempts: 1, Synced: 100 + h, Created: h, UpdatedAt: baseTime,
		}), "SaveReconcileCheckpoint")
	}
	other := "run-" + newID(t)[:12]
	must(t, s.SaveReconcileCheckpoint(t.Context(), dashboard.ReconcileCheckpoint{
		ReconcileWindow: dashboard.ReconcileWindow{RunID: other, From: baseTime, To: baseTime.Add(time.Hour)}, UpdatedAt: baseTime,
	}), "SaveReconcileCheckpoint of another run")
	cs, err := s.ReconcileCheckpoints(t.Context(), runID)
	must(t, err, "ReconcileCheckpoints")
	if len(cs) != len(hours) {
		t.Fatalf("%d checkpoints, want %d: %+v", len(cs), len(hours), cs)
	}
	for i, h := range []int{0, 2, 9, 10} {
		from := baseTime.Add(time.Duration(h) * time.Hour)
		c := cs[i]
		if c.RunID != runID || c.Synced != 100+h || c.Created != h || c.Attempts != 1 || c.Done || c.After == "" {
			t.Errorf("checkpoint %d = %+v", i, c)
		}
		checkTime(t, "checkpoint.From", &c.From, from)
		checkTime(t, "checkpoint.To", &c.To, from.Add(time.Hour))
		checkTime(t, "checkpoint.UpdatedAt", &c.UpdatedAt, baseTime)
	}
	one, err := s.ReconcileCheckpoint(t.Context(), runID, baseTime.Add(9*time.Hour))
	must(t, err, "ReconcileCheckpoint")
	if one == nil || one.Synced != 109 || one.After != cs[2].After {
		t.Errorf("ReconcileCheckpoint = %+v, want %+v", one, cs[2])
	}
	item := raw(t, s, "RECONCILE#"+runID, "WINDOW#"+baseTime.UTC().Format("2006-01-02T15:04:05.000Z"))
	if item == nil || item["status"] != "pending" || item["expiresAt"] != float64(baseTime.Add(dashboard.ReconcileRetention).Unix()) {
		t.Errorf("stored checkpoint = %v, want status pending and expiresAt %d (epoch seconds)", item, baseTime.Add(dashboard.ReconcileRetention).Unix())
	}
}

func testReconcileDoneIsFinal(t *testing.T, s RawStore) {
	w := dashboard.ReconcileWindow{RunID: "run-" + newID(t)[:12], From: baseTime, To: baseTime.Add(time.Hour)}
	must(t, s.SaveReconcileCheckpoint(t.Context(), dashboard.ReconcileCheckpoint{ReconcileWindow: w, After: "cs_a", UpdatedAt: baseTime}), "save pending")
	must(t, s.SaveReconcileCheckpoint(t.Context(), dashboard.ReconcileCheckpoint{ReconcileWindow: w, After: "cs_b", Synced: 7, Done: true, UpdatedAt: baseTime}), "save done")
	sk := "WINDOW#" + baseTime.UTC().Format("2006-01-02T15:04:05.000Z")
	before := raw(t, s, "RECONCILE#"+w.RunID, sk)
	err := s.SaveReconcileCheckpoint(t.Context(), dashboard.ReconcileCheckpoint{ReconcileWindow: w, After: "cs_c", UpdatedAt: baseTime.Add(time.Minute)})
	wantCode(t, err, dashboard.EPRECONDITION, "a checkpoint over a done window")
	unchanged(t, s, "RECONCILE#"+w.RunID, sk, before, "a refused checkpoint")
	c, err := s.ReconcileCheckpoint(t.Context(), w.RunID, w.From)
	must(t, err, "ReconcileCheckpoint")
	if c == nil || !c.Done || c.After != "cs_b" || c.Synced != 7 {
		t.Errorf("done checkpoint = %+v", c)
	}
}
