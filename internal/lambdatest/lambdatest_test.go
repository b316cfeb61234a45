package lambdatest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestRuntimeAPI plays the function's side over HTTP: take an event, answer
// it, fail one, and report a failed cold start.
func TestRuntimeAPI(t *testing.T) {
	s, err := New("get-profile")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := "http://" + s.Addr() + "/2018-06-01/runtime"
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	post := func(path, body string) int {
		resp, err := client.Post(base+path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Error(err) // called from the function's goroutine: no Fatal
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// Every event is delivered after this instant, so its deadline is at
	// least Timeout after it, however slow the machine.
	before := time.Now()
	function := func(answer func(id string) int) {
		resp, err := client.Get(base + "/invocation/next")
		if err != nil {
			t.Error(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		deadline, _ := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
		if string(body) != `{"n":1}` || id == "" || deadline < before.Add(s.Timeout).UnixMilli() ||
			resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn") != "arn:aws:lambda:us-east-1:000000000000:function:get-profile" ||
			resp.Header.Get("Lambda-Runtime-Trace-Id") == "" {
			t.Errorf("next = %s %v", body, resp.Header)
		}
		if code := answer(id); code != http.StatusAccepted {
			t.Errorf("answer = %d", code)
		}
	}
	// No fixed timeout: the function here is a goroutine of this test, so
	// only a bug can keep it from answering, and the test binary's own
	// deadline (go test -timeout) reports that with every goroutine's stack.
	ctx := context.Background()

	// The server hands a result to Invoke before it writes its 202 to the
	// function, so the test waits for the function's goroutine too: else it
	// could close the server under the function's last request.
	run := func(answer func(id string) int) (wait func()) {
		done := make(chan struct{})
		go func() { defer close(done); function(answer) }()
		return func() { <-done }
	}
	wait := run(func(id string) int { return post("/invocation/"+id+"/response", `{"ok":true}`) })
	res, err := s.Invoke(ctx, []byte(`{"n":1}`))
	wait()
	if err != nil || string(res.Payload) != `{"ok":true}` || res.Error != nil || res.Answered.Before(res.Delivered) {
		t.Fatalf("Invoke = %+v, %v", res, err)
	}
	if _, ok := s.FirstNext(); !ok {
		t.Error("FirstNext not recorded")
	}

	wait = run(func(id string) int {
		if code := post("/invocation/not-"+id+"/response", `{}`); code != http.StatusBadRequest {
			t.Errorf("unknown request id = %d, want 400", code)
		}
		return post("/invocation/"+id+"/error", `{"errorMessage":"Unauthorized","errorType":"errorString"}`)
	})
	res, err = s.Invoke(ctx, []byte(`{"n":1}`))
	wait()
	if err != nil || res.Error == nil || res.Error.ErrorMessage != "Unauthorized" || res.Payload != nil {
		t.Fatalf("failed Invoke = %+v, %v", res, err)
	}

	if code := post("/init/error", `{"errorMessage":"JWT_SECRET is not set","errorType":"Runtime.ConfigInvalid"}`); code != http.StatusAccepted {
		t.Errorf("init/error = %d", code)
	}
	if _, err := s.Invoke(ctx, []byte(`{}`)); !errors.Is(err, ErrInitFailed) {
		t.Errorf("Invoke after init error = %v", err)
	}
	if ie, ok := s.InitError(); !ok || ie.ErrorMessage != "JWT_SECRET is not set" {
		t.Errorf("InitError = %+v", ie)
	}
}
