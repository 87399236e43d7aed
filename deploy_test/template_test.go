// Package deploy_test holds template.yaml to the code: one function resource
// per functions/* folder, one function per route, every function's policy exactly
// what its code calls (iam_test.go), and every environment variable the code
// reads set in the template.
package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/samtemplate"
)

const (
	templatePath = "../template.yaml"
	functionsDir = "../functions"
	apiID        = "Api"   // the one AWS::Serverless::Api
	tableID      = "Table" // the one table
	queueID      = "MailFailureQueue"
)

// routes are the routes of docs/api.md built so far, each with the folder of the
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
	{"POST", "/v1/auth/reauthenticate", "auth-reauthenticate"},
	{"POST", "/v1/auth/email/revert", "auth-email-revert"},
	{"POST", "/v1/auth/token", "auth-token"},
	{"GET", "/.well-known/openid-configuration", "well-known-openid-configuration"},
	{"GET", "/.well-known/jwks.json", "well-known-jwks"},
	{"POST", "/v1/auth/passkey/options", "auth-passkey-options"},
	{"POST", "/v1/auth/passkey", "auth-passkey"},
	{"POST", "/v1/auth/email/code", "auth-email-code"},
	{"POST", "/v1/auth/email/code/verify", "auth-email-code-verify"},
	{"GET", "/v1/me/passkeys", "me-passkeys-list"},
	{"POST", "/v1/me/passkeys/options", "me-passkeys-options"},
	{"POST", "/v1/me/passkeys", "me-passkeys-add"},
	{"DELETE", "/v1/me/passkeys/{id}", "me-passkeys-delete"},
	{"GET", "/account", "account-pages"},
	{"GET", "/account/{proxy+}", "account-pages"},
	{"POST", "/account/qr", "account-pages"},
	{"DELETE", "/v1/users/{id}/mail-suppression", "users-mail-suppression-delete"},
}

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
	refs := map[string]string{tableID: "userbase-Table-1", "AvatarBucket": "userbase-avatarbucket-1", apiID: "abc123defg", "MailConfigurationSet": "userbase-mail",
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

// gatewayCodes is the problem code of every response type API Gateway has for a REST API.
// Each answers with the status the catalogue gives its code, except the two DEFAULT ones:
// they stand for whatever type has no entry and keep that type's status.
var gatewayCodes = map[string]apperr.Code{
	"ACCESS_DENIED":                  apperr.Forbidden,
	"API_CONFIGURATION_ERROR":        apperr.Internal,
	"AUTHORIZER_CONFIGURATION_ERROR": apperr.Internal,
	"AUTHORIZER_FAILURE":             apperr.Internal,
	"BAD_REQUEST_BODY":               apperr.BadRequest,
	"BAD_REQUEST_PARAMETERS":         apperr.BadRequest,
	"EXPIRED_TOKEN":                  apperr.Forbidden,
	"INTEGRATION_FAILURE":            apperr.GatewayTimeout,
	"INTEGRATION_TIMEOUT":            apperr.GatewayTimeout,
	"INVALID_API_KEY":                apperr.InvalidAPIKey,
	"INVALID_SIGNATURE":              apperr.Forbidden,
	"MISSING_AUTHENTICATION_TOKEN":   apperr.NotFound,
	"QUOTA_EXCEEDED":                 apperr.QuotaExceeded,
	"REQUEST_TOO_LARGE":              apperr.PayloadTooLarge,
	"RESOURCE_NOT_FOUND":             apperr.NotFound,
	"THROTTLED":                      apperr.RateLimited,
	"UNAUTHORIZED":                   apperr.Unauthenticated,
	"UNSUPPORTED_MEDIA_TYPE":         apperr.UnsupportedMediaType,
	"WAF_FILTERED":                   apperr.Forbidden,
	"DEFAULT_4XX":                    apperr.BadRequest,
	"DEFAULT_5XX":                    apperr.Internal,
}

// API Gateway's own answers are problem+json with our stable codes and their real status
// (none forced to 400 or 500), with HSTS and the CORS headers echoing the request's Origin.
func TestGatewayResponsesAreProblems(t *testing.T) {
	tpl, _ := load(t)
	api, err := tpl.API(apiID)
	if err != nil {
		t.Fatal(err)
	}
	for typ, code := range gatewayCodes {
		gr, ok := api.GatewayResponses[typ]
		if !ok {
			t.Errorf("no gateway response %s (want code %s)", typ, code)
			continue
		}
		p := problem(t, typ, gr)
		if p.Code != string(code) {
			t.Errorf("%s: code %q, want %q", typ, p.Code, code)
		}
		if strings.HasPrefix(typ, "DEFAULT_") {
			// The status of the type it stands for: a StatusCode here would replace the
			// status of every response of its class.
			if gr.StatusCode != 0 || p.Status != nil {
				t.Errorf("%s: StatusCode %d, body status %v; want neither, so the original status stays", typ, gr.StatusCode, p.Status)
			}
			continue
		}
		want := apperr.Status(code)
		if gr.StatusCode != want || p.Status == nil || *p.Status != want {
			t.Errorf("%s: StatusCode %d, body status %v; want %d, the status of %s", typ, gr.StatusCode, p.Status, want, code)
		}
	}
	for typ := range api.GatewayResponses {
		if _, ok := gatewayCodes[typ]; !ok {
			t.Errorf("gateway response %s is not a type this test knows", typ)
		}
	}
	if got := api.GatewayResponses["THROTTLED"].Headers["Retry-After"]; got == "" {
		t.Error("THROTTLED has no Retry-After")
	}
	if got := api.GatewayResponses["UNAUTHORIZED"].Headers["WWW-Authenticate"]; got != "Bearer" {
		t.Errorf("UNAUTHORIZED WWW-Authenticate %q, want Bearer", got)
	}
	for _, m := range []string{"multipart/form-data", "image/*"} {
		if !slices.Contains(api.BinaryMediaTypes, m) {
			t.Errorf("BinaryMediaTypes %v lack %s", api.BinaryMediaTypes, m)
		}
	}
}

type gatewayProblem struct {
	Type, Title, Code string
	Status            *int
	RequestID         string `json:"request_id"`
}

// problem checks the headers and body every gateway response shares and returns the body.
func problem(t *testing.T, typ string, gr samtemplate.GatewayResponse) gatewayProblem {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Type":                  "application/problem+json",
		"Strict-Transport-Security":     httpapi.HSTS,
		"Access-Control-Expose-Headers": httpapi.CORSExposeHeaders,
		"Vary":                          "Origin",
	} {
		if got := gr.Headers[name]; got != want {
			t.Errorf("%s: %s %q, want '%s'", typ, name, got, want)
		}
	}
	if got := gr.Mapped["Access-Control-Allow-Origin"]; got != "method.request.header.Origin" {
		t.Errorf("%s: Access-Control-Allow-Origin maps %q, want method.request.header.Origin", typ, got)
	}
	body := gr.Templates["application/json"]
	body = strings.ReplaceAll(body, "$context.requestId", "req-1")
	body = strings.ReplaceAll(body, "$context.error.messageString", `"message"`)
	var p gatewayProblem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Errorf("%s: body %q is not JSON: %v", typ, body, err)
		return p
	}
	if p.Type != "about:blank" || p.Title == "" || p.RequestID != "req-1" {
		t.Errorf("%s: body %s, want type about:blank, a title and request_id $context.requestId", typ, body)
	}
	if _, ok := slices.BinarySearch(sortedCodes(), apperr.Code(p.Code)); !ok {
		t.Errorf("%s: code %q is not in pkg/apperr's catalogue", typ, p.Code)
	}
	return p
}

func sortedCodes() []apperr.Code {
	c := apperr.Codes()
	slices.Sort(c)
	return c
}

// fallbackID is the function that answers preflights, 405s and 404s.
var fallbackID = samtemplate.LogicalID("api-fallback")

// The fallback function has ANY on every resource path the route functions use, on "/" and
// on /{proxy+}, without an API key; nothing else has ANY; it runs under one permission.
func TestFallbackCoversEveryPath(t *testing.T) {
	tpl, fns := load(t)
	routes, err := tpl.Routes(apiID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"/": true, "/{proxy+}": true}
	got := map[string]bool{}
	for _, r := range routes {
		if r.Function != fallbackID {
			want[r.Path] = true
			if r.Method == "ANY" {
				t.Errorf("%s serves ANY %s: only the fallback may, or no 405 or preflight reaches it", r.Function, r.Path)
			}
			continue
		}
		if r.Method != "ANY" || r.Event != "" {
			t.Errorf("fallback %s %s (event %q): want ANY, written in the Api's DefinitionBody", r.Method, r.Path, r.Event)
		}
		got[r.Path] = true
	}
	for p := range want {
		if !got[p] {
			t.Errorf("%s: no ANY of %s in the Api's DefinitionBody; copy a line there", p, fallbackID)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("%s: %s has ANY there but no function serves the path", p, fallbackID)
		}
	}
	for _, f := range fns {
		if f.LogicalID == fallbackID && len(f.Events) > 0 {
			t.Errorf("%s has events %v: each would add a permission; it is reached through the DefinitionBody", fallbackID, f.Events)
		}
	}

	// No API key on the fallback: a browser's preflight has none.
	api, _ := tpl.API(apiID)
	paths, _ := api.Properties["DefinitionBody"].(map[string]any)["paths"].(map[string]any)
	marker := map[string]any{"Fn::If": []any{"ApiKeyOn", []any{map[string]any{"api_key_false": []any{}}}, []any{}}}
	for p, item := range paths {
		op, _ := item.(map[string]any)["x-amazon-apigateway-any-method"].(map[string]any)
		if diff := cmp.Diff(marker, op["security"]); diff != "" {
			t.Errorf("%s: security (-want +got):\n%s", p, diff)
		}
	}
	if merge, _ := api.Properties["MergeDefinitions"].(bool); !merge {
		t.Error("the Api lacks MergeDefinitions: true, so SAM would leave the route functions out of its DefinitionBody")
	}

	perm, ok := tpl.Resources["ApiFallbackPermission"]
	if !ok || perm.Type != "AWS::Lambda::Permission" {
		t.Fatal("no AWS::Lambda::Permission ApiFallbackPermission")
	}
	wantPerm := map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": map[string]any{"Ref": fallbackID},
		"Principal":    "apigateway.amazonaws.com",
		"SourceArn":    map[string]any{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + apiID + "}/*"},
	}
	if diff := cmp.Diff(wantPerm, perm.Properties); diff != "" {
		t.Errorf("ApiFallbackPermission (-want +got):\n%s", diff)
	}
}

// The fallback answers from routes_gen.go, generated from this template.
func TestFallbackTableMatchesTemplate(t *testing.T) {
	tpl, _ := load(t)
	routes, err := tpl.Routes(apiID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, r := range routes {
		if r.Function != fallbackID {
			want[r.Path] = append(want[r.Path], r.Method)
		}
	}
	for _, ms := range want {
		slices.Sort(ms)
	}
	if diff := cmp.Diff(want, httpapi.APIRoutes()); diff != "" {
		t.Errorf("pkg/httpapi/routes_gen.go is stale; run go generate ./pkg/httpapi (-template +table):\n%s", diff)
	}
}

// Each Api event adds a statement of about 400 bytes to its function's resource policy,
// which holds 20 KB; keep every function far from it.
func TestResourcePoliciesStaySmall(t *testing.T) {
	_, fns := load(t)
	for _, f := range fns {
		if n := len(f.APIEvents()); n*400 > 20480/4 {
			t.Errorf("%s has %d Api events, about %d bytes of resource policy: use one permission with a wildcard source ARN", f.LogicalID, n, n*400)
		}
	}
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
	if got := p["StreamSpecification"].(map[string]any)["StreamViewType"]; got != "NEW_AND_OLD_IMAGES" {
		t.Errorf("stream view %v, want NEW_AND_OLD_IMAGES (the user-stream function needs the old images)", got)
	}
}

// The search postings are written from the stream of profile items, retried from the
// first record not done, bisected, and parked in their own queue.
func TestUserStreamIndexesProfilesFromTheStream(t *testing.T) {
	_, fns := load(t)
	var f *samtemplate.Function
	for i := range fns {
		if fns[i].Folder == "user-stream" {
			f = &fns[i]
		}
	}
	if f == nil {
		t.Fatal("no UserStreamFunction")
	}
	evs := f.DynamoDBEvents()
	if len(evs) != 1 || len(f.APIEvents()) != 0 {
		t.Fatalf("user-stream has %d DynamoDB events and %d Api events, want 1 and none", len(evs), len(f.APIEvents()))
	}
	e := evs[0]
	if e.Table != tableID {
		t.Errorf("user-stream reads the stream of %q, want !GetAtt %s.StreamArn", e.Table, tableID)
	}
	if len(e.FilterPatterns) != 1 || !strings.Contains(e.FilterPatterns[0], `"prefix":"USER#"`) ||
		!strings.Contains(e.FilterPatterns[0], `"sk":{"S":["PROFILE"]}`) || strings.Contains(e.FilterPatterns[0], "eventName") {
		t.Errorf("user-stream filters %v, want one on the keys of profile items, every event name", e.FilterPatterns)
	}
	if !e.BisectBatchOnFunctionError || e.MaximumRetryAttempts < 0 || !slices.Contains(e.FunctionResponseTypes, "ReportBatchItemFailures") {
		t.Errorf("user-stream retries: bisect %v, max attempts %d, response types %v; want bisection, a bounded count and ReportBatchItemFailures",
			e.BisectBatchOnFunctionError, e.MaximumRetryAttempts, e.FunctionResponseTypes)
	}
	dest, _ := e.OnFailure.(map[string]any)
	if att, _ := dest["Fn::GetAtt"].([]any); len(att) != 2 || att[0] != "IndexFailureQueue" {
		t.Errorf("user-stream on-failure destination %v, want !GetAtt IndexFailureQueue.Arn", e.OnFailure)
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

// The stack's KMS key, the custom resource that makes the key ring, and KMS permissions
// on that key only.
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
	}
	// Which functions call KMS, and which calls, TestPoliciesAreWhatTheCodeCalls derives
	// from the code.
}

// The authorizer protects APIs on other domains, so its issuer cannot come from the
// request: ISSUER is set, to exactly what the Issuer output says, with or without the
// Issuer parameter. It is attached to no route of this Api, and its ARN is an output.
func TestAuthorizerIssuerIsTheIssuerOutput(t *testing.T) {
	tpl, _ := load(t)
	id := samtemplate.LogicalID("authorizer")
	f, err := tpl.Function(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Events) != 0 {
		t.Errorf("%s has events %v, want none: the client's API attaches it", id, f.Events)
	}
	refs := map[string]string{apiID: "abc123defg", id + ".Arn": "arn:aws:lambda:eu-west-1:123456789012:function:authz"}
	for _, params := range []map[string]string{nil, {"Issuer": "https://id.example.com"}} {
		res := tpl.Resolver(params, refs)
		got, ok, err := res.ResolveString(f.Environment["ISSUER"])
		if err != nil || !ok {
			t.Fatalf("ISSUER of %s with %v: %q, %v, %v", id, params, got, ok, err)
		}
		out, _ := tpl.Outputs["Issuer"].(map[string]any)
		want, _, err := res.ResolveString(out["Value"])
		if err != nil {
			t.Fatal(err)
		}
		if got != want || got == "" {
			t.Errorf("with parameters %v: ISSUER of %s %q, want the Issuer output %q", params, id, got, want)
		}
		t.Setenv("ISSUER", got)
		if cfg, err := config.LoadHTTP(); err != nil || cfg.Issuer != got {
			t.Errorf("config reads ISSUER %q as %+v, %v", got, cfg, err)
		}
	}
	out, _ := tpl.Outputs["AuthorizerArn"].(map[string]any)
	if v, _, err := tpl.Resolver(nil, refs).ResolveString(out["Value"]); err != nil || v != refs[id+".Arn"] {
		t.Errorf("AuthorizerArn output %v (%v), want !GetAtt %s.Arn", out["Value"], err, id)
	}
}
