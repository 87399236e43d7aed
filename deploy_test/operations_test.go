package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/metrics"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// What the operations block of the template promises (docs/operations.md): a log group
// per function with the retention parameter, access logs, stage throttling, reserved
// concurrency of the hashing and image functions, alarms to the topic parameter, the mail
// feedback path, the dashboard, and the endpoint overrides sam local needs.

const operationsDoc = "../docs/operations.md"

// ref and notify are how the template writes a parameter reference and an alarm's actions.
func ref(name string) map[string]any { return map[string]any{"Ref": name} }

var notify = map[string]any{"Fn::If": []any{"AlarmActionsOn", []any{ref("AlarmTopicArn")}, ref("AWS::NoValue")}}

// Every function has a log group of its own, /aws/lambda/<its name>, kept LogRetentionDays
// (default 30); no log group names a function that is not there.
func TestEveryFunctionHasItsLogGroup(t *testing.T) {
	tpl, fns := load(t)
	if p := tpl.Parameters["LogRetentionDays"]; p.Type != "Number" || fmt.Sprint(p.Default) != "30" {
		t.Errorf("LogRetentionDays: type %q default %v, want a Number defaulting to 30", p.Type, p.Default)
	}
	want := map[string]string{} // log group ID -> function
	for _, f := range fns {
		want[strings.TrimSuffix(f.LogicalID, "Function")+"Logs"] = f.LogicalID
	}
	for id, fn := range want {
		r, ok := tpl.Resources[id]
		if !ok || r.Type != "AWS::Logs::LogGroup" {
			t.Errorf("%s has no log group: add to template.yaml's operations block\n  %s: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: !Sub \"/aws/lambda/${%s}\", RetentionInDays: !Ref LogRetentionDays}}", fn, id, fn)
			continue
		}
		if diff := cmp.Diff(map[string]any{"LogGroupName": map[string]any{"Fn::Sub": "/aws/lambda/${" + fn + "}"}, "RetentionInDays": ref("LogRetentionDays")}, r.Properties); diff != "" {
			t.Errorf("%s (-want +got):\n%s", id, diff)
		}
	}
	for _, id := range tpl.ResourcesOfType("AWS::Logs::LogGroup") {
		if _, ok := want[id]; !ok && id != "ApiAccessLogs" {
			t.Errorf("log group %s belongs to no function", id)
		}
	}
	if got := tpl.Resources["ApiAccessLogs"].Properties["RetentionInDays"]; !cmp.Equal(got, ref("LogRetentionDays")) {
		t.Errorf("ApiAccessLogs RetentionInDays %v, want !Ref LogRetentionDays", got)
	}
	// A custom resource invokes its function during the deploy: Lambda would make the log
	// group first, and the stack's own could not be created.
	for id, r := range tpl.Resources {
		if !strings.HasPrefix(r.Type, "Custom::") {
			continue
		}
		att, _ := r.Properties["ServiceToken"].(map[string]any)["Fn::GetAtt"].([]any)
		if len(att) == 0 {
			continue
		}
		logs := strings.TrimSuffix(fmt.Sprint(att[0]), "Function") + "Logs"
		if !slices.Contains(dependsOn(t, id), logs) {
			t.Errorf("%s invokes %v while the stack deploys: it needs DependsOn: %s", id, att[0], logs)
		}
	}
}

// dependsOn reads a resource's DependsOn from the template text (samtemplate keeps only
// what the local stack needs).
func dependsOn(t *testing.T, id string) []string {
	t.Helper()
	b, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^  ` + id + `:\n(?:    .*\n)*?    DependsOn: \[?([A-Za-z0-9, ]+)\]?`).FindSubmatch(b)
	if m == nil {
		return nil
	}
	var out []string
	for _, s := range strings.Split(string(m[1]), ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// The stage throttles at the parameters' rate and burst, writes JSON access logs, and the
// API is named after the stack, as the alarms' ApiName dimension says.
func TestStageThrottlingAndAccessLogs(t *testing.T) {
	tpl, _ := load(t)
	api, err := tpl.API(apiID)
	if err != nil {
		t.Fatal(err)
	}
	p := api.Properties
	if !cmp.Equal(p["Name"], ref("AWS::StackName")) {
		t.Errorf("Api Name %v, want !Ref AWS::StackName", p["Name"])
	}
	settings, _ := p["MethodSettings"].([]any)
	want := []any{map[string]any{"ResourcePath": "/*", "HttpMethod": "*",
		"ThrottlingRateLimit": ref("ApiThrottleRate"), "ThrottlingBurstLimit": ref("ApiThrottleBurst")}}
	if diff := cmp.Diff(want, settings); diff != "" {
		t.Errorf("MethodSettings (-want +got):\n%s", diff)
	}
	for _, name := range []string{"ApiThrottleRate", "ApiThrottleBurst"} {
		if tpl.Parameters[name].Type != "Number" || tpl.Parameters[name].Default == nil {
			t.Errorf("parameter %s: want a Number with a default", name)
		}
	}
	logs, _ := p["AccessLogSetting"].(map[string]any)
	if !cmp.Equal(logs["DestinationArn"], map[string]any{"Fn::GetAtt": []any{"ApiAccessLogs", "Arn"}}) {
		t.Errorf("access logs go to %v, want !GetAtt ApiAccessLogs.Arn", logs["DestinationArn"])
	}
	format, _ := logs["Format"].(string)
	var line map[string]string
	if err := json.Unmarshal([]byte(format), &line); err != nil {
		t.Fatalf("access log format %q is not a JSON object of strings: %v", format, err)
	}
	for _, k := range []string{"requestId", "status", "path", "method", "ip", "latencyMs"} {
		if line[k] == "" {
			t.Errorf("access log format lacks %s", k)
		}
	}
	// Access logs need the account's logging role; the stack sets it unless told not to.
	if r := tpl.Resources["ApiGatewayAccount"]; r.Type != "AWS::ApiGateway::Account" || r.Condition != "ApiGatewayRoleOn" {
		t.Errorf("ApiGatewayAccount: %s under condition %q, want an AWS::ApiGateway::Account under ApiGatewayRoleOn", r.Type, r.Condition)
	}
}

// alarmGroups are the function groups whose Lambda errors and throttles alarm, each by its
// reserved concurrency parameter (or none).
var alarmGroups = []struct {
	name        string // alarms <name>ErrorsAlarm and <name>ThrottlesAlarm
	concurrency string // the parameter of the group's reserved concurrency, "" for none
	folders     []string
}{
	{"Hashing", "HashingConcurrency", []string{"auth-login", "auth-admin-login", "auth-register", "auth-password-reset"}},
	{"Image", "ImageConcurrency", []string{"me-avatar-put"}},
	{"Mail", "", []string{"mailer", "mail-feedback"}},
	{"Index", "", []string{"user-stream"}},
	{"Authorizer", "", []string{"authorizer"}},
}

// The alarms docs/operations.md lists exist, notify the topic parameter (none when empty),
// name their runbook entry in docs/operations.md, and watch what they say they watch.
func TestAlarms(t *testing.T) {
	tpl, fns := load(t)
	if p := tpl.Parameters["AlarmTopicArn"]; p.Default != "" {
		t.Errorf("AlarmTopicArn default %v, want empty (no actions)", p.Default)
	}
	doc, err := os.ReadFile(operationsDoc)
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(doc), -1) {
		anchors[strings.ReplaceAll(strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9 -]`).ReplaceAllString(m[1], "")), " ", "-")] = true
	}
	alarms := tpl.ResourcesOfType("AWS::CloudWatch::Alarm")
	for _, id := range alarms {
		p := tpl.Resources[id].Properties
		for _, k := range []string{"AlarmActions", "OKActions"} {
			if !cmp.Equal(p[k], notify) {
				t.Errorf("%s %s %v, want !If [AlarmActionsOn, [!Ref AlarmTopicArn], !Ref AWS::NoValue]", id, k, p[k])
			}
		}
		desc, _ := p["AlarmDescription"].(map[string]any)["Fn::Sub"].(string)
		m := regexp.MustCompile(`docs/operations\.md#([a-z0-9-]+)`).FindStringSubmatch(desc)
		if m == nil || !anchors[m[1]] {
			t.Errorf("%s: description %q names no heading of docs/operations.md", id, desc)
		}
	}

	byFolder := map[string]samtemplate.Function{}
	for _, f := range fns {
		byFolder[f.Folder] = f
	}
	grouped := map[string]string{}
	for _, g := range alarmGroups {
		var want []string
		for _, folder := range g.folders {
			want = append(want, samtemplate.LogicalID(folder))
			grouped[samtemplate.LogicalID(folder)] = g.name
			f, ok := byFolder[folder]
			if !ok {
				t.Errorf("group %s: no function %s", g.name, folder)
				continue
			}
			rc := f.Properties["ReservedConcurrentExecutions"]
			if g.concurrency != "" {
				wantRC := map[string]any{"Fn::If": []any{strings.TrimSuffix(g.concurrency, "Concurrency") + "Reserved", ref(g.concurrency), ref("AWS::NoValue")}}
				if !cmp.Equal(rc, wantRC) {
					t.Errorf("%s: ReservedConcurrentExecutions %v, want %v", f.LogicalID, rc, wantRC)
				}
			}
		}
		sort.Strings(want)
		for _, metric := range []string{"Errors", "Throttles"} {
			id := g.name + metric + "Alarm"
			got, err := groupFunctions(tpl, id, metric)
			if err != nil {
				t.Error(err)
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s watches (-want +got):\n%s", id, diff)
			}
		}
	}
	// A function with reserved concurrency is in a group: its throttles are what the
	// reservation causes.
	for _, f := range fns {
		if _, ok := f.Properties["ReservedConcurrentExecutions"]; ok && grouped[f.LogicalID] == "" {
			t.Errorf("%s reserves concurrency but is in no alarm group", f.LogicalID)
		}
	}

	api := func(metric string) map[string]any {
		return map[string]any{"Namespace": "AWS/ApiGateway", "MetricName": metric, "Dimensions": []any{
			map[string]any{"Name": "ApiName", "Value": ref("AWS::StackName")},
			map[string]any{"Name": "Stage", "Value": ref("StageName")}}}
	}
	five := tpl.Resources["ApiServerErrorsAlarm"].Properties
	stats := map[string]any{}
	for _, m := range five["Metrics"].([]any) {
		mm := m.(map[string]any)
		if ms, ok := mm["MetricStat"].(map[string]any); ok {
			stats[mm["Id"].(string)] = ms["Metric"]
		}
	}
	if diff := cmp.Diff(map[string]any{"errors": api("5XXError"), "requests": api("Count")}, stats); diff != "" {
		t.Errorf("ApiServerErrorsAlarm metrics (-want +got):\n%s", diff)
	}
	if !cmp.Equal(five["Threshold"], ref("ServerErrorRate")) {
		t.Errorf("ApiServerErrorsAlarm threshold %v, want !Ref ServerErrorRate", five["Threshold"])
	}

	// Each stream consumer's failure queue alarms on its first message.
	for alarm, queue := range map[string]string{"MailFailureQueueAlarm": queueID, "IndexFailureQueueAlarm": "IndexFailureQueue",
		"MailFeedbackFailureQueueAlarm": "MailFeedbackFailureQueue"} {
		q := tpl.Resources[alarm].Properties
		if q["MetricName"] != "ApproximateNumberOfMessagesVisible" || q["Threshold"] != 0 ||
			!cmp.Equal(q["Dimensions"], []any{map[string]any{"Name": "QueueName", "Value": map[string]any{"Fn::GetAtt": []any{queue, "QueueName"}}}}) {
			t.Errorf("%s %v: want any visible message in %s", alarm, q, queue)
		}
	}

	// The lock alarm reads the metric the functions write, in the namespace they are given.
	l := tpl.Resources["LockBurstAlarm"].Properties
	ns := tpl.Globals.Function["Environment"].(map[string]any)["Variables"].(map[string]any)["METRICS_NAMESPACE"]
	if !cmp.Equal(l["Namespace"], ns) || l["MetricName"] != metrics.Locks || !cmp.Equal(l["Threshold"], ref("LockAlarmThreshold")) {
		t.Errorf("LockBurstAlarm: %v %v over %v; want %s in METRICS_NAMESPACE (%v) over !Ref LockAlarmThreshold", l["Namespace"], l["MetricName"], l["Threshold"], metrics.Locks, ns)
	}

	// Every alarm is on the dashboard.
	body := fmt.Sprint(tpl.Resources["Dashboard"].Properties["DashboardBody"])
	for _, id := range alarms {
		if !strings.Contains(body, "${"+id+".Arn}") {
			t.Errorf("the dashboard does not show %s", id)
		}
	}
}

// groupFunctions returns the functions whose metric a group alarm sums.
func groupFunctions(tpl *samtemplate.Template, id, metric string) ([]string, error) {
	r, ok := tpl.Resources[id]
	if !ok {
		return nil, fmt.Errorf("no alarm %s", id)
	}
	var out []string
	for _, m := range r.Properties["Metrics"].([]any) {
		mm := m.(map[string]any)
		if e, ok := mm["Expression"]; ok {
			if e != "SUM(METRICS())" {
				return nil, fmt.Errorf("%s: expression %v, want SUM(METRICS())", id, e)
			}
			continue
		}
		met := mm["MetricStat"].(map[string]any)["Metric"].(map[string]any)
		if met["Namespace"] != "AWS/Lambda" || met["MetricName"] != metric {
			return nil, fmt.Errorf("%s: metric %v %v, want AWS/Lambda %s", id, met["Namespace"], met["MetricName"], metric)
		}
		dims := met["Dimensions"].([]any)
		d := dims[0].(map[string]any)
		out = append(out, fmt.Sprint(d["Value"].(map[string]any)["Ref"]))
	}
	sort.Strings(out)
	return out, nil
}

// SES publishes bounces and complaints of the configuration set every mail names to a
// topic it may publish to, whose subscriber is the mail-feedback function.
func TestMailFeedbackPath(t *testing.T) {
	tpl, fns := load(t)
	vars := tpl.Globals.Function["Environment"].(map[string]any)["Variables"].(map[string]any)
	if !cmp.Equal(vars["MAIL_CONFIGURATION_SET"], ref("MailConfigurationSet")) {
		t.Errorf("MAIL_CONFIGURATION_SET %v, want !Ref MailConfigurationSet", vars["MAIL_CONFIGURATION_SET"])
	}
	dests := tpl.ResourcesOfType("AWS::SES::ConfigurationSetEventDestination")
	if len(dests) != 1 {
		t.Fatalf("%d configuration set event destinations, want 1", len(dests))
	}
	d := tpl.Resources[dests[0]].Properties
	ed := d["EventDestination"].(map[string]any)
	types, _ := ed["MatchingEventTypes"].([]any)
	if !cmp.Equal(d["ConfigurationSetName"], ref("MailConfigurationSet")) || !cmp.Equal(types, []any{"bounce", "complaint"}) ||
		!cmp.Equal(ed["SnsDestination"], map[string]any{"TopicARN": ref("MailFeedbackTopic")}) {
		t.Errorf("%s: %v; want bounces and complaints of MailConfigurationSet to MailFeedbackTopic", dests[0], d)
	}
	pol := tpl.Resources["MailFeedbackTopicPolicy"].Properties["PolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	if !cmp.Equal(pol["Principal"], map[string]any{"Service": "ses.amazonaws.com"}) || pol["Action"] != "sns:Publish" ||
		!cmp.Equal(pol["Condition"], map[string]any{"StringEquals": map[string]any{"AWS:SourceAccount": ref("AWS::AccountId")}}) {
		t.Errorf("MailFeedbackTopicPolicy: %v; want SES of this account to publish", pol)
	}
	var subscribers []string
	for _, f := range fns {
		for _, e := range f.Events {
			if e.Type == "SNS" && cmp.Equal(e.Properties["Topic"], ref("MailFeedbackTopic")) {
				subscribers = append(subscribers, f.Folder)
			}
		}
	}
	if !cmp.Equal(subscribers, []string{"mail-feedback"}) {
		t.Errorf("MailFeedbackTopic subscribers %v, want [mail-feedback]", subscribers)
	}
}

// The SDK's endpoint overrides are declared empty for every function, so that sam local's
// env.json may set them (it can set only declared variables), and env.json sets nothing
// the template does not declare.
func TestEndpointOverridesForSamLocal(t *testing.T) {
	tpl, fns := load(t)
	vars := tpl.Globals.Function["Environment"].(map[string]any)["Variables"].(map[string]any)
	overrides := []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SES", "AWS_ENDPOINT_URL_KMS"}
	for _, name := range overrides {
		if v, ok := vars[name]; !ok || v != "" {
			t.Errorf("Globals variable %s = %v (declared %v), want declared empty", name, v, ok)
		}
	}
	b, err := os.ReadFile("../env.json")
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("env.json: %v", err)
	}
	declared := func(fnID, name string) bool {
		for _, f := range fns {
			if f.LogicalID == fnID || fnID == "Parameters" {
				if _, ok := f.Environment[name]; ok {
					return true
				}
			}
		}
		return false
	}
	for scope, vs := range env {
		if _, ok := tpl.Resources[scope]; !ok && scope != "Parameters" {
			t.Errorf("env.json: %s is no function of the template", scope)
		}
		for name := range vs {
			if !declared(scope, name) {
				t.Errorf("env.json %s: %s is not declared in the template, so sam local ignores it", scope, name)
			}
		}
	}
	// The values are those of a `make local` stack on its default ports.
	want, err := localstack.SamLocalEnv(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, env["Parameters"]); diff != "" {
		b, _ := json.MarshalIndent(map[string]any{"Parameters": want}, "", "  ")
		t.Errorf("env.json is not the local stack's environment (-want +got):\n%s\nwrite env.json as:\n%s", diff, b)
	}
}

// The dashboard's body is JSON once CloudFormation has substituted its ${…}, and every
// metric the functions write is on it.
func TestDashboardBodyIsJSON(t *testing.T) {
	tpl, _ := load(t)
	sub, _ := tpl.Resources["Dashboard"].Properties["DashboardBody"].(map[string]any)["Fn::Sub"].([]any)
	if len(sub) != 2 {
		t.Fatalf("DashboardBody is not !Sub [body, {variables}]: %v", tpl.Resources["Dashboard"].Properties["DashboardBody"])
	}
	body := regexp.MustCompile(`\$\{[^}]+\}`).ReplaceAllString(sub[0].(string), "x")
	var d struct {
		Widgets []map[string]any `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil || len(d.Widgets) == 0 {
		t.Fatalf("DashboardBody is not a JSON dashboard (%v):\n%s", err, body)
	}
	for _, name := range []string{metrics.SignIns, metrics.SignInFailures, metrics.Locks, metrics.Registrations,
		metrics.Reauthentications, metrics.TokensMinted, metrics.MailsSent, metrics.MailsFailed, metrics.MailsSuppressed,
		metrics.MailBounces, metrics.MailComplaints} {
		if !strings.Contains(sub[0].(string), `"`+name+`"`) {
			t.Errorf("the dashboard does not show %s", name)
		}
	}
}
