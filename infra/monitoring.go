package main

import (
	"sort"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// Metrics the functions publish themselves in CloudWatch Embedded Metric
// Format (obs.Metrics in the main module): namespace BabesClub/Dashboard,
// dimension Function=<function name>; the upstream counters add Upstream.
// The reconciliation (stripe-order-sync) counts ReconciliationFailures 1
// for a failed run and 0 for a good one; the authorizer counts Errors only
// for faults (configuration, panics), never for a refused token.
const (
	metricNamespace           = "BabesClub/Dashboard"
	metricErrors              = "Errors"
	metricReconciliationFails = "ReconciliationFailures"
	metricAuthorizerDenied    = "AuthorizerDenied"
)

// alarmSpec is one alarm: what docs/operations.md explains, by name.
type alarmSpec struct {
	Name        string // suffix of the alarm name: <stack>-<Name>
	Description string
	Metric      awscloudwatch.IMetric
	Threshold   float64
	Periods     float64
	Compare     awscloudwatch.ComparisonOperator
	Missing     awscloudwatch.TreatMissingData
	// LowSample is set for percentile alarms: too few samples → no alarm.
	LowSample bool
}

func newMonitoring(stack awscdk.Stack, cfg Config, d *Dashboard) {
	topic := awssns.NewTopic(stack, jsii.String("Alarms"), &awssns.TopicProps{
		DisplayName: jsii.String("Babes Club dashboard alarms"),
	})
	if cfg.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(cfg.AlarmEmail), nil))
	}
	awscdk.NewCfnOutput(stack, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{
		Value: topic.TopicArn(), Description: jsii.String("Subscribe on-call here (SNS)"),
	})
	action := awscloudwatchactions.NewSnsAction(topic)
	five := awscdk.Duration_Minutes(jsii.Number(5))
	sum := func(m awscloudwatch.Metric, period awscdk.Duration) awscloudwatch.Metric {
		return m.With(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: period})
	}
	maximum := func(m awscloudwatch.Metric) awscloudwatch.Metric {
		return m.With(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: five})
	}

	var specs []alarmSpec
	names := sortedNames(d.Functions)
	for _, name := range names {
		fn := d.Functions[name]
		// The authorizer reports every refused token as a function error
		// ("Unauthorized" is how a TOKEN authorizer says 401), so Lambda's
		// Errors count traffic, not faults; its own EMF Errors metric counts
		// only misconfiguration and panics (AuthorizerFaults below).
		if name != fnAuthorizer {
			specs = append(specs, alarmSpec{
				Name:        name + "-Errors",
				Description: "The " + name + " function failed (crash, timeout or returned error) at least once in 5 minutes.",
				Metric:      sum(fn.MetricErrors(nil), five), Threshold: 1, Periods: 1,
				Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
				Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
			})
		}
		specs = append(specs, alarmSpec{
			Name:        name + "-Throttles",
			Description: "Invocations of the " + name + " function were throttled (account or reserved concurrency exhausted).",
			Metric:      sum(fn.MetricThrottles(nil), five), Threshold: 1, Periods: 1,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	api := d.API.RestAPI
	specs = append(specs,
		alarmSpec{
			Name:        "AuthorizerFaults",
			Description: "The authorizer failed for a reason other than a bad token (missing JWT_SECRET, panic): members get 401s.",
			Metric:      emfMetric(metricErrors, fnAuthorizer, five), Threshold: 1, Periods: 1,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		},
		alarmSpec{
			Name:        "Api-5xx",
			Description: "The API answered 5 or more server errors (5xx) in 5 minutes.",
			Metric:      sum(api.MetricServerError(nil), five), Threshold: 5, Periods: 1,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		},
		alarmSpec{
			Name:        "Api-LatencyP99",
			Description: "The API's p99 latency stayed above the threshold for 15 minutes.",
			Metric:      api.MetricLatency(&awscloudwatch.MetricOptions{Statistic: jsii.String("p99"), Period: five}),
			Threshold:   cfg.LatencyP99Millis, Periods: 3,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING, LowSample: true,
		},
		alarmSpec{
			Name:        "RefreshDeadLetters",
			Description: "Refresh requests failed 5 times and sit in the dead-letter queue.",
			Metric:      maximum(d.DeadLetters.MetricApproximateNumberOfMessagesVisible(nil)), Threshold: 0, Periods: 1,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		},
		alarmSpec{
			Name:        "RefreshBacklog",
			Description: "The oldest refresh request has waited more than 15 minutes for 15 minutes.",
			Metric:      maximum(d.Queue.MetricApproximateAgeOfOldestMessage(nil)), Threshold: 900, Periods: 3,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		},
		alarmSpec{
			Name:        "ReconciliationFailures",
			Description: "A Stripe reconciliation run (stripe-order-sync) reported a failure (EMF metric ReconciliationFailures).",
			Metric:      emfMetric(metricReconciliationFails, fnStripeOrderSync, duration(time.Hour)), Threshold: 1, Periods: 1,
			Compare: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		},
		alarmSpec{
			Name:        "ReconciliationNotRun",
			Description: "stripe-order-sync was not invoked in the last 24 hours (schedule disabled or broken).",
			Metric:      sum(d.Functions[fnStripeOrderSync].MetricInvocations(nil), awscdk.Duration_Days(jsii.Number(1))),
			Threshold:   1, Periods: 1,
			Compare: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
			Missing: awscloudwatch.TreatMissingData_BREACHING,
		},
	)

	var alarms []awscloudwatch.Alarm
	for _, s := range specs {
		props := &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(*stack.StackName() + "-" + s.Name),
			AlarmDescription:   jsii.String(s.Description + " See docs/operations.md, \"Alarms\"."),
			Metric:             s.Metric,
			Threshold:          jsii.Number(s.Threshold),
			EvaluationPeriods:  jsii.Number(s.Periods),
			DatapointsToAlarm:  jsii.Number(s.Periods),
			ComparisonOperator: s.Compare,
			TreatMissingData:   s.Missing,
		}
		if s.LowSample {
			props.EvaluateLowSampleCountPercentile = jsii.String("ignore")
		}
		alarm := awscloudwatch.NewAlarm(stack, jsii.String("Alarm"+s.Name), props)
		alarm.AddAlarmAction(action)
		alarm.AddOkAction(action)
		alarms = append(alarms, alarm)
	}
	newDashboard(stack, d, names, alarms)
}

// emfMetric is a metric the functions publish themselves (obs.Metrics, in
// Embedded Metric Format) with the dimension Function=<name>, summed.
func emfMetric(metric, function string, period awscdk.Duration) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(metricNamespace),
		MetricName:    jsii.String(metric),
		DimensionsMap: &map[string]*string{"Function": jsii.String(function)},
		Statistic:     jsii.String("Sum"),
		Period:        period,
	})
}

// newDashboard draws the key widgets on one CloudWatch dashboard.
func newDashboard(stack awscdk.Stack, d *Dashboard, names []string, alarms []awscloudwatch.Alarm) {
	five := awscdk.Duration_Minutes(jsii.Number(5))
	api := d.API.RestAPI
	perFunction := func(metric func(name string) awscloudwatch.IMetric) *[]awscloudwatch.IMetric {
		var ms []awscloudwatch.IMetric
		for _, name := range names {
			ms = append(ms, metric(name))
		}
		return &ms
	}
	opts := func(stat, label string) *awscloudwatch.MetricOptions {
		return &awscloudwatch.MetricOptions{Statistic: jsii.String(stat), Period: five, Label: jsii.String(label)}
	}
	graph := func(title string, width float64, left []awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Width: jsii.Number(width), Height: jsii.Number(6), Left: &left,
		})
	}
	graphPtr := func(title string, width float64, left *[]awscloudwatch.IMetric) awscloudwatch.IWidget {
		return graph(title, width, *left)
	}
	var alarmRefs []interfacesawscloudwatch.IAlarmRef
	for _, a := range alarms {
		alarmRefs = append(alarmRefs, a)
	}
	rows := [][]awscloudwatch.IWidget{
		{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title: jsii.String("Alarms"), Alarms: &alarmRefs, Width: jsii.Number(24), Height: jsii.Number(4),
		})},
		{
			graph("API requests and errors", 12, []awscloudwatch.IMetric{
				api.MetricCount(opts("Sum", "requests")), api.MetricClientError(opts("Sum", "4xx")), api.MetricServerError(opts("Sum", "5xx")),
			}),
			graph("API latency (ms)", 12, []awscloudwatch.IMetric{
				api.MetricLatency(opts("p50", "p50")), api.MetricLatency(opts("p99", "p99")),
				api.MetricIntegrationLatency(opts("p99", "integration p99")),
			}),
		},
		{
			graphPtr("Function errors (authorizer: refused tokens)", 8, perFunction(func(n string) awscloudwatch.IMetric {
				return d.Functions[n].MetricErrors(opts("Sum", n))
			})),
			graphPtr("Function throttles", 8, perFunction(func(n string) awscloudwatch.IMetric {
				return d.Functions[n].MetricThrottles(opts("Sum", n))
			})),
			graphPtr("Function duration p99 (ms)", 8, perFunction(func(n string) awscloudwatch.IMetric {
				return d.Functions[n].MetricDuration(opts("p99", n))
			})),
		},
		{
			graph("Refresh queue", 8, []awscloudwatch.IMetric{
				d.Queue.MetricApproximateNumberOfMessagesVisible(opts("Maximum", "waiting")),
				d.Queue.MetricApproximateNumberOfMessagesNotVisible(opts("Maximum", "in flight")),
				d.DeadLetters.MetricApproximateNumberOfMessagesVisible(opts("Maximum", "dead letters")),
			}),
			graph("Oldest refresh request (s)", 8, []awscloudwatch.IMetric{
				d.Queue.MetricApproximateAgeOfOldestMessage(opts("Maximum", "age")),
			}),
			graph("Jobs", 8, []awscloudwatch.IMetric{
				emfMetric(metricReconciliationFails, fnStripeOrderSync, awscdk.Duration_Hours(jsii.Number(1))).With(&awscloudwatch.MetricOptions{Label: jsii.String("reconciliation failures")}),
				d.Functions[fnStripeOrderSync].MetricInvocations(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: awscdk.Duration_Hours(jsii.Number(1)), Label: jsii.String("reconciliation runs")}),
				d.Functions[fnNFTSync].MetricErrors(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: awscdk.Duration_Hours(jsii.Number(1)), Label: jsii.String("NFT poll errors")}),
			}),
		},
		{
			graph("Upstream failures (EMF, per function and upstream)", 12, []awscloudwatch.IMetric{
				search(`{BabesClub/Dashboard,Function,Upstream} MetricName="UpstreamFailures"`, "Sum"),
			}),
			graph("Sync failures and refused tokens (EMF)", 12, []awscloudwatch.IMetric{
				search(`{BabesClub/Dashboard,Function} MetricName="SyncFailures"`, "Sum"),
				emfMetric(metricAuthorizerDenied, fnAuthorizer, five).With(&awscloudwatch.MetricOptions{Label: jsii.String("authorizer: refused tokens")}),
			}),
		},
		{
			graph("DynamoDB capacity used", 12, []awscloudwatch.IMetric{
				tableMetric(d.TableName, "ConsumedReadCapacityUnits", "reads"),
				tableMetric(d.TableName, "ConsumedWriteCapacityUnits", "writes"),
			}),
			graph("DynamoDB throttled events", 12, []awscloudwatch.IMetric{
				tableMetric(d.TableName, "ReadThrottleEvents", "read throttles"),
				tableMetric(d.TableName, "WriteThrottleEvents", "write throttles"),
			}),
		},
	}
	widgets := make([]*[]awscloudwatch.IWidget, len(rows))
	for i := range rows {
		widgets[i] = &rows[i]
	}
	awscloudwatch.NewDashboard(stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(*stack.StackName()),
		Widgets:       &widgets,
	})
}

// search is a CloudWatch SEARCH expression: every metric matching query.
func search(query, stat string) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("SEARCH('" + query + "', '" + stat + "', 300)"),
		Period:     awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

func tableMetric(table, name, label string) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/DynamoDB"), MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{"TableName": jsii.String(table)},
		Statistic:     jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5)), Label: jsii.String(label),
	})
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
