package deploy_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/awsclient/kmsclient"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// resource is what a granted action applies to, resolved against the template's resources
// (see resources.arn).
type resource int

const (
	table               resource = iota // the table: ${Table.Arn}
	tableIndexes                        // its indexes: ${Table.Arn}/index/*
	bucket                              // the avatar bucket itself (listing): ${AvatarBucket.Arn}
	avatarObjects                       // the avatar objects: ${AvatarBucket.Arn}/avatars/*
	sesIdentities                       // the SES identities mail is sent as (with a ses:FromAddress condition)
	sesConfigurationSet                 // the stack's SES configuration set, which each mail names
	kmsKey                              // the stack's KMS key: ${<AWS::KMS::Key>.Arn}
	sqsQueue                            // the stack's SQS queue: ${<AWS::SQS::Queue>.Arn}
)

// grant is one IAM action on one resource.
type grant struct {
	action string
	on     resource
}

// sdkCall says what IAM grants one AWS call needs.
type sdkCall struct {
	grants []grant
	// fields: when reachable code sets this field of an SDK input type, the call needs
	// these grants too. A TransactWriteItems needs the item action of each kind of member
	// it carries; a Query that names an index needs Query on the indexes.
	fields map[string][]grant
	// never: the call must not be made at all, and why.
	never string
}

// iamActions maps every AWS call a function may make to the IAM actions it needs: the
// exported methods of the SDK clients ("<service package>.<Method>") and the SigV4
// presigner. A client method missing here fails the test for the function that calls it:
// add it, with the actions of the service's authorization reference.
var iamActions = map[string]sdkCall{
	"dynamodb.GetItem":        {grants: []grant{{"dynamodb:GetItem", table}}},
	"dynamodb.BatchGetItem":   {grants: []grant{{"dynamodb:BatchGetItem", table}}},
	"dynamodb.PutItem":        {grants: []grant{{"dynamodb:PutItem", table}}},
	"dynamodb.UpdateItem":     {grants: []grant{{"dynamodb:UpdateItem", table}}},
	"dynamodb.DeleteItem":     {grants: []grant{{"dynamodb:DeleteItem", table}}},
	"dynamodb.BatchWriteItem": {grants: []grant{{"dynamodb:BatchWriteItem", table}}},
	"dynamodb.Query": {
		grants: []grant{{"dynamodb:Query", table}},
		fields: map[string][]grant{"dynamodb.QueryInput.IndexName": {{"dynamodb:Query", tableIndexes}}},
	},
	// Not an IAM action: a transaction needs the action of each of its items.
	"dynamodb.TransactWriteItems": {fields: map[string][]grant{
		"dynamodb/types.TransactWriteItem.Put":            {{"dynamodb:PutItem", table}},
		"dynamodb/types.TransactWriteItem.Update":         {{"dynamodb:UpdateItem", table}},
		"dynamodb/types.TransactWriteItem.Delete":         {{"dynamodb:DeleteItem", table}},
		"dynamodb/types.TransactWriteItem.ConditionCheck": {{"dynamodb:ConditionCheckItem", table}},
	}},
	"dynamodb.TransactGetItems": {grants: []grant{{"dynamodb:GetItem", table}}},
	"dynamodb.Scan":             {never: "it reads the whole table; search reads the indexes (docs/data-model.md)"},

	"s3.GetObject":     {grants: []grant{{"s3:GetObject", avatarObjects}}},
	"s3.HeadObject":    {grants: []grant{{"s3:GetObject", avatarObjects}}},
	"s3.PutObject":     {grants: []grant{{"s3:PutObject", avatarObjects}}},
	"s3.DeleteObject":  {grants: []grant{{"s3:DeleteObject", avatarObjects}}},
	"s3.DeleteObjects": {grants: []grant{{"s3:DeleteObject", avatarObjects}}},
	"s3.ListObjectsV2": {grants: []grant{{"s3:ListBucket", bucket}}},
	// A presigned URL acts with the signer's permissions: the avatar URLs are GETs.
	"v4.Signer.PresignHTTP": {grants: []grant{{"s3:GetObject", avatarObjects}}},

	"ses.SendEmail": {
		grants: []grant{{"ses:SendEmail", sesIdentities}},
		// A mail that names a configuration set is authorized on it too.
		fields: map[string][]grant{"ses.SendEmailInput.ConfigurationSetName": {{"ses:SendEmail", sesConfigurationSet}}},
	},
	"ses.SendRawEmail": {grants: []grant{{"ses:SendRawEmail", sesIdentities}}},
	"sesv2.SendEmail":  {grants: []grant{{"ses:SendEmail", sesIdentities}}},

	"kms.Decrypt":         {grants: []grant{{"kms:Decrypt", kmsKey}}},
	"kms.Encrypt":         {grants: []grant{{"kms:Encrypt", kmsKey}}},
	"kms.GenerateDataKey": {grants: []grant{{"kms:GenerateDataKey", kmsKey}}},
	"kms.Sign":            {grants: []grant{{"kms:Sign", kmsKey}}},
	"kms.Verify":          {grants: []grant{{"kms:Verify", kmsKey}}},
	"kms.GetPublicKey":    {grants: []grant{{"kms:GetPublicKey", kmsKey}}},

	"sqs.SendMessage": {grants: []grant{{"sqs:SendMessage", sqsQueue}}},
}

// sesFromAddress is the condition key every statement that sends mail must carry, so a
// function can send only as MAIL_FROM.
const sesFromAddress = "ses:FromAddress"

// kmsPurpose is the condition every statement that grants a KMS call must carry: the
// role may use the key only for data keys bound to the encryption context the code sets.
const kmsPurpose = "kms:EncryptionContext:purpose"

// resources resolves resource kinds to the ARNs the template writes, in the form
// canonicalResource gives: "${Table.Arn}", "${AvatarBucket.Arn}/avatars/*".
type resources struct{ tpl *samtemplate.Template }

func (r resources) arn(k resource) (string, error) {
	single := func(typ string) (string, error) {
		ids := r.tpl.ResourcesOfType(typ)
		if len(ids) != 1 {
			return "", fmt.Errorf("the template has %d %s resources %v, and deploy_test/iam_test.go knows how to grant on exactly one", len(ids), typ, ids)
		}
		return "${" + ids[0] + ".Arn}", nil
	}
	switch k {
	case table:
		return single("AWS::DynamoDB::Table")
	case tableIndexes:
		t, err := single("AWS::DynamoDB::Table")
		return t + "/index/*", err
	case bucket:
		return single("AWS::S3::Bucket")
	case avatarObjects:
		b, err := single("AWS::S3::Bucket")
		return b + "/" + avatar.KeyPrefix + "*", err
	case sesIdentities:
		return "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*", nil
	case sesConfigurationSet:
		ids := r.tpl.ResourcesOfType("AWS::SES::ConfigurationSet")
		if len(ids) != 1 {
			return "", fmt.Errorf("the template has %d AWS::SES::ConfigurationSet resources %v, and deploy_test/iam_test.go knows how to grant on exactly one", len(ids), ids)
		}
		return "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${" + ids[0] + "}", nil
	case kmsKey:
		return single("AWS::KMS::Key")
	case sqsQueue:
		return single("AWS::SQS::Queue")
	}
	return "", fmt.Errorf("unknown resource kind %d", k)
}

// needs returns the grants a function's calls need, as "action on resource" keys, each
// with the calls that need it, and the problems found on the way.
func needs(m *mainCalls, res resources) (map[string][]string, []string) {
	out := map[string][]string{}
	var problems []string
	fieldSet := map[string]bool{}
	for _, f := range m.fields {
		fieldSet[f] = true
	}
	add := func(g grant, why string) {
		arn, err := res.arn(g.on)
		if err != nil {
			problems = append(problems, err.Error())
			return
		}
		k := g.action + " on " + arn
		if !slices.Contains(out[k], why) {
			out[k] = append(out[k], why)
		}
	}
	for _, c := range m.calls {
		why := c.name + " from " + c.caller
		a, ok := iamActions[c.name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("it calls %s (from %s), which iamActions in deploy_test/iam_test.go does not map to IAM actions: add it", c.name, c.caller))
			continue
		case a.never != "":
			problems = append(problems, fmt.Sprintf("it calls %s (from %s), which no function may call: %s", c.name, c.caller, a.never))
			continue
		}
		for _, g := range a.grants {
			add(g, why)
		}
		matched := false
		for field, gs := range a.fields {
			if fieldSet[field] {
				matched = true
				for _, g := range gs {
					add(g, why+", setting "+field)
				}
			}
		}
		if !matched && len(a.grants) == 0 {
			// The input is built where the analysis does not see it: grant every kind.
			for _, gs := range a.fields {
				for _, g := range gs {
					add(g, why)
				}
			}
		}
	}
	return out, problems
}

// trackedNames are the non-client functions iamActions maps, and trackedFields the
// input fields it looks at.
func trackedNames() (names, fields map[string]bool) {
	names, fields = map[string]bool{}, map[string]bool{}
	for name, a := range iamActions {
		if strings.Count(name, ".") == 2 {
			names[name] = true
		}
		for f := range a.fields {
			fields[f] = true
		}
	}
	return names, fields
}

// grantedStatements returns what a function's Policies allow, as "action on resource"
// keys, and what is wrong with how they are written. Only inline statements are
// accepted: a SAM policy template or a managed policy grants what it grants, not what
// the code calls.
func grantedStatements(f samtemplate.Function) (map[string]bool, []string) {
	out := map[string]bool{}
	var problems []string
	if _, ok := f.Properties["Role"]; ok {
		problems = append(problems, "it sets Role: the derived check covers only the policies SAM attaches; write Policies statements instead")
	}
	policies := f.Properties["Policies"]
	list, ok := policies.([]any)
	if s, isString := policies.(string); isString {
		list, ok = []any{s}, true
	}
	if policies != nil && !ok {
		problems = append(problems, fmt.Sprintf("Policies %v: want a list of {Statement: [...]}", policies))
	}
	for _, p := range list {
		doc, isMap := p.(map[string]any)
		if !isMap {
			problems = append(problems, fmt.Sprintf("managed policy %v: write the Statement its code needs instead", p))
			continue
		}
		stmts, isStatement := doc["Statement"]
		if !isStatement {
			problems = append(problems, fmt.Sprintf("SAM policy template %s: write the Statement its code needs instead", strings.Join(slices.Sorted(maps.Keys(doc)), ", ")))
			continue
		}
		for _, s := range listOrOne(stmts) {
			st, _ := s.(map[string]any)
			if st == nil {
				problems = append(problems, fmt.Sprintf("statement %v is not a mapping", s))
				continue
			}
			if _, ok := st["NotAction"]; ok {
				problems = append(problems, "a statement with NotAction: name the actions")
			}
			if _, ok := st["NotResource"]; ok && st["Effect"] != "Deny" {
				problems = append(problems, "an Allow with NotResource: name the resources")
			}
			if st["Effect"] != "Allow" {
				continue // a Deny only narrows
			}
			actions := listOrOne(st["Action"])
			sends, usesKMS := false, false
			for _, a := range actions {
				as, _ := a.(string)
				if strings.Contains(as, "*") {
					problems = append(problems, fmt.Sprintf("action %q: name each action, no wildcards", as))
				}
				if strings.HasPrefix(as, "ses:Send") {
					sends = true
				}
				usesKMS = usesKMS || strings.HasPrefix(as, "kms:")
				for _, r := range listOrOne(st["Resource"]) {
					out[as+" on "+canonicalResource(r)] = true
				}
			}
			if sends && !hasConditionKey(st["Condition"], sesFromAddress) {
				problems = append(problems, fmt.Sprintf("a statement that sends mail has no %s condition: mail may only go out as MAIL_FROM", sesFromAddress))
			}
			if usesKMS && conditionValue(st["Condition"], "StringEquals", kmsPurpose) != kmsclient.Purpose {
				problems = append(problems, fmt.Sprintf("a statement that grants %v has no condition StringEquals %s: %s: the role may use the key only for the data keys the code makes", actions, kmsPurpose, kmsclient.Purpose))
			}
		}
	}
	return out, problems
}

// canonicalResource writes a Resource value as the ARNs in resources.arn are written:
// !GetAtt X.Arn and !Sub "${X.Arn}" are both "${X.Arn}".
func canonicalResource(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if att, ok := x["Fn::GetAtt"].([]any); ok && len(att) == 2 {
			return fmt.Sprintf("${%v.%v}", att[0], att[1])
		}
		if s, ok := x["Fn::Sub"].(string); ok {
			return s
		}
		if ref, ok := x["Ref"].(string); ok {
			return "${" + ref + "}"
		}
	}
	return fmt.Sprintf("%v", v)
}

func listOrOne(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// hasConditionKey reports whether a statement's Condition tests key under any operator.
func hasConditionKey(cond any, key string) bool {
	c, _ := cond.(map[string]any)
	for _, byKey := range c {
		if m, ok := byKey.(map[string]any); ok {
			if _, ok := m[key]; ok {
				return true
			}
		}
	}
	return false
}

// conditionValue is the single value a statement's Condition gives key under op, or "".
func conditionValue(cond any, op, key string) string {
	c, _ := cond.(map[string]any)
	byKey, _ := c[op].(map[string]any)
	v, _ := byKey[key].(string)
	return v
}

// suggestion writes the Policies a function needs as template YAML.
func suggestion(need map[string][]string) string {
	if len(need) == 0 {
		return "      (no Policies at all)"
	}
	byResource := map[string][]string{}
	for k := range need {
		action, arn, _ := strings.Cut(k, " on ")
		byResource[arn] = append(byResource[arn], action)
	}
	var b strings.Builder
	b.WriteString("      Policies:\n        - Statement:\n")
	for _, arn := range slices.Sorted(maps.Keys(byResource)) {
		actions := byResource[arn]
		sort.Strings(actions)
		res := fmt.Sprintf("!Sub %q", arn)
		if inner, ok := strings.CutPrefix(arn, "${"); ok && strings.HasSuffix(inner, ".Arn}") && !strings.Contains(inner, "$") {
			res = "!GetAtt " + strings.TrimSuffix(inner, "}")
		}
		fmt.Fprintf(&b, "            - Effect: Allow\n              Action: [%s]\n              Resource: %s\n", strings.Join(actions, ", "), res)
		if strings.Contains(arn, ":ses:") {
			b.WriteString("              Condition: # as MailerFunction's: only as MailFrom\n")
		}
		if strings.Contains(arn, "Key.Arn") {
			fmt.Fprintf(&b, "              Condition: {StringEquals: {%q: %s}}\n", kmsPurpose, kmsclient.Purpose)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Every function's policy grants exactly the actions its code calls, on exactly the
// resources they touch: derived from the code (calls_test.go), compared with template.yaml.
func TestPoliciesAreWhatTheCodeCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and analyzes every function (about half a minute)")
	}
	tpl, fns := load(t)
	if p, ok := tpl.Globals.Function["Policies"]; ok {
		t.Errorf("Globals.Function.Policies is %v; policies belong to each function", p)
	}
	start := time.Now()
	names, fields := trackedNames()
	calls := analyzeFunctions(t, names, fields)
	t.Logf("analyzed %d functions in %v", len(calls), time.Since(start).Round(time.Millisecond))

	res := resources{tpl: tpl}
	for _, f := range fns {
		m, ok := calls[f.Folder]
		if !ok {
			t.Errorf("%s: no main package functions/%s to derive its policy from", f.LogicalID, f.Folder)
			continue
		}
		need, problems := needs(m, res)
		granted, more := grantedStatements(f)
		problems = append(problems, more...)
		var missing, extra []string
		for _, k := range slices.Sorted(maps.Keys(need)) {
			if !granted[k] {
				missing = append(missing, fmt.Sprintf("%s (%s)", k, strings.Join(need[k], "; ")))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(granted)) {
			if _, ok := need[k]; !ok {
				extra = append(extra, k)
			}
		}
		for _, c := range m.calls {
			t.Logf("%s: %s from %s", f.Folder, c.name, c.caller)
		}
		if len(missing)+len(extra)+len(problems) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s (functions/%s): its policy is not what its code calls.", f.LogicalID, f.Folder)
		for _, p := range problems {
			b.WriteString("\n  problem: " + p)
		}
		for _, k := range missing {
			b.WriteString("\n  missing: " + k)
		}
		for _, k := range extra {
			b.WriteString("\n  superfluous: " + k)
		}
		b.WriteString("\n  The code needs:\n" + suggestion(need))
		t.Error(b.String())
	}
}

// Lambda sends the records a stream consumer gave up on to its on-failure destination with
// the function's role; SAM grants that (sqs:SendMessage or sns:Publish on the destination)
// only when OnFailure names its Type. The code never sends there itself, so no statement
// does.
func TestOnFailureDestinationsNameTheirType(t *testing.T) {
	_, fns := load(t)
	for _, f := range fns {
		for _, e := range f.Events {
			if e.Type != "DynamoDB" && e.Type != "Kinesis" && e.Type != "SQS" {
				continue
			}
			dest, _ := e.Properties["DestinationConfig"].(map[string]any)
			onFailure, _ := dest["OnFailure"].(map[string]any)
			if onFailure == nil {
				continue
			}
			if typ := onFailure["Type"]; typ != "SQS" && typ != "SNS" {
				t.Errorf("%s event %s: DestinationConfig.OnFailure.Type %v, want SQS or SNS so SAM grants the send", f.LogicalID, e.Name, typ)
			}
		}
	}
}

// streamReads are the actions of SAM's AWSLambdaDynamoDBExecutionRole that read a stream's
// records; the managed policy grants them on every stream of the account.
var streamReads = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}

// A stream consumer's role reads only the table's own streams: SAM attaches
// AWSLambdaDynamoDBExecutionRole (Resource "*") for a DynamoDB event, so each consumer
// carries a Deny of the stream reads on everything but the table's streams.
func TestStreamConsumersReadOnlyTheTablesStreams(t *testing.T) {
	tpl, fns := load(t)
	tableARN, err := resources{tpl}.arn(table)
	if err != nil {
		t.Fatal(err)
	}
	want := tableARN + "/stream/*"
	consumers := 0
	for _, f := range fns {
		if !slices.ContainsFunc(f.Events, func(e samtemplate.Event) bool { return e.Type == "DynamoDB" }) {
			continue
		}
		consumers++
		if !hasStreamDeny(f.Properties["Policies"], want) {
			t.Errorf("%s reads a DynamoDB stream but has no statement {Effect: Deny, Action: %v, NotResource: !Sub %q}: SAM's managed policy would let it read every stream in the account", f.LogicalID, streamReads, want)
		}
	}
	if consumers == 0 {
		t.Fatal("no function has a DynamoDB event: the mailer and the user stream should")
	}
}

// hasStreamDeny reports whether policies hold a Deny of every stream read on all but
// notResource.
func hasStreamDeny(policies any, notResource string) bool {
	for _, p := range listOrOne(policies) {
		doc, _ := p.(map[string]any)
		for _, s := range listOrOne(doc["Statement"]) {
			st, _ := s.(map[string]any)
			if st["Effect"] != "Deny" || canonicalResource(st["NotResource"]) != notResource {
				continue
			}
			var actions []string
			for _, a := range listOrOne(st["Action"]) {
				if as, ok := a.(string); ok {
					actions = append(actions, as)
				}
			}
			if !slices.ContainsFunc(streamReads, func(a string) bool { return !slices.Contains(actions, a) }) {
				return true
			}
		}
	}
	return false
}
