package localstack

import (
	"fmt"
	"strings"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// SamLocalEnv is what `sam local start-api --env-vars env.json` gives every function to run
// against a `make local` stack on its default ports: the SDK's endpoint overrides, and the
// variables whose value names a resource of the stack (its table, bucket, key, …) or a
// parameter LocalParameters sets, with the local stack's values. env.json holds it; a test
// keeps the two equal.
func SamLocalEnv(tpl *samtemplate.Template) (map[string]string, error) {
	params := withAPIPort(LocalParameters(), samLocalPort)
	res := tpl.Resolver(params, nil)
	res.Refs = localRefs(tpl, res)
	out := map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": fmt.Sprintf("http://127.0.0.1:%d", DefaultDynamoPort),
		"AWS_ENDPOINT_URL_S3":       fmt.Sprintf("http://127.0.0.1:%d", DefaultS3Port),
		"AWS_ENDPOINT_URL_SES":      fmt.Sprintf("http://127.0.0.1:%d", DefaultSESPort),
		"AWS_ENDPOINT_URL_KMS":      fmt.Sprintf("http://127.0.0.1:%d", DefaultKMSPort),
	}
	vars, _ := tpl.Globals.Function["Environment"].(map[string]any)["Variables"].(map[string]any)
	for name, v := range vars {
		if _, set := out[name]; set || !local(tpl, params, v) {
			continue
		}
		s, ok, err := res.ResolveString(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if ok {
			out[name] = s
		}
	}
	return out, nil
}

// samLocalPort is where `sam local start-api` listens unless told otherwise.
const samLocalPort = 3000

// local reports whether a template value names a resource, the stack, or a parameter of
// params: a value that differs between the local stack and sam local's defaults.
func local(tpl *samtemplate.Template, params map[string]string, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "Ref":
				name := fmt.Sprint(e)
				if _, ok := tpl.Resources[name]; ok || name == "AWS::StackName" || params[name] != "" {
					return true
				}
			case "Fn::GetAtt":
				return true
			case "Fn::Sub":
				s, _ := e.(string)
				for id := range tpl.Resources {
					if strings.Contains(s, "${"+id+"}") || strings.Contains(s, "${"+id+".") {
						return true
					}
				}
				if strings.Contains(s, "${AWS::StackName}") {
					return true
				}
			}
			if local(tpl, params, e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if local(tpl, params, e) {
				return true
			}
		}
	}
	return false
}
