package localstack

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/userbase/userbase/pkg/samtemplate"
)

func TestTableSpecFrom(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(`
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "users-${Stage}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: S}
        - {AttributeName: gsi1pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: gsi1
          KeySchema: [{AttributeName: gsi1pk, KeyType: HASH}]
          Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [email, role]}
      StreamSpecification: {StreamViewType: NEW_IMAGE}
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
      DeletionProtectionEnabled: !If [IsProd, true, false]
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      SSESpecification: {SSEEnabled: true, KMSMasterKeyId: !Ref Key}
      Tags: [{Key: a, Value: b}]
`))
	if err != nil {
		t.Fatal(err)
	}
	res := tpl.Resolver(nil, map[string]string{})
	props, skipped, err := resolveTableProperties(res, tpl.Resources["Table"].Properties)
	if err != nil {
		t.Fatalf("resolve (a Ref in a skipped property must not matter): %v", err)
	}
	if want := "[PointInTimeRecoverySpecification SSESpecification Tags]"; fmt.Sprint(skipped) != want {
		t.Errorf("skipped: got %v, want %s", skipped, want)
	}
	spec, err := tableSpecFrom("users-dev", props)
	if err != nil {
		t.Fatal(err)
	}
	in := spec.create
	if aws.ToString(in.TableName) != "users-dev" || in.BillingMode != types.BillingModePayPerRequest ||
		len(in.AttributeDefinitions) != 3 || len(in.KeySchema) != 2 || in.KeySchema[1].KeyType != types.KeyTypeRange {
		t.Errorf("table: got %+v", in)
	}
	if len(in.GlobalSecondaryIndexes) != 1 || aws.ToString(in.GlobalSecondaryIndexes[0].IndexName) != "gsi1" ||
		in.GlobalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeInclude ||
		fmt.Sprint(in.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes) != "[email role]" {
		t.Errorf("GSI: got %+v", in.GlobalSecondaryIndexes)
	}
	if in.StreamSpecification == nil || !aws.ToBool(in.StreamSpecification.StreamEnabled) || in.StreamSpecification.StreamViewType != types.StreamViewTypeNewImage {
		t.Errorf("stream: got %+v", in.StreamSpecification)
	}
	if in.DeletionProtectionEnabled == nil || *in.DeletionProtectionEnabled {
		t.Errorf("deletion protection: got %v, want false (not prod)", in.DeletionProtectionEnabled)
	}
	if spec.ttl == nil || aws.ToString(spec.ttl.AttributeName) != "expires_at" {
		t.Errorf("TTL: got %+v, want expires_at", spec.ttl)
	}
}

func TestTableSpecErrors(t *testing.T) {
	keys := []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}}
	attrs := []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}}
	for name, props := range map[string]map[string]any{
		"no attributes":            {"KeySchema": keys, "BillingMode": "PAY_PER_REQUEST"},
		"no key schema":            {"AttributeDefinitions": attrs, "BillingMode": "PAY_PER_REQUEST"},
		"provisioned, no capacity": {"AttributeDefinitions": attrs, "KeySchema": keys},
		"capacity not a number":    {"AttributeDefinitions": attrs, "KeySchema": keys, "ProvisionedThroughput": map[string]any{"ReadCapacityUnits": "x", "WriteCapacityUnits": 1}},
	} {
		if _, err := tableSpecFrom("t", props); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}
