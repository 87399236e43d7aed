package httpapi

import "strings"

// Headers every answer carries, and the CORS convention of docs/openapi.yaml. template.yaml's
// gateway responses write the same values; deploy_test holds them to these.
const (
	// HSTS is the Strict-Transport-Security of every answer: two years, subdomains too.
	HSTS = "max-age=63072000; includeSubDomains"
	// CORSExposeHeaders are the response headers a page of an allowed origin may read.
	CORSExposeHeaders = "X-Request-Id, Retry-After, ETag, Content-Disposition"
	// CORSAllowHeaders are the request headers a preflight allows.
	CORSAllowHeaders = "Authorization, Content-Type, Accept-Language, X-Api-Key"
	// CORSMaxAge is how long, in seconds, a browser may keep a preflight's answer (Chromium
	// keeps it at most 7200 s).
	CORSMaxAge = "7200"
)

// setCORSHeaders adds what every answer carries: HSTS; Vary: Origin wherever the answer
// depends on the Origin (a CORS allow-list is configured), so no cache hands one origin's
// answer to another; and, for an admitted origin, the CORS headers. Credentials are never
// allowed: the JSON API uses no cookies.
func setCORSHeaders(h map[string]string, origin string, cors bool) {
	h["Strict-Transport-Security"] = HSTS
	if cors {
		addVary(h, "Origin")
	}
	if origin != "" {
		h["Access-Control-Allow-Origin"] = origin
		h["Access-Control-Expose-Headers"] = CORSExposeHeaders
	}
}

// addVary adds name to the Vary header a handler may already have set.
func addVary(h map[string]string, name string) {
	for k, v := range h {
		if strings.EqualFold(k, "Vary") {
			for _, f := range strings.Split(v, ",") {
				if strings.EqualFold(strings.TrimSpace(f), name) {
					return
				}
			}
			h[k] = v + ", " + name
			return
		}
	}
	h["Vary"] = name
}

// preflightHeaders are the answer to a preflight from an admitted origin, besides what
// setCORSHeaders adds to every answer.
func preflightHeaders(h map[string]string, methods []string) {
	h["Access-Control-Allow-Methods"] = strings.Join(methods, ", ")
	h["Access-Control-Allow-Headers"] = CORSAllowHeaders
	h["Access-Control-Max-Age"] = CORSMaxAge
}
