package reliability

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// call is one request of a load run.
type call struct {
	kind, method, path, token, body string
}

// loadStats is what a load run measured, per kind of call and overall.
type loadStats struct {
	mu        sync.Mutex
	sent      int
	byStatus  map[int]int
	byKind    map[string]int
	transport []error // first few transport failures, for the report
	nTransErr int
	skipped   int // ticks dropped because maxInFlight requests were pending
	latencies []time.Duration
	maxLag    time.Duration // how late the generator started a request
}

// maxInFlight caps the requests a load run keeps pending; a tick that finds
// the cap reached is counted as skipped rather than queued, so a stalled
// server shows up as skipped ticks instead of as an ever-growing backlog.
const maxInFlight = 2000

// runLoad sends calls at a constant rate for dur, open loop: request i
// starts at start + i/rate whether or not earlier ones have been answered,
// as independent members would send them. next picks call i. It returns
// once every request has been answered or failed.
func runLoad(ctx context.Context, client *http.Client, base string, rate int, dur time.Duration, next func(i int) call) *loadStats {
	st := &loadStats{byStatus: map[int]int{}, byKind: map[string]int{}}
	interval := time.Second / time.Duration(rate)
	total := int(dur / interval)
	var inflight atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			break
		}
		lag := time.Since(at)
		if inflight.Load() >= maxInFlight {
			st.mu.Lock()
			st.skipped++
			st.mu.Unlock()
			continue
		}
		c := next(i)
		inflight.Add(1)
		wg.Go(func() {
			defer inflight.Add(-1)
			status, took, err := send(ctx, client, base, c)
			st.mu.Lock()
			defer st.mu.Unlock()
			st.sent++
			st.byKind[c.kind]++
			st.maxLag = max(st.maxLag, lag)
			if err != nil {
				st.nTransErr++
				if len(st.transport) < 5 {
					st.transport = append(st.transport, errors.New(c.kind+": "+err.Error()))
				}
				return
			}
			st.byStatus[status]++
			st.latencies = append(st.latencies, took)
		})
	}
	wg.Wait()
	return st
}

// send performs one call and reads its whole body.
func send(ctx context.Context, client *http.Client, base string, c call) (status int, took time.Duration, err error) {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, body)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	began := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(began), err
}

// count5xx sums the answers with a 5xx status.
func (st *loadStats) count5xx() int {
	n := 0
	for s, c := range st.byStatus {
		if s >= 500 {
			n += c
		}
	}
	return n
}
