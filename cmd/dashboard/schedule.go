package main

import (
	"context"
	"log/slog"
	"time"
)

// dailyAt returns the next hour:00 UTC strictly after t.
func dailyAt(hour int) func(time.Time) time.Time {
	return func(t time.Time) time.Time {
		t = t.UTC()
		next := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, time.UTC)
		if !next.After(t) {
			next = next.AddDate(0, 0, 1)
		}
		return next
	}
}

// hourly returns the next full hour strictly after t.
func hourly(t time.Time) time.Time {
	return t.UTC().Truncate(time.Hour).Add(time.Hour)
}

// runSchedule runs job at every time next gives, until ctx ends: the local
// stand-in for the EventBridge schedules of the AWS deployment. A failed
// run is logged; the next one starts on time.
func runSchedule(ctx context.Context, logger *slog.Logger, name string, next func(time.Time) time.Time, job func(context.Context) error) {
	for {
		at := next(time.Now())
		timer := time.NewTimer(time.Until(at))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		start := time.Now()
		if err := job(ctx); err != nil {
			logger.ErrorContext(ctx, "scheduled job failed", slog.String("job", name), slog.Any("error", err))
			continue
		}
		logger.InfoContext(ctx, "scheduled job finished", slog.String("job", name), slog.Duration("took", time.Since(start)))
	}
}
