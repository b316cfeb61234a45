package obs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

// cloudWatchUnits are the units the EMF specification accepts.
var cloudWatchUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None"}

// emfDoc is one parsed EMF document.
type emfDoc map[string]any

// parseEMF splits out into lines and checks each against the EMF
// specification (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
// a JSON object with _aws.Timestamp (epoch milliseconds) and
// _aws.CloudWatchMetrics, whose directives name a Namespace, Dimensions (at
// most 30 keys per set, each a string member of the root) and Metrics
// (Name, Unit) whose values are numbers or arrays of at most 100 numbers at
// the root.
func parseEMF(t *testing.T, out string) []emfDoc {
	t.Helper()
	if out != "" && !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	var docs []emfDoc
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		if err := checkEMF(line); err != nil {
			t.Fatalf("invalid EMF line %s: %v", line, err)
		}
		var d emfDoc
		_ = json.Unmarshal([]byte(line), &d)
		docs = append(docs, d)
	}
	return docs
}

func checkEMF(line string) error {
	var root map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &root); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	var meta struct {
		Timestamp         *json.Number `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  *string                      `json:"Namespace"`
			Dimensions [][]string                   `json:"Dimensions"`
			Metrics    []map[string]json.RawMessage `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	}
	dec := json.NewDecoder(bytes.NewReader(root["_aws"]))
	dec.UseNumber()
	if err := dec.Decode(&meta); err != nil {
		return fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil {
		return fmt.Errorf("_aws.Timestamp missing")
	}
	ms, err := meta.Timestamp.Int64()
	if err != nil || ms < 1e12 || ms > 1e13 {
		return fmt.Errorf("_aws.Timestamp %s is not epoch milliseconds", *meta.Timestamp)
	}
	if len(meta.CloudWatchMetrics) == 0 {
		return fmt.Errorf("_aws.CloudWatchMetrics empty")
	}
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace == nil || *d.Namespace == "" || len(*d.Namespace) > 255 {
			return fmt.Errorf("bad Namespace")
		}
		if d.Dimensions == nil {
			return fmt.Errorf("Dimensions missing")
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				return fmt.Errorf("dimension set over 30 keys")
			}
			for _, k := range set {
				var v string
				if err := json.Unmarshal(root[k], &v); err != nil || v == "" {
					return fmt.Errorf("dimension %q has no string value at the root", k)
				}
			}
		}
		if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return fmt.Errorf("%d metrics in a directive", len(d.Metrics))
		}
		for _, m := range d.Metrics {
			var name, unit string
			if err := json.Unmarshal(m["Name"], &name); err != nil || name == "" || len(name) > 1024 {
				return fmt.Errorf("bad metric Name %s", m["Name"])
			}
			if raw, ok := m["Unit"]; ok {
				if err := json.Unmarshal(raw, &unit); err != nil || !slices.Contains(cloudWatchUnits, unit) {
					return fmt.Errorf("bad Unit %s", raw)
				}
			}
			var one float64
			var many []float64
			if json.Unmarshal(root[name], &one) != nil && (json.Unmarshal(root[name], &many) != nil || len(many) == 0 || len(many) > 100) {
				return fmt.Errorf("metric %q has no numeric value at the root", name)
			}
		}
	}
	return nil
}

// unitOf returns the Unit a document declares for metric name.
func unitOf(d emfDoc, name string) string {
	for _, dir := range d["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
		for _, m := range dir.(map[string]any)["Metrics"].([]any) {
			if m.(map[string]any)["Name"] == name {
				return m.(map[string]any)["Unit"].(string)
			}
		}
	}
	return ""
}

func dimensionsOf(d emfDoc) string {
	b, _ := json.Marshal(d["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Dimensions"])
	return string(b)
}

func TestMetricsEMF(t *testing.T) {
	var out bytes.Buffer
	m := NewMetrics(&out, "get-profile")
	at := time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)
	m.now = func() time.Time { return at }
	m.Count(MetricRequests, 1)
	m.Count(MetricErrors, 0)
	m.Count(MetricRequests, 1)
	m.Millis(MetricLatency, 12500*time.Microsecond)
	m.Upstream(UpstreamDynamoDB, true)
	m.Upstream(UpstreamDynamoDB, false)
	m.Upstream(UpstreamStripe, true)
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	docs := parseEMF(t, out.String())
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3 (function, dynamodb, stripe):\n%s", len(docs), out.String())
	}
	fn := docs[0]
	if fn["_aws"].(map[string]any)["Timestamp"] != float64(at.UnixMilli()) {
		t.Errorf("Timestamp = %v", fn["_aws"].(map[string]any)["Timestamp"])
	}
	if ns := fn["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Namespace"]; ns != "BabesClub/Dashboard" {
		t.Errorf("Namespace = %v", ns)
	}
	if dimensionsOf(fn) != `[["Function"]]` || fn["Function"] != "get-profile" {
		t.Errorf("function document dimensions = %s, Function = %v", dimensionsOf(fn), fn["Function"])
	}
	if fn["Requests"] != 2.0 || fn["Errors"] != 0.0 || fn["Latency"] != 12.5 {
		t.Errorf("values = %v %v %v", fn["Requests"], fn["Errors"], fn["Latency"])
	}
	if unitOf(fn, "Requests") != "Count" || unitOf(fn, "Latency") != "Milliseconds" {
		t.Errorf("units = %q %q", unitOf(fn, "Requests"), unitOf(fn, "Latency"))
	}
	for i, want := range []struct {
		up              string
		calls, failures float64
	}{{"dynamodb", 2, 1}, {"stripe", 1, 0}} {
		d := docs[i+1]
		if dimensionsOf(d) != `[["Function","Upstream"]]` || d["Upstream"] != want.up || d["Function"] != "get-profile" {
			t.Errorf("upstream document %d = %v", i, d)
		}
		if d["UpstreamCalls"] != want.calls || d["UpstreamFailures"] != want.failures {
			t.Errorf("%s calls/failures = %v/%v", want.up, d["UpstreamCalls"], d["UpstreamFailures"])
		}
		if _, ok := d["Requests"]; ok {
			t.Errorf("upstream document repeats function metrics: %v", d)
		}
	}

	// A flush starts over; an empty one writes nothing.
	out.Reset()
	if err := m.Flush(); err != nil || out.Len() != 0 {
		t.Fatalf("empty flush wrote %q (%v)", out.String(), err)
	}
}

func TestMetricsSamplesAndRefusals(t *testing.T) {
	var out bytes.Buffer
	m := NewMetrics(&out, "order-refresh")
	for i := range maxValues + 5 {
		m.Millis(MetricLatency, time.Duration(i)*time.Millisecond)
	}
	m.Count(MetricLatency, 3)     // already milliseconds: ignored
	m.Count("Function", 1)        // would overwrite the dimension
	m.Count("_aws", 1)            // would overwrite the metadata
	m.Count("", 1)                // no name
	m.Count("NaN", math.NaN())    // not JSON
	m.Count("Inf", math.Inf(1))   // not JSON
	m.Upstream("", false)         // no upstream
	m.Count(MetricSyncCreated, 0) // zero still makes the metric exist
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	docs := parseEMF(t, out.String())
	if len(docs) != 1 {
		t.Fatalf("%d documents:\n%s", len(docs), out.String())
	}
	d := docs[0]
	if vs, ok := d["Latency"].([]any); !ok || len(vs) != maxValues || vs[1] != 1.0 {
		t.Errorf("Latency = %v", d["Latency"])
	}
	if d["Function"] != "order-refresh" || d["SyncCreated"] != 0.0 {
		t.Errorf("document = %v", d)
	}
	for _, k := range []string{"NaN", "Inf", ""} {
		if _, ok := d[k]; ok {
			t.Errorf("refused metric %q was written", k)
		}
	}
	if n := len(d["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Metrics"].([]any)); n != 2 {
		t.Errorf("%d metric definitions, want 2", n)
	}
}

// TestMetricsConcurrent records from many goroutines while flushing; run
// with -race. Every count must land in exactly one flush.
func TestMetricsConcurrent(t *testing.T) {
	var out logtest.Buffer
	m := NewMetrics(&out, "list-nfts")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				m.Count(MetricRequests, 1)
				m.Millis(MetricLatency, time.Millisecond)
				m.Upstream(UpstreamDynamoDB, true)
			}
		}()
	}
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for {
			select {
			case <-stop:
				return
			default:
				_ = m.Flush()
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-flushed
	_ = m.Flush()
	var requests, calls float64
	for _, d := range parseEMF(t, out.String()) {
		if v, ok := d["Requests"].(float64); ok {
			requests += v
		}
		if v, ok := d["UpstreamCalls"].(float64); ok {
			calls += v
		}
	}
	if requests != 1600 || calls != 1600 {
		t.Errorf("requests = %v, upstream calls = %v; want 1600 each", requests, calls)
	}
}
