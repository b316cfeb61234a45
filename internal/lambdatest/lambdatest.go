// Package lambdatest is a stand-in for AWS Lambda's Runtime API (version
// 2018-06-01) on 127.0.0.1, so tests and benchmarks can run a function's
// real binary — the bootstrap Lambda would run — as a subprocess, feed it
// events and read its answers and cold-start times, with no AWS account and
// no container.
//
// Served, as Lambda serves them:
//
//	GET  /2018-06-01/runtime/invocation/next          the next event, with the
//	     Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn and
//	     -Trace-Id headers; it blocks until Invoke queues one
//	POST /2018-06-01/runtime/invocation/{id}/response the function's answer
//	POST /2018-06-01/runtime/invocation/{id}/error    the function's failure
//	POST /2018-06-01/runtime/init/error               a failed cold start
//
// One Server serves one function process, one invocation at a time, as a
// Lambda execution environment does.
package lambdatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxPayload is Lambda's limit on a synchronous response (6 MB).
const maxPayload = 6 << 20

// ErrInitFailed is returned by Invoke once the function reported a failed
// cold start (see InitError).
var ErrInitFailed = errors.New("lambdatest: the function's cold start failed")

// ErrorResponse is the body of an /error or /init/error post.
type ErrorResponse struct {
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
}

// Result is a function's answer to one invocation.
type Result struct {
	RequestID string
	// Payload is the /response body; nil when the function failed.
	Payload []byte
	// Error is the /error body when the function failed, and ErrorType
	// its Lambda-Runtime-Function-Error-Type header.
	Error     *ErrorResponse
	ErrorType string
	// Delivered is when the function took the event (its next call
	// returned), Answered when its answer arrived.
	Delivered, Answered time.Time
}

// Server is the Runtime API of one function process.
type Server struct {
	// FunctionName is reported in the invoked function ARN.
	FunctionName string
	// Timeout is each invocation's deadline (Lambda-Runtime-Deadline-Ms),
	// 30 s unless set before the first Invoke.
	Timeout time.Duration

	ln     net.Listener
	srv    *http.Server
	queue  chan *invocation
	closed chan struct{}

	invokeMu sync.Mutex // one invocation at a time

	mu        sync.Mutex
	pending   map[string]*invocation
	firstNext time.Time
	initErr   *ErrorResponse
	initDone  chan struct{} // closed on an init error
	closeOnce sync.Once
}

// invocation is one event on its way to the function and back.
type invocation struct {
	id      string
	payload []byte
	done    chan Result
	result  Result
}

// New starts a Runtime API for function on a free 127.0.0.1 port.
func New(function string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdatest: listen: %w", err)
	}
	s := &Server{
		FunctionName: function,
		Timeout:      30 * time.Second,
		ln:           ln,
		queue:        make(chan *invocation),
		closed:       make(chan struct{}),
		pending:      map[string]*invocation{},
		initDone:     make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.failure)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.initError)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server; a function waiting for its next event sees the
// connection close, as when Lambda reclaims an execution environment.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return s.srv.Close()
}

// FirstNext returns when the function first asked for an event, which is
// when its cold start (init) ended; false if it has not yet.
func (s *Server) FirstNext() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.firstNext, !s.firstNext.IsZero()
}

// InitError returns the reported cold-start failure, if any.
func (s *Server) InitError() (*ErrorResponse, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr, s.initErr != nil
}

// InitFailed is closed when the function reports a failed cold start.
func (s *Server) InitFailed() <-chan struct{} { return s.initDone }

// Invoke hands payload to the function as its next event and waits for the
// answer, ctx's end, or a reported cold-start failure (ErrInitFailed).
func (s *Server) Invoke(ctx context.Context, payload []byte) (Result, error) {
	s.invokeMu.Lock()
	defer s.invokeMu.Unlock()
	inv := &invocation{id: newRequestID(), payload: payload, done: make(chan Result, 1)}
	s.mu.Lock()
	s.pending[inv.id] = inv
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, inv.id)
		s.mu.Unlock()
	}()
	select {
	case s.queue <- inv:
	case <-s.initDone:
		return Result{}, ErrInitFailed
	case <-s.closed:
		return Result{}, errors.New("lambdatest: server closed")
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdatest: the function did not ask for the event: %w", ctx.Err())
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-s.closed:
		return Result{}, errors.New("lambdatest: server closed")
	case <-ctx.Done():
		return Result{}, fmt.Errorf("lambdatest: the function did not answer: %w", ctx.Err())
	}
}

// InvokeJSON is Invoke with v encoded as JSON.
func (s *Server) InvokeJSON(ctx context.Context, v any) (Result, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Result{}, err
	}
	return s.Invoke(ctx, b)
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.firstNext.IsZero() {
		s.firstNext = time.Now()
	}
	s.mu.Unlock()
	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	case <-s.closed:
		return
	}
	s.mu.Lock()
	inv.result = Result{RequestID: inv.id, Delivered: time.Now()}
	s.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(s.Timeout).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:"+s.FunctionName)
	h.Set("Lambda-Runtime-Trace-Id", traceID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// take finds the pending invocation of the request's {id} and returns it
// with its result so far, answering 400 as Lambda does when there is none.
func (s *Server) take(w http.ResponseWriter, r *http.Request) (*invocation, Result, []byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload+1))
	if err != nil || len(body) > maxPayload {
		writeStatus(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "payload too large")
		return nil, Result{}, nil, false
	}
	s.mu.Lock()
	inv, ok := s.pending[r.PathValue("id")]
	ok = ok && !inv.result.Delivered.IsZero() // delivered, not yet answered
	var res Result
	if ok {
		delete(s.pending, inv.id)
		res = inv.result
	}
	s.mu.Unlock()
	if !ok {
		writeStatus(w, http.StatusBadRequest, "InvalidRequestID", "invalid request id")
		return nil, Result{}, nil, false
	}
	return inv, res, body, true
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	inv, res, body, ok := s.take(w, r)
	if !ok {
		return
	}
	res.Payload, res.Answered = body, time.Now()
	inv.done <- res
	writeStatus(w, http.StatusAccepted, "", "")
}

func (s *Server) failure(w http.ResponseWriter, r *http.Request) {
	inv, res, body, ok := s.take(w, r)
	if !ok {
		return
	}
	res.Error, res.Answered = &ErrorResponse{}, time.Now()
	if json.Unmarshal(body, res.Error) != nil {
		res.Error.ErrorMessage = string(body)
	}
	res.ErrorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	inv.done <- res
	writeStatus(w, http.StatusAccepted, "", "")
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	e := &ErrorResponse{}
	if json.Unmarshal(body, e) != nil {
		e.ErrorMessage = string(body)
	}
	if e.ErrorType == "" {
		e.ErrorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	s.mu.Lock()
	first := s.initErr == nil
	if first {
		s.initErr = e
	}
	s.mu.Unlock()
	if first {
		close(s.initDone)
	}
	writeStatus(w, http.StatusAccepted, "", "")
}

// writeStatus answers as the Runtime API does: {"status":"OK"} on
// acceptance, an error object otherwise.
func writeStatus(w http.ResponseWriter, code int, errType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if errType == "" {
		_, _ = w.Write([]byte(`{"status":"OK"}`))
		return
	}
	b, _ := json.Marshal(ErrorResponse{ErrorMessage: msg, ErrorType: errType})
	_, _ = w.Write(b)
}

// newRequestID returns a UUID-shaped id, like Lambda's.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// traceID returns an X-Ray trace header in Lambda's format.
func traceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}
