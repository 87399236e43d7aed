package localstack

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/userbase/userbase/pkg/samtemplate"
	"github.com/userbase/userbase/pkg/site"
)

// LocalParameters are the template parameter values the local stack runs
// with unless told otherwise: a web app served from localhost, on any port,
// may call the API from the browser and be the target of confirmation links.
// cmd/local and the tests pass them as Options.Parameters.
//
// Passkeys are bound to the relying party "localhost" and to pages served by the API
// itself, http://localhost:<API port> (the hosted account pages): WebAuthn checks the
// exact origin, port included, so the value names APIPortPlaceholder and Start puts the
// port in once it listens. The links mailed for codes lead to those pages at that origin
// too (the issuer is http://127.0.0.1:<port>, where passkeys cannot work and a session
// kept by the pages at localhost is not seen).
func LocalParameters() map[string]string {
	const localOrigins = "http://localhost:*,http://127.0.0.1:*"
	pages := "http://localhost:" + APIPortPlaceholder
	return map[string]string{"ConfirmationUrlAllowlist": localOrigins, "CorsAllowedOrigins": localOrigins,
		"WebAuthnRpId": "localhost", "WebAuthnOrigins": pages,
		"DefaultVerifyUrl": site.CodeLink(pages, site.VerifyPath), "DefaultResetUrl": site.CodeLink(pages, site.ResetPath),
		"DefaultRevertUrl": site.CodeLink(pages, site.RevertPath)}
}

// APIPortPlaceholder in a parameter value given to Start becomes the port the API listens
// on, which with Options.APIPort 0 is known only then.
const APIPortPlaceholder = "{api_port}"

// withAPIPort is params with APIPortPlaceholder replaced by port.
func withAPIPort(params map[string]string, port int) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		out[k] = strings.ReplaceAll(v, APIPortPlaceholder, strconv.Itoa(port))
	}
	return out
}

// Dummy credentials: the emulators accept any, and SES insists on a SigV4
// signature, which needs some.
const (
	localAccessKeyID     = "local"
	localSecretAccessKey = "local"
	localSessionToken    = "local"
)

// functionEnv is the environment of a function's process: what Lambda sets,
// the template's variables resolved, the endpoints of the local services and
// then extra, which overrides everything.
func functionEnv(f samtemplate.Function, name, binaryDir string, res samtemplate.Resolver, endpoints map[string]string, extra map[string]string) ([]string, error) {
	env := map[string]string{
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"LAMBDA_TASK_ROOT":                binaryDir,
		"_HANDLER":                        "bootstrap",
		"AWS_REGION":                      samtemplate.LocalRegion,
		"AWS_DEFAULT_REGION":              samtemplate.LocalRegion,
		"AWS_ACCESS_KEY_ID":               localAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           localSecretAccessKey,
		"AWS_SESSION_TOKEN":               localSessionToken,
		"AWS_LAMBDA_FUNCTION_NAME":        name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
	}
	// Coverage of the binaries in end-to-end runs (go build -cover).
	if d := os.Getenv("GOCOVERDIR"); d != "" {
		env["GOCOVERDIR"] = d
	}
	for _, k := range slices.Sorted(maps.Keys(f.Environment)) {
		s, ok, err := res.ResolveString(f.Environment[k])
		if err != nil {
			return nil, fmt.Errorf("%s environment %s: %w", f.LogicalID, k, err)
		}
		if ok {
			env[k] = s
		}
	}
	for k, v := range endpoints {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out, nil
}
