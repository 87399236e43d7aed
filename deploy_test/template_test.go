// Package deploy_test holds template.yaml to the code: one function resource
// per functions/* folder, one function per route, the narrowest table policy,
// and every environment variable the code reads set in the template.
package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/samtemplate"
)

const (
	templatePath = "../template.yaml"
	functionsDir = "../functions"
	apiID        = "Api"   // the one AWS::Serverless::Api
	tableID      = "Table" // the one table
	queueID      = "MailFailureQueue"
)

// routes are the routes of API.md built so far, each with the folder of the
// function that serves it. A new route is added here with its function.
var routes = []struct{ method, path, folder string }{
	{"POST", "/v1/auth/register", "auth-register"},
	{"POST", "/v1/auth/login", "auth-login"},
	{"POST", "/v1/auth/logout", "auth-logout"},
	{"GET", "/v1/auth/session", "auth-session"},
	{"GET", "/v1/me", "me-get"},
	{"PATCH", "/v1/me", "me-update"},
	{"PUT", "/v1/me/language", "me-language"},
	{"GET", "/v1/locales", "locales"},
	{"POST", "/v1/users", "users-create"},
	{"GET", "/v1/users/{id}", "users-get"},
	{"GET", "/v1/users/exists", "users-exists"},
	{"GET", "/v1/users", "users-search"},
	{"PATCH", "/v1/users/{id}", "users-update"},
	{"DELETE", "/v1/users/{id}", "users-delete"},
	{"PUT", "/v1/users/{id}/password", "users-password"},
	{"POST", "/v1/users/{id}/email/confirm", "users-email-confirm"},
	{"GET", "/v1/users/{id}/events", "users-events"},
	{"GET", "/v1/me/wishlist", "me-wishlist-list"},
	{"PUT", "/v1/me/wishlist/{product_id}", "me-wishlist-put"},
	{"DELETE", "/v1/me/wishlist/{product_id}", "me-wishlist-delete"},
	{"GET", "/v1/me/export", "me-export"},
	{"PUT", "/v1/me/avatar", "me-avatar-put"},
	{"DELETE", "/v1/me/avatar", "me-avatar-delete"},
	{"GET", "/v1/profile-fields", "profile-fields"},
	{"POST", "/v1/auth/admin/login", "auth-admin-login"},
	{"POST", "/v1/auth/password/forgot", "auth-password-forgot"},
	{"POST", "/v1/auth/password/reset", "auth-password-reset"},
	{"POST", "/v1/auth/email/verification", "auth-email-verification"},
	{"POST", "/v1/auth/email/confirm", "auth-email-confirm"},
	{"POST", "/v1/auth/mfa", "auth-mfa"},
	{"PUT", "/v1/me/password", "me-password"},
	{"DELETE", "/v1/me", "me-delete"},
	{"GET", "/v1/me/sessions", "me-sessions-list"},
	{"DELETE", "/v1/me/sessions/{session_id}", "me-sessions-delete"},
	{"POST", "/v1/me/mfa/totp", "me-mfa-totp-begin"},
	{"POST", "/v1/me/mfa/totp/confirm", "me-mfa-totp-confirm"},
	{"DELETE", "/v1/me/mfa/totp", "me-mfa-totp-delete"},
	{"GET", "/v1/me/events", "me-events"},
	{"GET", "/.well-known/openid-configuration", "well-known-openid-configuration"},
	{"GET", "/.well-known/jwks.json", "well-known-jwks"},
}

// readOnly are the functions that only read the table: they get
// DynamoDBReadPolicy, never a template that can write.
var readOnly = map[string]bool{
	"well-known-jwks": true,
}

// noTable are the functions that never touch the table: they get no table policy at all.
var noTable = map[string]bool{
	"locales":                         true,
	"profile-fields":                  true,
	"well-known-openid-configuration": true,
}

// SAM policy templates on the table, and those of them that can change it.
var (
	tablePolicies = []string{
		"DynamoDBReadPolicy", "DynamoDBCrudPolicy", "DynamoDBWritePolicy",
		"DynamoDBReconfigurePolicy", "DynamoDBStreamReadPolicy",
		"DynamoDBBackupFullAccessAndStreamReadPolicy", "DynamoDBRestoreFromBackupPolicy",
	}
	tableWritePolicies = []string{
		"DynamoDBCrudPolicy", "DynamoDBWritePolicy", "DynamoDBReconfigurePolicy",
		"DynamoDBBackupFullAccessAndStreamReadPolicy", "DynamoDBRestoreFromBackupPolicy",
	}
)

func load(t *testing.T) (*samtemplate.Template, []samtemplate.Function) {
	t.Helper()
	tpl, err := samtemplate.Load(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	return tpl, fns
}

// folders returns the names of the folders under functions/.
func folders(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(functionsDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestEveryFolderHasOneFunctionAndTheReverse(t *testing.T) {
	tpl, fns := load(t)
	dirs := folders(t)
	for _, dir := range dirs {
		id := samtemplate.LogicalID(dir)
		r, ok := tpl.Resources[id]
		if !ok {
			t.Errorf("functions/%s has no %s resource %s in template.yaml", dir, samtemplate.TypeFunction, id)
			continue
		}
		if r.Type != samtemplate.TypeFunction {
			t.Errorf("%s (for functions/%s) is a %s, want %s", id, dir, r.Type, samtemplate.TypeFunction)
		}
		if _, err := os.Stat(filepath.Join(functionsDir, dir, "main.go")); err != nil {
			t.Errorf("functions/%s has no main.go", dir)
		}
	}
	for _, f := range fns {
		if !slices.Contains(dirs, f.Folder) {
			t.Errorf("%s: no folder functions/%s (logical IDs are the folder in CamelCase plus Function)", f.LogicalID, f.Folder)
		}
		if got := samtemplate.LogicalID(f.Folder); got != f.LogicalID {
			t.Errorf("%s: folder %q maps back to %s, want the same ID", f.LogicalID, f.Folder, got)
		}
	}
}

func TestEveryFunctionBuildsTheSameWay(t *testing.T) {
	tpl, fns := load(t)
	for _, f := range fns {
		r := tpl.Resources[f.LogicalID]
		if got := r.Properties["CodeUri"]; got != "." {
			t.Errorf("%s: CodeUri %v, want .", f.LogicalID, got)
		}
		if got := r.Metadata["BuildMethod"]; got != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod %v, want makefile", f.LogicalID, got)
		}
		if got := f.Properties["Runtime"]; got != "provided.al2023" {
			t.Errorf("%s: Runtime %v, want provided.al2023", f.LogicalID, got)
		}
		if got := f.Properties["Handler"]; got != "bootstrap" {
			t.Errorf("%s: Handler %v, want bootstrap", f.LogicalID, got)
		}
		if got, _ := f.Properties["Architectures"].([]any); !slices.Equal(got, []any{"arm64"}) {
			t.Errorf("%s: Architectures %v, want [arm64]", f.LogicalID, got)
		}
	}
}

func TestEveryRouteHasExactlyOneFunction(t *testing.T) {
	_, fns := load(t)
	served := map[string][]string{} // "METHOD path" -> logical IDs
	for _, f := range fns {
		for _, e := range f.APIEvents() {
			if e.RestAPIID != apiID {
				t.Errorf("%s %s %s: RestApiId %q, want !Ref %s (not SAM's implicit API)", f.LogicalID, e.Method, e.Path, e.RestAPIID, apiID)
			}
			key := e.Method + " " + e.Path
			served[key] = append(served[key], f.LogicalID)
		}
	}
	for key, ids := range served {
		if len(ids) > 1 {
			t.Errorf("%s is served by %d functions, want 1: %v", key, len(ids), ids)
		}
	}
	for _, r := range routes {
		key := r.method + " " + r.path
		ids := served[key]
		if len(ids) != 1 {
			t.Errorf("%s: served by %v, want exactly one function", key, ids)
			continue
		}
		if want := samtemplate.LogicalID(r.folder); ids[0] != want {
			t.Errorf("%s: served by %s, want %s", key, ids[0], want)
		}
	}
}

// policyTemplates returns the SAM policy template names in a function's
// Policies, and fails on a managed policy named as a plain string: each
// function gets templates scoped to our resources, nothing broader.
func policyTemplates(t *testing.T, id string, policies any) map[string]any {
	t.Helper()
	out := map[string]any{}
	list, _ := policies.([]any)
	if s, ok := policies.(string); ok {
		list = []any{s}
	}
	for _, p := range list {
		switch x := p.(type) {
		case string:
			t.Errorf("%s: managed policy %q; use the narrowest SAM policy template instead", id, x)
		case map[string]any:
			if _, ok := x["Statement"]; ok {
				continue // an inline statement
			}
			for name, args := range x {
				out[name] = args
			}
		}
	}
	return out
}

func TestTablePolicyIsTheNarrowest(t *testing.T) {
	tpl, fns := load(t)
	if p, ok := tpl.Globals.Function["Policies"]; ok {
		t.Errorf("Globals.Function.Policies is %v; policies belong to each function", p)
	}
	for _, f := range fns {
		templates := policyTemplates(t, f.LogicalID, f.Properties["Policies"])
		var onTable []string
		for name, args := range templates {
			if !slices.Contains(tablePolicies, name) {
				continue
			}
			onTable = append(onTable, name)
			ref, _ := args.(map[string]any)["TableName"].(map[string]any)
			if ref["Ref"] != tableID {
				t.Errorf("%s: %s on TableName %v, want !Ref %s", f.LogicalID, name, args, tableID)
			}
		}
		sort.Strings(onTable)
		if noTable[f.Folder] {
			if len(onTable) > 0 {
				t.Errorf("%s never touches the table: table policies %v, want none", f.LogicalID, onTable)
			}
			continue
		}
		if readOnly[f.Folder] {
			if !slices.Equal(onTable, []string{"DynamoDBReadPolicy"}) {
				t.Errorf("%s only reads the table: table policies %v, want [DynamoDBReadPolicy]", f.LogicalID, onTable)
			}
			continue
		}
		if len(onTable) != 1 || !slices.Contains(tableWritePolicies, onTable[0]) {
			t.Errorf("%s writes the table: table policies %v, want one that can write (DynamoDBCrudPolicy); if it only reads, add it to readOnly", f.LogicalID, onTable)
		}
	}
}

func TestEveryVariableTheCodeReadsIsSet(t *testing.T) {
	_, fns := load(t)
	vars := config.Variables()
	if len(vars) == 0 {
		t.Fatal("config.Variables() is empty")
	}
	for _, f := range fns {
		var missing []string
		for _, v := range vars {
			if _, ok := f.Environment[v]; !ok {
				missing = append(missing, v)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: environment lacks %s, which pkg/config reads", f.LogicalID, strings.Join(missing, ", "))
		}
	}
}

// The template's parameter defaults must make a configuration the code
// accepts, so a deploy without overrides starts.
func TestDefaultEnvironmentLoads(t *testing.T) {
	tpl, fns := load(t)
	refs := map[string]string{tableID: "userbase-Table-1", "AvatarBucket": "userbase-avatarbucket-1",
		"SecretsKey.Arn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
	res := tpl.Resolver(nil, refs)
	for _, f := range fns {
		t.Run(f.Folder, func(t *testing.T) {
			for name, v := range f.Environment {
				s, ok, err := res.ResolveString(v)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if ok {
					t.Setenv(name, s)
				}
			}
			if _, err := config.Load(); err != nil {
				t.Errorf("with the template's defaults: %v", err)
			}
		})
	}
}

// API Gateway's own errors (unknown route, throttling, body too large, a
// crashed function) answer problem+json with our stable codes, as ours do.
func TestGatewayResponsesAreProblems(t *testing.T) {
	tpl, _ := load(t)
	api, err := tpl.API(apiID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"MISSING_AUTHENTICATION_TOKEN": "not_found",
		"DEFAULT_4XX":                  "bad_request",
		"DEFAULT_5XX":                  "internal",
		"REQUEST_TOO_LARGE":            "payload_too_large",
		"THROTTLED":                    "rate_limited",
		"QUOTA_EXCEEDED":               "rate_limited",
		"INVALID_API_KEY":              "forbidden",
	}
	for typ, code := range want {
		if gr, ok := api.GatewayResponses[typ]; !ok {
			t.Errorf("no gateway response %s (want code %s)", typ, code)
		} else if got := problemCode(t, typ, gr); got != code {
			t.Errorf("%s: code %q, want %q", typ, got, code)
		}
	}
	for typ, gr := range api.GatewayResponses {
		if _, ok := want[typ]; !ok {
			problemCode(t, typ, gr)
		}
	}
	for _, m := range []string{"multipart/form-data", "image/*"} {
		if !slices.Contains(api.BinaryMediaTypes, m) {
			t.Errorf("BinaryMediaTypes %v lack %s", api.BinaryMediaTypes, m)
		}
	}
}

// problemCode checks that gr is a problem+json answer whose status matches
// its own, and returns its code.
func problemCode(t *testing.T, typ string, gr samtemplate.GatewayResponse) string {
	t.Helper()
	if got := gr.Headers["Content-Type"]; got != "application/problem+json" {
		t.Errorf("%s: Content-Type %q, want application/problem+json", typ, got)
	}
	body := strings.ReplaceAll(gr.Templates["application/json"], "$context.requestId", "req-1")
	var p struct {
		Type, Title, Code string
		Status            int
		RequestID         string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Errorf("%s: body %q is not JSON: %v", typ, body, err)
		return ""
	}
	if p.Type != "about:blank" || p.Title == "" || p.RequestID != "req-1" {
		t.Errorf("%s: body %s, want type about:blank, a title and request_id $context.requestId", typ, body)
	}
	if p.Status == 0 || p.Status != gr.StatusCode {
		t.Errorf("%s: body status %d, StatusCode %d; want them set and equal", typ, p.Status, gr.StatusCode)
	}
	return p.Code
}

func TestTableMatchesConventions(t *testing.T) {
	tpl, _ := load(t)
	r, ok := tpl.Resources[tableID]
	if !ok || r.Type != samtemplate.TypeTable {
		t.Fatalf("no %s resource %s", samtemplate.TypeTable, tableID)
	}
	p := r.Properties
	keys := map[string]string{}
	for _, k := range p["KeySchema"].([]any) {
		m := k.(map[string]any)
		keys[m["KeyType"].(string)] = m["AttributeName"].(string)
	}
	if keys["HASH"] != "pk" || keys["RANGE"] != "sk" {
		t.Errorf("key schema %v, want pk HASH and sk RANGE", keys)
	}
	if got := p["TimeToLiveSpecification"].(map[string]any)["AttributeName"]; got != "expires_at" {
		t.Errorf("TTL attribute %v, want expires_at", got)
	}
	if got := p["StreamSpecification"].(map[string]any)["StreamViewType"]; got != "NEW_IMAGE" {
		t.Errorf("stream view %v, want NEW_IMAGE", got)
	}
}

func TestMailerReadsTheOutboxFromTheStream(t *testing.T) {
	_, fns := load(t)
	var mailer *samtemplate.Function
	for i := range fns {
		if fns[i].Folder == "mailer" {
			mailer = &fns[i]
		}
	}
	if mailer == nil {
		t.Fatal("no MailerFunction")
	}
	evs := mailer.DynamoDBEvents()
	if len(evs) != 1 {
		t.Fatalf("mailer has %d DynamoDB events, want 1", len(evs))
	}
	e := evs[0]
	if e.Table != tableID {
		t.Errorf("mailer stream of %q, want !GetAtt %s.StreamArn", e.Table, tableID)
	}
	if len(e.FilterPatterns) != 1 || !strings.Contains(e.FilterPatterns[0], `"prefix":"OUTBOX#"`) ||
		!strings.Contains(e.FilterPatterns[0], `"INSERT"`) {
		t.Errorf("mailer filters %v, want one on INSERT of pk prefix OUTBOX#", e.FilterPatterns)
	}
	if !e.BisectBatchOnFunctionError || e.MaximumRetryAttempts < 0 {
		t.Errorf("mailer retries: bisect %v, max attempts %d; want bisection and a bounded count", e.BisectBatchOnFunctionError, e.MaximumRetryAttempts)
	}
	dest, _ := e.OnFailure.(map[string]any)
	if att, _ := dest["Fn::GetAtt"].([]any); len(att) != 2 || att[0] != queueID {
		t.Errorf("mailer on-failure destination %v, want !GetAtt %s.Arn", e.OnFailure, queueID)
	}
	if len(mailer.APIEvents()) != 0 {
		t.Errorf("mailer has Api events %v, want none", mailer.APIEvents())
	}
}

// kmsUsers are the functions that call KMS on the stack's key, with the calls each makes:
// keys-init makes the data key; a function that mints tokens or opens sealed secrets
// needs kms:Decrypt. Every other function gets no KMS permission at all.
var kmsUsers = map[string][]string{
	"keys-init": {"kms:Decrypt", "kms:GenerateDataKey"},
}

// The stack's KMS key, the custom resource that makes the key ring, and KMS permissions
// only where the code calls KMS.
func TestSecretsKeyAndKeyRing(t *testing.T) {
	tpl, fns := load(t)
	keys := tpl.ResourcesOfType("AWS::KMS::Key")
	if len(keys) != 1 || keys[0] != "SecretsKey" {
		t.Fatalf("KMS keys %v, want one, SecretsKey", keys)
	}
	p := tpl.Resources["SecretsKey"].Properties
	if p["KeySpec"] != "SYMMETRIC_DEFAULT" || p["KeyUsage"] != "ENCRYPT_DECRYPT" {
		t.Errorf("SecretsKey: KeySpec %v, KeyUsage %v; want a symmetric encryption key", p["KeySpec"], p["KeyUsage"])
	}
	ring, ok := tpl.Resources["KeyRing"]
	if !ok || !strings.HasPrefix(ring.Type, "Custom::") {
		t.Fatalf("no KeyRing custom resource")
	}
	att, _ := ring.Properties["ServiceToken"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(att) != 2 || att[0] != samtemplate.LogicalID("keys-init") || att[1] != "Arn" {
		t.Errorf("KeyRing ServiceToken %v, want !GetAtt %s.Arn", ring.Properties["ServiceToken"], samtemplate.LogicalID("keys-init"))
	}
	for _, f := range fns {
		var actions []string
		list, _ := f.Properties["Policies"].([]any)
		for _, pol := range list {
			m, _ := pol.(map[string]any)
			stmts, _ := m["Statement"].([]any)
			for _, s := range stmts {
				st, _ := s.(map[string]any)
				var acts []string
				switch a := st["Action"].(type) {
				case string:
					acts = []string{a}
				case []any:
					for _, x := range a {
						acts = append(acts, fmt.Sprint(x))
					}
				}
				kms := false
				for _, a := range acts {
					if strings.HasPrefix(a, "kms:") {
						kms = true
						actions = append(actions, a)
					}
				}
				if res, _ := st["Resource"].(map[string]any); kms && !reflect.DeepEqual(res["Fn::GetAtt"], []any{"SecretsKey", "Arn"}) {
					t.Errorf("%s: KMS actions %v on %v, want on !GetAtt SecretsKey.Arn only", f.LogicalID, acts, st["Resource"])
				}
			}
			for name := range m {
				if strings.HasPrefix(name, "KMS") {
					t.Errorf("%s: SAM policy template %s; name the KMS calls on SecretsKey in a statement", f.LogicalID, name)
				}
			}
		}
		sort.Strings(actions)
		if want := kmsUsers[f.Folder]; !slices.Equal(actions, want) {
			t.Errorf("%s: KMS actions %v, want %v", f.LogicalID, actions, want)
		}
	}
}
