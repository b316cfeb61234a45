package main

import (
	"testing"

	"github.com/aws/jsii-runtime-go"
)

func TestAlarms(t *testing.T) {
	s := defaultStack(t)
	alarms := map[string]map[string]any{}
	for _, a := range s.ofType("AWS::CloudWatch::Alarm") {
		alarms[a.Properties["AlarmName"].(string)] = a.Properties
	}
	var topicID string
	for id := range s.ofType("AWS::SNS::Topic") {
		topicID = id
	}
	for name, p := range alarms {
		if actions := asList(p["AlarmActions"]); len(actions) != 1 || ref(actions[0]) != topicID {
			t.Errorf("%s: alarm actions %s, want the alarm topic", name, mustJSON(p["AlarmActions"]))
		}
	}
	ids := s.functionIDs(t)
	expect := func(name, namespace, metric string, dims map[string]any) map[string]any {
		t.Helper()
		p, ok := alarms["BabesClubDashboard-"+name]
		if !ok {
			t.Errorf("no alarm %s", name)
			return map[string]any{}
		}
		if p["Namespace"] != namespace || p["MetricName"] != metric {
			t.Errorf("%s watches %v/%v, want %s/%s", name, p["Namespace"], p["MetricName"], namespace, metric)
		}
		for k, v := range dims {
			found := false
			for _, d := range asList(p["Dimensions"]) {
				dm, _ := d.(map[string]any)
				found = found || (dm["Name"] == k && jsonEqual(dm["Value"], v))
			}
			if !found {
				t.Errorf("%s: no dimension %s = %s in %s", name, k, mustJSON(v), mustJSON(p["Dimensions"]))
			}
		}
		return p
	}
	for _, fn := range allFunctions {
		dims := map[string]any{"FunctionName": map[string]any{"Ref": ids[fn]}}
		if fn != "authorizer" { // refused tokens are authorizer "errors" by design
			expect(fn+"-Errors", "AWS/Lambda", "Errors", dims)
		}
		expect(fn+"-Throttles", "AWS/Lambda", "Throttles", dims)
	}
	expect("AuthorizerFaults", "BabesClub/Dashboard", "Errors", map[string]any{"Function": "authorizer"})
	api := map[string]any{"ApiName": "BabesClubDashboard"}
	expect("Api-5xx", "AWS/ApiGateway", "5XXError", api)
	if p := expect("Api-LatencyP99", "AWS/ApiGateway", "Latency", api); p["ExtendedStatistic"] != "p99" {
		t.Errorf("latency alarm statistic %v, want p99", p["ExtendedStatistic"])
	}
	dlqName := s.resolve(t, s.d.DeadLetters.QueueName())
	dlq := expect("RefreshDeadLetters", "AWS/SQS", "ApproximateNumberOfMessagesVisible", map[string]any{"QueueName": dlqName})
	if dlq["Threshold"] != float64(0) || dlq["ComparisonOperator"] != "GreaterThanThreshold" {
		t.Errorf("dead-letter alarm: %v %v, want > 0", dlq["ComparisonOperator"], dlq["Threshold"])
	}
	expect("RefreshBacklog", "AWS/SQS", "ApproximateAgeOfOldestMessage", nil)
	expect("ReconciliationFailures", "BabesClub/Dashboard", "ReconciliationFailures", map[string]any{"Function": "stripe-order-sync"})
	if p := expect("ReconciliationNotRun", "AWS/Lambda", "Invocations",
		map[string]any{"FunctionName": map[string]any{"Ref": ids["stripe-order-sync"]}}); p["TreatMissingData"] != "breaching" {
		t.Errorf("ReconciliationNotRun must treat missing data as breaching")
	}
	s.tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1))
}
