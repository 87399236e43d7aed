package samtemplate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testTemplate = `
AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  ConfirmationUrlAllowlist:
    Type: String
    Default: https://app.example.com/*
  Argon2Memory:
    Type: Number
    Default: 19456
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Globals:
  Function:
    Runtime: provided.al2023
    MemorySize: 256
    Timeout: 10
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        BUCKET_NAME: !Ref Avatars
        ARGON2_MEMORY_KIB: !Ref Argon2Memory
        CONFIRMATION_URL_ALLOWLIST: !Ref ConfirmationUrlAllowlist
        LOG_LEVEL: !If [IsProd, info, debug]
  Api:
    BinaryMediaTypes: ["image~1png", "multipart/form-data"]
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      GatewayResponses:
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseParameters:
            Headers:
              Content-Type: "'application/problem+json'"
              Access-Control-Allow-Origin: method.request.header.Origin
          ResponseTemplates:
            application/json: '{"code":"not_found"}'
  AuthRegisterFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties:
      CodeUri: .
      Timeout: 5
      Environment:
        Variables:
          LOG_LEVEL: warn
          STREAM: !GetAtt Table.StreamArn
      Events:
        Register:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /v1/auth/register
            Method: post
  MailerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      MemorySize: !If [IsProd, 512, 128]
      Events:
        Outbox:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 3
            BisectBatchOnFunctionError: true
            FilterCriteria:
              Filters:
                - Pattern: '{"dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}'
            DestinationConfig:
              OnFailure:
                Destination: !GetAtt FailedMail.Arn
  FailedMail:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-${Stage}"
      BillingMode: PAY_PER_REQUEST
  Avatars:
    Type: AWS::S3::Bucket
`

func loadTest(t *testing.T) *Template {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(testTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	tpl, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tpl
}

func TestLoadSections(t *testing.T) {
	tpl := loadTest(t)
	if got, want := tpl.Parameters["Argon2Memory"].Default, any(19456); got != want {
		t.Errorf("Argon2Memory default: got %v, want %v", got, want)
	}
	if got, want := tpl.ResourcesOfType(TypeFunction), []string{"AuthRegisterFunction", "MailerFunction"}; !cmp.Equal(got, want) {
		t.Errorf("functions: got %v, want %v", got, want)
	}
	if got, want := tpl.Resources["Table"].Properties["TableName"], any(map[string]any{"Fn::Sub": "${AWS::StackName}-${Stage}"}); !cmp.Equal(got, want) {
		t.Errorf("!Sub: got %v, want %v", got, want)
	}
	if got, want := tpl.Conditions["NotProd"], any(map[string]any{"Fn::Not": []any{map[string]any{"Condition": "IsProd"}}}); !cmp.Equal(got, want) {
		t.Errorf("!Not/!Condition: got %v, want %v", got, want)
	}
	if got, want := tpl.Globals.Function["Runtime"], any("provided.al2023"); got != want {
		t.Errorf("Globals.Function.Runtime: got %v, want %v", got, want)
	}
}

func TestFunctions(t *testing.T) {
	tpl := loadTest(t)
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != 2 {
		t.Fatalf("got %d functions, want 2", len(fns))
	}
	reg, mailer := fns[0], fns[1]

	if reg.Folder != "auth-register" || reg.MemorySize != 256 || reg.Timeout != 5 {
		t.Errorf("register: got folder %q memory %d timeout %d, want auth-register 256 5", reg.Folder, reg.MemorySize, reg.Timeout)
	}
	wantEnv := map[string]any{
		"TABLE_NAME":                 map[string]any{"Ref": "Table"},
		"BUCKET_NAME":                map[string]any{"Ref": "Avatars"},
		"ARGON2_MEMORY_KIB":          map[string]any{"Ref": "Argon2Memory"},
		"CONFIRMATION_URL_ALLOWLIST": map[string]any{"Ref": "ConfirmationUrlAllowlist"},
		"LOG_LEVEL":                  "warn",
		"STREAM":                     map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}},
	}
	if diff := cmp.Diff(wantEnv, reg.Environment); diff != "" {
		t.Errorf("register environment (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]APIEvent{{Path: "/v1/auth/register", Method: "POST", RestAPIID: "Api"}}, reg.APIEvents()); diff != "" {
		t.Errorf("register Api events (-want +got):\n%s", diff)
	}

	if mailer.MemorySize != 128 || mailer.Timeout != 10 {
		t.Errorf("mailer: got memory %d timeout %d, want 128 (from !If) and 10 (Globals)", mailer.MemorySize, mailer.Timeout)
	}
	wantStream := []DynamoDBEvent{{
		Stream:                     map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}},
		Table:                      "Table",
		BatchSize:                  10,
		StartingPosition:           "TRIM_HORIZON",
		MaximumRetryAttempts:       3,
		MaximumRecordAgeInSeconds:  -1,
		BisectBatchOnFunctionError: true,
		FilterPatterns:             []string{`{"dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "OUTBOX#"}]}}}}`},
		OnFailure:                  map[string]any{"Fn::GetAtt": []any{"FailedMail", "Arn"}},
		Enabled:                    true,
	}}
	if diff := cmp.Diff(wantStream, mailer.DynamoDBEvents()); diff != "" {
		t.Errorf("mailer DynamoDB events (-want +got):\n%s", diff)
	}
}

func TestAPI(t *testing.T) {
	tpl := loadTest(t)
	a, err := tpl.API("Api")
	if err != nil {
		t.Fatal(err)
	}
	want := API{
		LogicalID:        "Api",
		Properties:       a.Properties,
		StageName:        "dev",
		BinaryMediaTypes: []string{"image/png", "multipart/form-data"},
		GatewayResponses: map[string]GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": {
			StatusCode: 404,
			Headers:    map[string]string{"Content-Type": "application/problem+json"},
			Mapped:     map[string]string{"Access-Control-Allow-Origin": "method.request.header.Origin"},
			Templates:  map[string]string{"application/json": `{"code":"not_found"}`},
		}},
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("API (-want +got):\n%s", diff)
	}
	implicit, err := tpl.API("")
	if err != nil {
		t.Fatal(err)
	}
	if implicit.StageName != "Prod" || len(implicit.BinaryMediaTypes) != 2 {
		t.Errorf("implicit API: got stage %q, binary types %v; want Prod and the Globals' two", implicit.StageName, implicit.BinaryMediaTypes)
	}
	if _, err := tpl.API("Table"); err == nil {
		t.Error("API(Table): got no error, want one")
	}
}

func TestParseErrors(t *testing.T) {
	for name, text := range map[string]string{
		"not a mapping": "- a\n- b\n",
		"no type":       "Resources:\n  X:\n    Properties: {}\n",
		"bad GetAtt":    "Resources:\n  X:\n    Type: T\n    Properties:\n      A: !GetAtt NoDot\n",
		"bad YAML":      "Resources: [\n",
	} {
		if _, err := Parse([]byte(text)); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}

const routesTemplate = `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      MergeDefinitions: true
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /{proxy+}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FallbackFunction.Arn}/invocations"}
          /v1/me:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FallbackFunction.Arn}/invocations"}
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FallbackFunction.Arn}/invocations"}
  Other:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v2
      DefinitionBody:
        paths:
          /x:
            post:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: {"Fn::Sub": ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${MeFunction.Arn}/invocations", {}]}}
  MeFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /v1/me, Method: get}}
        Patch: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /v1/me, Method: PATCH}}
        Ignored: {Type: Api, Properties: {RestApiId: !Ref Other, Path: /v1/me, Method: GET}}
        Implicit: {Type: Api, Properties: {Path: /implicit, Method: GET}}
  FallbackFunction:
    Type: AWS::Serverless::Function
    Properties: {}
`

func TestRoutes(t *testing.T) {
	tpl, err := Parse([]byte(routesTemplate))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Routes("Api")
	if err != nil {
		t.Fatal(err)
	}
	// The event replaces the body's GET; the body's ANY stays.
	want := []Route{
		{Path: "/v1/me", Method: "ANY", Function: "FallbackFunction"},
		{Path: "/v1/me", Method: "GET", Function: "MeFunction", Event: "Get"},
		{Path: "/v1/me", Method: "PATCH", Function: "MeFunction", Event: "Patch"},
		{Path: "/{proxy+}", Method: "ANY", Function: "FallbackFunction"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Routes(Api) (-want +got):\n%s", diff)
	}
	// Without MergeDefinitions, SAM leaves the events out of a DefinitionBody.
	got, err = tpl.Routes("Other")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Route{{Path: "/x", Method: "POST", Function: "MeFunction"}}, got); diff != "" {
		t.Errorf("Routes(Other) (-want +got):\n%s", diff)
	}
	got, err = tpl.Routes("")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Route{{Path: "/implicit", Method: "GET", Function: "MeFunction", Event: "Implicit"}}, got); diff != "" {
		t.Errorf("Routes(implicit) (-want +got):\n%s", diff)
	}
}

func TestRoutesErrors(t *testing.T) {
	for name, op := range map[string]string{
		"no integration": `{}`,
		"mock":           `{x-amazon-apigateway-integration: {type: mock}}`,
		"bad uri":        `{x-amazon-apigateway-integration: {type: aws_proxy, uri: "arn:aws:lambda:us-east-1:1:function:f"}}`,
	} {
		text := "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      DefinitionBody:\n        paths:\n          /x:\n            get: " + op + "\n"
		tpl, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := tpl.Routes("Api"); err == nil {
			t.Errorf("%s: got no error, want one", name)
		}
	}
}
