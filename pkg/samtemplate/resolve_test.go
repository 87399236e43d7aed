package samtemplate

import (
	"errors"
	"testing"
)

func TestResolve(t *testing.T) {
	tpl := loadTest(t)
	refs := map[string]string{
		"Table":                "users-local",
		"Table.StreamArn":      "arn:stream",
		"Avatars":              "avatars-local",
		"Avatars.Arn":          "arn:aws:s3:::avatars-local",
		"FailedMail.Arn":       "arn:sqs",
		"AuthRegisterFunction": "register",
	}
	cases := []struct {
		name      string
		params    map[string]string
		in        any
		want      string
		wantNoVal bool
	}{
		{name: "literal", in: "plain", want: "plain"},
		{name: "number", in: 42, want: "42"},
		{name: "Ref resource", in: map[string]any{"Ref": "Table"}, want: "users-local"},
		{name: "Ref parameter default", in: map[string]any{"Ref": "Argon2Memory"}, want: "19456"},
		{name: "Ref parameter override", params: map[string]string{"ConfirmationUrlAllowlist": "http://localhost:*"}, in: map[string]any{"Ref": "ConfirmationUrlAllowlist"}, want: "http://localhost:*"},
		{name: "Ref pseudo", in: map[string]any{"Ref": "AWS::Region"}, want: "us-east-1"},
		{name: "GetAtt", in: map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}, want: "arn:stream"},
		{name: "GetAtt dotted", in: map[string]any{"Fn::GetAtt": "Avatars.Arn"}, want: "arn:aws:s3:::avatars-local"},
		{name: "Sub", in: map[string]any{"Fn::Sub": "${AWS::StackName}-${Stage}/${Avatars.Arn}/${!Literal}"}, want: "userbase-local-dev/arn:aws:s3:::avatars-local/${Literal}"},
		{name: "Sub with variables", in: map[string]any{"Fn::Sub": []any{"${Name}@${Stage}", map[string]any{"Name": map[string]any{"Ref": "Table"}}}}, want: "users-local@dev"},
		{name: "If false", in: map[string]any{"Fn::If": []any{"IsProd", "info", "debug"}}, want: "debug"},
		{name: "If true", params: map[string]string{"Stage": "prod"}, in: map[string]any{"Fn::If": []any{"IsProd", "info", "debug"}}, want: "info"},
		{name: "If through Not", in: map[string]any{"Fn::If": []any{"NotProd", "yes", "no"}}, want: "yes"},
		{name: "If NoValue", in: map[string]any{"Fn::If": []any{"IsProd", "x", map[string]any{"Ref": "AWS::NoValue"}}}, wantNoVal: true},
		{name: "Join", in: map[string]any{"Fn::Join": []any{",", []any{"a", map[string]any{"Ref": "Stage"}}}}, want: "a,dev"},
		{name: "Select Split", in: map[string]any{"Fn::Select": []any{1, map[string]any{"Fn::Split": []any{",", "a,b,c"}}}}, want: "b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := tpl.Resolver(c.params, refs).ResolveString(c.in)
			if err != nil {
				t.Fatalf("ResolveString: %v", err)
			}
			if c.wantNoVal {
				if ok {
					t.Errorf("got %q, want NoValue", got)
				}
				return
			}
			if !ok || got != c.want {
				t.Errorf("got %q (ok %v), want %q", got, ok, c.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	for name, in := range map[string]any{
		"unknown Ref":           map[string]any{"Ref": "Nope"},
		"unknown GetAtt":        map[string]any{"Fn::GetAtt": []any{"Table", "Nope"}},
		"If without conditions": map[string]any{"Fn::If": []any{"IsProd", "a", "b"}},
		"unsupported":           map[string]any{"Fn::ImportValue": "x"},
		"unclosed Sub":          map[string]any{"Fn::Sub": "${Stage"},
	} {
		if _, err := Resolve(in, map[string]string{"Stage": "dev"}, nil); !errors.Is(err, ErrUnresolved) {
			t.Errorf("%s: got %v, want ErrUnresolved", name, err)
		}
	}
}

func TestResolveStructure(t *testing.T) {
	got, err := Resolve(map[string]any{
		"A": []any{map[string]any{"Ref": "P"}, map[string]any{"Ref": "AWS::NoValue"}},
		"B": map[string]any{"Ref": "AWS::NoValue"},
	}, map[string]string{"P": "p"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if _, ok := m["B"]; ok {
		t.Error("B: got a value, want it left out (AWS::NoValue)")
	}
	if l := m["A"].([]any); len(l) != 1 || l[0] != "p" {
		t.Errorf("A: got %v, want [p]", l)
	}
}
