package storetest

import (
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var syncTests = []namedTest{
	{"Markers", testSyncMarkers},
	{"Events", testEvents},
	{"Watermarks", testWatermarks},
}

func testSyncMarkers(t *testing.T, s RawStore) {
	user := newID(t)
	for _, kind := range []dashboard.SyncKind{dashboard.SyncStripe, dashboard.SyncNFT} {
		at, err := s.SyncedAt(t.Context(), user, kind)
		must(t, err, "SyncedAt")
		if at != nil {
			t.Errorf("SyncedAt(%s) of a member never synced = %v, want nil", kind, at)
		}
	}
	must(t, s.MarkSynced(t.Context(), user, dashboard.SyncStripe, baseTime), "MarkSynced")
	at, err := s.SyncedAt(t.Context(), user, dashboard.SyncStripe)
	must(t, err, "SyncedAt")
	checkTime(t, "SyncedAt(STRIPE)", at, baseTime)
	checkStoredTime(t, raw(t, s, "USER#"+user, "SYNC#STRIPE"), "lastSyncedAt", baseTime)
	if at, _ := s.SyncedAt(t.Context(), user, dashboard.SyncNFT); at != nil {
		t.Errorf("SyncedAt(NFT) = %v after marking STRIPE only", at)
	}
	if at, _ := s.SyncedAt(t.Context(), newID(t), dashboard.SyncStripe); at != nil {
		t.Errorf("another member's SyncedAt(STRIPE) = %v, want nil", at)
	}

	later := baseTime.Add(2 * time.Hour)
	must(t, s.MarkSynced(t.Context(), user, dashboard.SyncStripe, later), "MarkSynced again")
	at, err = s.SyncedAt(t.Context(), user, dashboard.SyncStripe)
	must(t, err, "SyncedAt")
	checkTime(t, "SyncedAt(STRIPE) after a second mark", at, later)

	must(t, s.MarkSynced(t.Context(), user, dashboard.SyncNFT, later), "MarkSynced(NFT)")
	at, err = s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt(NFT)")
	checkTime(t, "SyncedAt(NFT)", at, later)
}

func testEvents(t *testing.T, s RawStore) {
	id := "evt_" + newID(t)
	ok, err := s.EventProcessed(t.Context(), id)
	must(t, err, "EventProcessed")
	if ok {
		t.Fatal("a new event reads as processed")
	}
	must(t, s.MarkEventProcessed(t.Context(), id, baseTime), "MarkEventProcessed")
	must(t, s.MarkEventProcessed(t.Context(), id, baseTime), "MarkEventProcessed again")
	ok, err = s.EventProcessed(t.Context(), id)
	must(t, err, "EventProcessed")
	if !ok {
		t.Error("a marked event reads as not processed")
	}
	item := raw(t, s, "EVENT#"+id, "METADATA")
	if want := float64(baseTime.Add(dashboard.EventRetention).Unix()); item == nil || item["expiresAt"] != want {
		t.Errorf("stored event = %v, want expiresAt %v (epoch seconds)", item, want)
	}
	if ok, _ := s.EventProcessed(t.Context(), "evt_"+newID(t)); ok {
		t.Error("another event reads as processed")
	}
}

func testWatermarks(t *testing.T, s RawStore) {
	name := "TEST_SYNC_" + strings.ToUpper(newID(t)[:12])
	wm, err := s.Watermark(t.Context(), name)
	must(t, err, "Watermark")
	if !wm.IsZero() {
		t.Errorf("unset watermark = %v, want the zero time", wm)
	}
	must(t, s.SetWatermark(t.Context(), name, baseTime), "SetWatermark")
	wm, err = s.Watermark(t.Context(), name)
	must(t, err, "Watermark")
	checkTime(t, "watermark", &wm, baseTime)
	checkStoredTime(t, raw(t, s, "SYSTEM", name), "watermark", baseTime)

	later := baseTime.Add(24 * time.Hour)
	must(t, s.SetWatermark(t.Context(), name, later), "SetWatermark again")
	wm, err = s.Watermark(t.Context(), name)
	must(t, err, "Watermark")
	checkTime(t, "watermark after a second set", &wm, later)
	if other, _ := s.Watermark(t.Context(), name+"_OTHER"); !other.IsZero() {
		t.Errorf("another watermark = %v, want the zero time", other)
	}
}
