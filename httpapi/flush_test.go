package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// heldQueue holds every Enqueue until the test releases it, ignoring the
// enqueue's own deadline, so that nothing here depends on how fast the
// client reads.
type heldQueue struct {
	release chan struct{}
	done    chan struct{}
}

func (q *heldQueue) Enqueue(context.Context, dashboard.RefreshRequest) error {
	<-q.release
	close(q.done)
	return nil
}

// TestListAnswersBeforeQueueingTheRefresh (issue 10, 7b): a stale list is
// sent to the client before its refresh is queued, over a real connection.
// The queue here waits until the client holds the whole response; had the
// response waited for the queue instead, neither could go on, and the
// client's generous timeout (a hang guard only) fails the test. Only the
// order of events decides, never a duration.
func TestListAnswersBeforeQueueingTheRefresh(t *testing.T) {
	h := newTestHarness(t)
	q := &heldQueue{release: make(chan struct{}), done: make(chan struct{})}
	h.server.Refresh = q
	ts := httptest.NewServer(h.server.Handler())
	t.Cleanup(ts.Close)
	_, tok := h.member("flush@example.com")

	req, _ := http.NewRequest("GET", ts.URL+"/dashboard/orders", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	client := ts.Client()
	client.Timeout = time.Minute
	resp, err := client.Do(req)
	if err != nil {
		close(q.release)
		t.Fatalf("the response waited for the refresh to be queued: %v", err)
	}
	body, err := io.ReadAll(resp.Body) // the whole body, by its Content-Length
	resp.Body.Close()
	close(q.release)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("list = %d %s %v", resp.StatusCode, body, err)
	}
	var list struct {
		Refreshing bool `json:"refreshing"`
	}
	if err := json.Unmarshal(body, &list); err != nil || !list.Refreshing {
		t.Fatalf("list %s: want refreshing (never synced)", body)
	}
	<-q.done // the refresh was queued after all

}
