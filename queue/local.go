package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// ErrClosed is returned by Local.Enqueue after Close: the process is shutting
// down and no new work is taken.
var ErrClosed = errors.New("queue: closed")

// LocalOptions tunes a Local queue. Zero values take the defaults, so
// LocalOptions{} is a sensible configuration for `dashboard serve`.
type LocalOptions struct {
	// Workers is how many refreshes run at once (default 2): enough to keep
	// one slow member from holding up the rest, few enough to stay inside the
	// upstream rate limits.
	Workers int
	// Buffer is how many refreshes may wait for a worker (default 256).
	// Beyond it Enqueue drops the request; see Local.Enqueue.
	Buffer int
	// Collapse is the window after a refresh finishes during which another
	// request for the same sync is dropped (default 30 s). A negative value
	// turns the window off; requests still collapse while one is pending.
	Collapse time.Duration
	// MaxAttempts bounds the runs of one failing refresh (default 3).
	MaxAttempts int
	// Backoff is the wait before the first retry (default 1 s); it doubles
	// with each retry, up to 30 s.
	Backoff time.Duration
	// Timeout bounds one handler run (default 2 min), so a hung upstream
	// cannot take a worker for good.
	Timeout time.Duration
	// Logger receives drop, retry and failure lines (default slog.Default()).
	Logger *slog.Logger
}

// withDefaults returns o with every zero field set to its default.
func (o LocalOptions) withDefaults() LocalOptions {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Buffer <= 0 {
		o.Buffer = 256
	}
	if o.Collapse == 0 {
		o.Collapse = 30 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Local is the in-process refresh queue of `dashboard serve`, where there is
// no SQS: a bounded buffer drained by a few worker goroutines that call the
// refresh handler. It applies the collapse rule itself, because there is no
// Lambda batch to dedupe in: a request whose sync is already pending, or
// finished within the collapse window, is dropped. It is safe for concurrent
// use.
type Local struct {
	h    dashboard.RefreshHandler
	opts LocalOptions
	log  *slog.Logger
	work chan localItem

	// runCtx is the parent of every handler run; stop cancels it when Close
	// gives up waiting, so runs and backoff sleeps end promptly.
	runCtx      context.Context
	stop        context.CancelFunc
	workersDone chan struct{}

	mu        sync.Mutex
	closed    bool
	pending   map[string]struct{}  // queued, running or waiting to retry
	done      map[string]time.Time // when a sync last finished
	lastSweep time.Time
	inflight  int
	idle      chan struct{} // closed whenever inflight is zero
}

// localItem is one accepted refresh.
type localItem struct {
	key string
	req dashboard.RefreshRequest
}

var _ dashboard.RefreshQueue = (*Local)(nil)

// NewLocal starts a Local queue whose workers call h. Call Close to stop it.
func NewLocal(h dashboard.RefreshHandler, opts LocalOptions) *Local {
	opts = opts.withDefaults()
	runCtx, stop := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	l := &Local{
		h:           h,
		opts:        opts,
		log:         opts.Logger,
		work:        make(chan localItem, opts.Buffer),
		runCtx:      runCtx,
		stop:        stop,
		workersDone: make(chan struct{}),
		pending:     map[string]struct{}{},
		done:        map[string]time.Time{},
		lastSweep:   time.Now(),
		idle:        idle,
	}
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(l.worker)
	}
	go func() {
		wg.Wait()
		close(l.workersDone)
	}()
	return l
}

// Enqueue validates r and hands it to a worker. It never blocks the request
// path and never waits for the sync: ctx is not used, and the sync runs under
// the queue's own context, not the request's, which ends with the response.
//
// It returns nil without queuing when r collapses into a pending refresh or
// one finished within the collapse window, and also when the buffer is full:
// a refresh is best-effort (the data is still served, marked refreshing), the
// next read of stale data asks again, and failing or slowing the member's
// request would be worse than a late refresh. The drop is logged as a
// warning. It returns an EVALIDATION error for a malformed request and ErrClosed
// after Close.
func (l *Local) Enqueue(_ context.Context, r dashboard.RefreshRequest) error {
	if err := Validate(r); err != nil {
		return err
	}
	k := collapseKey(r)
	full, err := l.accept(k, r)
	if full {
		l.log.Warn("queue: local refresh queue is full; dropping request", logAttrs(r)...)
	}
	return err
}

// accept queues r under key k unless it collapses, and reports whether it was
// dropped because the buffer is full.
func (l *Local) accept(k string, r dashboard.RefreshRequest) (full bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false, ErrClosed
	}
	if _, ok := l.pending[k]; ok {
		return false, nil
	}
	if at, ok := l.done[k]; ok && time.Since(at) < l.opts.Collapse {
		return false, nil
	}
	select {
	case l.work <- localItem{key: k, req: r}:
	default:
		return true, nil
	}
	l.pending[k] = struct{}{}
	if l.inflight == 0 {
		l.idle = make(chan struct{})
	}
	l.inflight++
	return false, nil
}

// worker runs queued refreshes until the buffer is closed and drained. Once
// Close has given up waiting, the remaining items are discarded unrun.
func (l *Local) worker() {
	for it := range l.work {
		if l.runCtx.Err() == nil {
			l.run(it)
		}
		l.finish(it.key)
	}
}

// run calls the handler for it, retrying a failure with backoff up to
// MaxAttempts runs in all.
func (l *Local) run(it localItem) {
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(l.runCtx, l.opts.Timeout)
		err := runHandler(ctx, l.h, it.req)
		cancel()
		if err == nil {
			return
		}
		if attempt >= l.opts.MaxAttempts || l.runCtx.Err() != nil {
			l.log.Error("queue: refresh failed; giving up",
				append(logAttrs(it.req), "attempts", attempt, "err", err.Error())...)
			return
		}
		wait := backoff(l.opts.Backoff, 30*time.Second, attempt)
		l.log.Warn("queue: refresh failed; retrying",
			append(logAttrs(it.req), "attempt", attempt, "retryIn", wait.String(), "err", err.Error())...)
		if !sleep(l.runCtx, wait) {
			return
		}
	}
}

// finish records that the refresh under k is over, whatever its outcome: a
// refresh that failed every attempt also opens the collapse window, so a
// failing upstream is asked at most once per window per member instead of on
// every read.
func (l *Local) finish(k string) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, k)
	if l.opts.Collapse > 0 {
		l.done[k] = now
		if now.Sub(l.lastSweep) >= l.opts.Collapse {
			for key, at := range l.done {
				if now.Sub(at) >= l.opts.Collapse {
					delete(l.done, key)
				}
			}
			l.lastSweep = now
		}
	}
	l.inflight--
	if l.inflight == 0 {
		close(l.idle)
	}
}

// Idle waits until nothing is queued, running or waiting to retry, or until
// ctx is done. Tests use it to wait for the effects of Enqueue; the CLI's
// one-shot commands can use it before exiting.
func (l *Local) Idle(ctx context.Context) error {
	l.mu.Lock()
	idle := l.idle
	l.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting requests, lets the workers finish what is queued and
// running, and returns nil when they have. If ctx ends first it cancels the
// running handlers' context, discards what is still queued, and returns
// ctx.Err() without waiting further: shutdown must not hang on a slow
// upstream, and a lost refresh is simply requested again by a later read.
// Calling Close again is safe.
func (l *Local) Close(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.work)
	}
	l.mu.Unlock()
	defer l.stop()
	select {
	case <-l.workersDone:
		return nil
	case <-ctx.Done():
		select {
		case <-l.workersDone: // finished just in time
			return nil
		default:
			return ctx.Err()
		}
	}
}
