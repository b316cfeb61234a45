package obs

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"slices"
	"sync"
	"time"
)

// MetricsNamespace is the CloudWatch namespace of every dashboard metric, so
// alarms and dashboards find all functions' metrics in one place.
const MetricsNamespace = "BabesClub/Dashboard"

// Metric names used across the project. They are constants so that the
// functions that emit them and the alarms that watch them cannot drift apart.
const (
	MetricRequests               = "Requests"               // invocations / HTTP requests handled
	MetricErrors                 = "Errors"                 // 5xx answers and failed invocations
	MetricLatency                = "Latency"                // handler time, milliseconds
	MetricUpstreamCalls          = "UpstreamCalls"          // calls to Stripe, the marketplace, DynamoDB
	MetricUpstreamFailures       = "UpstreamFailures"       // of which failed (not "not found" and the like)
	MetricSyncProcessed          = "SyncProcessed"          // sessions, members or messages a sync looked at
	MetricSyncCreated            = "SyncCreated"            // orders stored for the first time
	MetricSyncUpdated            = "SyncUpdated"            // orders whose snapshot changed
	MetricSyncUnresolved         = "SyncUnresolved"         // sessions no member could be found for
	MetricSyncFailures           = "SyncFailures"           // member syncs or refresh messages that failed
	MetricReconciliationFailures = "ReconciliationFailures" // nightly Stripe reconciliations that failed
	MetricAuthorizerDenied       = "AuthorizerDenied"       // tokens the API Gateway authorizer refused
)

// Upstream names, the values of the Upstream dimension.
const (
	UpstreamStripe      = "stripe"
	UpstreamMarketplace = "marketplace"
	UpstreamDynamoDB    = "dynamodb"
)

// CloudWatch units the dashboard uses.
const (
	unitCount        = "Count"
	unitMilliseconds = "Milliseconds"
)

// maxValues is EMF's limit on the values one metric may carry in one
// document; further samples until the next Flush are dropped.
const maxValues = 100

// maxNameLen is CloudWatch's limit on a metric name.
const maxNameLen = 255

// Dimension keys.
const (
	dimFunction = "Function"
	dimUpstream = "Upstream"
)

// Metrics collects a function's metrics and writes them as CloudWatch
// Embedded Metric Format: JSON log lines that CloudWatch Logs turns into
// metrics, so the hot path makes no PutMetricData call and an invocation
// never waits on, or fails because of, the metrics API.
//
// Function-level metrics carry the dimension set [Function]; the upstream
// counters carry [Function, Upstream]. EMF takes a dimension's value from
// the document's root, so one document can hold only one Upstream value:
// Flush writes one document for the function-level metrics and one per
// upstream touched since the last Flush, each on its own line. It is safe
// for concurrent use.
type Metrics struct {
	mu       sync.Mutex
	w        io.Writer
	function string
	now      func() time.Time
	series   map[string]*series
	names    []string // series names in first-use order
	upstream map[string]*[2]float64
	ups      []string // upstream names in first-use order
}

// series is one metric's data since the last Flush.
type series struct {
	unit   string
	sum    float64   // counts are summed …
	values []float64 // … durations kept as samples
}

// NewMetrics returns Metrics that write to w (stdout on Lambda, where
// CloudWatch Logs picks EMF lines up) under the Function dimension value
// function: the function's logical name (get-profile, order-refresh …)
// rather than its deployed name, so alarms survive redeployments.
func NewMetrics(w io.Writer, function string) *Metrics {
	return &Metrics{w: w, function: function, now: time.Now}
}

// Count adds n to the counter name. Counting zero is meaningful: it makes
// the metric exist for this period, so an alarm on it sees 0, not "missing".
func (m *Metrics) Count(name string, n float64) {
	if !validName(name) || math.IsNaN(n) || math.IsInf(n, 0) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.seriesLocked(name, unitCount)
	if s != nil {
		s.sum += n
	}
}

// Millis records one duration sample of name, in milliseconds.
func (m *Metrics) Millis(name string, d time.Duration) {
	if !validName(name) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.seriesLocked(name, unitMilliseconds)
	if s != nil && len(s.values) < maxValues {
		s.values = append(s.values, float64(d.Microseconds())/1000)
	}
}

// Upstream counts one call to upstream (stripe, marketplace, dynamodb) and,
// when ok is false, one failure, under the dimension Upstream.
func (m *Metrics) Upstream(upstream string, ok bool) {
	if upstream == "" || len(upstream) > maxNameLen {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.upstream == nil {
		m.upstream = map[string]*[2]float64{}
	}
	c, found := m.upstream[upstream]
	if !found {
		c = new([2]float64)
		m.upstream[upstream] = c
		m.ups = append(m.ups, upstream)
	}
	c[0]++
	if !ok {
		c[1]++
	}
}

// seriesLocked returns the series of name, creating it with unit; nil when
// name is already used with another unit. The caller holds m.mu.
func (m *Metrics) seriesLocked(name, unit string) *series {
	if m.series == nil {
		m.series = map[string]*series{}
	}
	s, ok := m.series[name]
	if !ok {
		s = &series{unit: unit}
		m.series[name] = s
		m.names = append(m.names, name)
	}
	if s.unit != unit {
		return nil
	}
	return s
}

// Flush writes what was recorded since the last Flush, in one Write, and
// starts over. Nothing recorded writes nothing. The data is dropped even
// when the write fails, so a broken stdout cannot grow memory without end.
func (m *Metrics) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.names) == 0 && len(m.ups) == 0 {
		return nil
	}
	ts := m.now().UnixMilli()
	var buf bytes.Buffer
	if len(m.names) > 0 {
		doc := map[string]any{dimFunction: m.function}
		defs := make([]metricDef, 0, len(m.names))
		for _, name := range m.names {
			s := m.series[name]
			defs = append(defs, metricDef{Name: name, Unit: s.unit})
			switch {
			case s.unit == unitCount:
				doc[name] = s.sum
			case len(s.values) == 1:
				doc[name] = s.values[0]
			default:
				doc[name] = slices.Clone(s.values)
			}
		}
		writeDoc(&buf, doc, ts, []string{dimFunction}, defs)
	}
	for _, up := range m.ups {
		c := m.upstream[up]
		doc := map[string]any{dimFunction: m.function, dimUpstream: up,
			MetricUpstreamCalls: c[0], MetricUpstreamFailures: c[1]}
		writeDoc(&buf, doc, ts, []string{dimFunction, dimUpstream}, []metricDef{
			{Name: MetricUpstreamCalls, Unit: unitCount}, {Name: MetricUpstreamFailures, Unit: unitCount}})
	}
	m.series, m.names, m.upstream, m.ups = nil, nil, nil, nil
	_, err := m.w.Write(buf.Bytes())
	return err
}

// metricDef is one entry of a directive's Metrics list.
type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// directive is one CloudWatchMetrics entry of the _aws metadata.
type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

// writeDoc appends doc, with its _aws metadata, as one JSON line to buf.
func writeDoc(buf *bytes.Buffer, doc map[string]any, ts int64, dims []string, defs []metricDef) {
	doc["_aws"] = map[string]any{
		"Timestamp": ts,
		"CloudWatchMetrics": []directive{{
			Namespace: MetricsNamespace, Dimensions: [][]string{dims}, Metrics: defs,
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return // only finite numbers and strings go in; cannot happen
	}
	buf.Write(b)
	buf.WriteByte('\n')
}

// validName refuses empty and over-long names and the document's own keys,
// which a metric value would overwrite.
func validName(name string) bool {
	switch name {
	case "", "_aws", dimFunction, dimUpstream:
		return false
	}
	return len(name) <= maxNameLen
}
