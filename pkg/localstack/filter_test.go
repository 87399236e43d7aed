package localstack

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestFilterPatterns(t *testing.T) {
	record := func(name, pk string) map[string]any {
		return recordJSON(events.DynamoDBEventRecord{
			EventName: name,
			Change: events.DynamoDBStreamRecord{
				NewImage: map[string]events.DynamoDBAttributeValue{
					"pk":       events.NewStringAttribute(pk),
					"attempts": events.NewNumberAttribute("3"),
				},
			},
		})
	}
	keyed := func(name, pk, sk string) map[string]any {
		return recordJSON(events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{
			Keys: map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(pk), "sk": events.NewStringAttribute(sk)},
		}})
	}
	// The user-stream function's: profile items by their keys, whatever the event.
	const profiles = `{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"USER#"}]},"sk":{"S":["PROFILE"]}}}}`
	cases := []struct {
		pattern string
		rec     map[string]any
		want    bool
	}{
		{`{"dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}`, record("INSERT", "OUTBOX#1"), true},
		{`{"dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}`, record("INSERT", "USER#1"), false},
		{`{"eventName": ["INSERT"]}`, record("INSERT", "x"), true},
		{`{"eventName": ["INSERT", "MODIFY"]}`, record("REMOVE", "x"), false},
		{`{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"pk": {"S": ["OUTBOX#1"]}}}}`, record("INSERT", "OUTBOX#1"), true},
		{`{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"pk": {"S": ["OUTBOX#1"]}}}}`, record("MODIFY", "OUTBOX#1"), false},
		{`{"eventName": [{"anything-but": ["REMOVE"]}]}`, record("MODIFY", "x"), true},
		{`{"eventName": [{"anything-but": ["REMOVE"]}]}`, record("REMOVE", "x"), false},
		{`{"dynamodb": {"NewImage": {"sent": [{"exists": false}]}}}`, record("INSERT", "x"), true},
		{`{"dynamodb": {"NewImage": {"pk": [{"exists": true}]}}}`, record("INSERT", "x"), true},
		{`{"dynamodb": {"NewImage": {"attempts": {"N": [{"numeric": [">", 2, "<=", 3]}]}}}}`, record("INSERT", "x"), true},
		{`{"dynamodb": {"NewImage": {"attempts": {"N": [{"numeric": [">", 3]}]}}}}`, record("INSERT", "x"), false},
		{`{"dynamodb": {"NewImage": {"pk": {"S": [{"suffix": "#1"}]}}}}`, record("INSERT", "OUTBOX#1"), true},
		{`{"dynamodb": {"NewImage": {"pk": {"S": [{"equals-ignore-case": "outbox#1"}]}}}}`, record("INSERT", "OUTBOX#1"), true},
		{`{"dynamodb": {"OldImage": {"pk": {"S": ["x"]}}}}`, record("INSERT", "x"), false},
		{profiles, keyed("INSERT", "USER#1", "PROFILE"), true},
		{profiles, keyed("MODIFY", "USER#1", "PROFILE"), true},
		{profiles, keyed("REMOVE", "USER#1", "PROFILE"), true},
		{profiles, keyed("INSERT", "USER#1", "SESSION#2"), false},
		{profiles, keyed("INSERT", "EMAIL#a@example.com", "LOCK"), false},
		{profiles, keyed("INSERT", "TRI#abc", "PROFILE"), false},
	}
	for _, c := range cases {
		p, err := parseFilterPattern(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if got := matchAny([]filterPattern{p}, c.rec); got != c.want {
			t.Errorf("%s on %v: got %v, want %v", c.pattern, c.rec["eventName"], got, c.want)
		}
	}
	if !matchAny(nil, record("INSERT", "x")) {
		t.Error("no patterns: got false, want every record to pass")
	}
	for _, bad := range []string{`not json`, `{"eventName": "INSERT"}`, `{"eventName": [{"wildcard": "*"}]}`} {
		if _, err := parseFilterPattern(bad); err == nil {
			t.Errorf("parseFilterPattern(%s): got no error, want one", bad)
		}
	}
}
