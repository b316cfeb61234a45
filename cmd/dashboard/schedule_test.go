package main

import (
	"testing"
	"time"
)

func TestDailyAt(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for now, want := range map[string]string{
		"2026-11-25T01:59:59Z":      "2026-11-25T02:00:00Z",
		"2026-11-25T02:00:00Z":      "2026-11-26T02:00:00Z",
		"2026-11-25T13:00:00Z":      "2026-11-26T02:00:00Z",
		"2026-12-31T23:00:00-05:00": "2027-01-02T02:00:00Z",
	} {
		if got := dailyAt(2)(at(now)); !got.Equal(at(want)) {
			t.Errorf("dailyAt(2)(%s) = %s, want %s", now, got, want)
		}
	}
	if got := hourly(at("2026-11-25T13:20:00Z")); !got.Equal(at("2026-11-25T14:00:00Z")) {
		t.Errorf("hourly = %s", got)
	}
}
