//go:build linux

package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// deployRegion and deployAccount stand for where the stack is deployed.
const (
	deployRegion  = "eu-west-1"
	deployAccount = "123456789012"
	deployStack   = "userbase"
)

// deployedEnv gives each function the environment a deployed copy of it has: its
// Environment.Variables from template.yaml (Globals merged) resolved with the template's
// parameter defaults and deployed-looking resource names, plus what Lambda itself sets.
type deployedEnv struct {
	tpl   *samtemplate.Template
	res   samtemplate.Resolver
	first string // the first function's folder, whose variables hello-world gets
	// unset lists the variables config.Variables names that no function's template
	// environment sets; they stay unset, so config's defaults apply.
	unset []string
}

func newDeployedEnv(templatePath string) (*deployedEnv, error) {
	tpl, err := samtemplate.Load(templatePath)
	if err != nil {
		return nil, err
	}
	fns, err := tpl.Functions()
	if err != nil {
		return nil, err
	}
	if len(fns) == 0 {
		return nil, fmt.Errorf("%s declares no function", templatePath)
	}
	e := &deployedEnv{tpl: tpl, res: tpl.Resolver(nil, deployedRefs(tpl)), first: fns[0].Folder}
	set := map[string]bool{}
	for _, f := range fns {
		for k := range f.Environment {
			set[k] = true
		}
	}
	for _, v := range config.Variables() {
		if !set[v] {
			e.unset = append(e.unset, v)
		}
	}
	return e, nil
}

// deployedRefs names every resource as CloudFormation would name it in a stack called
// deployStack: what Ref and the usual Fn::GetAtt attributes give.
func deployedRefs(tpl *samtemplate.Template) map[string]string {
	refs := map[string]string{}
	arn := func(service, rest string) string {
		return "arn:aws:" + service + ":" + deployRegion + ":" + deployAccount + ":" + rest
	}
	for _, id := range slices.Sorted(maps.Keys(tpl.Resources)) {
		name := deployStack + "-" + id + "-1A2B3C4D5E6F"
		switch tpl.Resources[id].Type {
		case samtemplate.TypeTable:
			refs[id] = name
			refs[id+".Arn"] = arn("dynamodb", "table/"+name)
			refs[id+".StreamArn"] = arn("dynamodb", "table/"+name+"/stream/2026-01-01T00:00:00.000")
		case samtemplate.TypeBucket:
			name = strings.ToLower(name)
			refs[id] = name
			refs[id+".Arn"] = "arn:aws:s3:::" + name
			refs[id+".DomainName"] = name + ".s3.amazonaws.com"
			refs[id+".RegionalDomainName"] = name + ".s3." + deployRegion + ".amazonaws.com"
		case samtemplate.TypeFunction:
			refs[id] = name
			refs[id+".Arn"] = arn("lambda", "function:"+name)
		case "AWS::KMS::Key":
			refs[id] = "1234abcd-12ab-34cd-56ef-1234567890ab"
			refs[id+".Arn"] = arn("kms", "key/"+refs[id])
		default:
			refs[id] = name
			refs[id+".Arn"] = arn("local", name)
		}
	}
	refs[samtemplate.ImplicitAPIID] = "abc123defg"
	return refs
}

// function is the environment of functions/<folder>, with the Runtime API at api.
func (e *deployedEnv) function(folder, api string) ([]string, error) {
	id := samtemplate.LogicalID(folder)
	f, err := e.tpl.Function(id)
	if err != nil {
		return nil, fmt.Errorf("functions/%s: %w", folder, err)
	}
	env := lambdaEnv(e.res.Refs[id], f.MemorySize, api)
	for _, k := range slices.Sorted(maps.Keys(f.Environment)) {
		v, ok, err := e.res.ResolveString(f.Environment[k])
		if err != nil {
			return nil, fmt.Errorf("%s: environment variable %s: %w", id, k, err)
		}
		if ok {
			env = append(env, k+"="+v)
		}
	}
	return env, nil
}

// hello is the first function's environment under hello-world's own name: the same
// amount of environment to read, none of which it uses.
func (e *deployedEnv) hello(api string) []string {
	env, err := e.function(e.first, api)
	if err != nil {
		env = lambdaEnv("", 0, api)
	}
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_LAMBDA_FUNCTION_NAME=") {
			env[i] = "AWS_LAMBDA_FUNCTION_NAME=" + deployStack + "-HelloWorld-1A2B3C4D5E6F"
		}
	}
	return env
}

// lambdaEnv is what Lambda itself sets for a provided.al2023 function called name with
// memoryMB of memory (nothing is inherited from this process).
func lambdaEnv(name string, memoryMB int, api string) []string {
	if memoryMB <= 0 {
		memoryMB = samtemplate.DefaultMemorySize
	}
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(memoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
		"AWS_REGION=" + deployRegion,
		"AWS_DEFAULT_REGION=" + deployRegion,
		"AWS_ACCESS_KEY_ID=ASIAXXXXXXXXXXXXXXXX",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIbenchEXAMPLEKEYxxxxxxxxxxxx",
		"AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEBenchSessionTokenExampleOnly" + strings.Repeat("x", 600),
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=/var/task",
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
}
