package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// httpClient follows no redirect: a 302 is an answer to check like any other.
var httpClient = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// resp is an answer, already checked against the OpenAPI document.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r *resp) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// Code is the problem code of an error answer.
func (r *resp) Code() string {
	var p struct{ Code string }
	_ = json.Unmarshal(r.Body, &p)
	return p.Code
}

type req struct {
	method, path string
	token        string
	headers      map[string]string
	body         any // string, []byte or a value to encode as JSON
	// undocumented skips the OpenAPI check, for requests the contract describes in prose
	// only (a preflight, a method or path the API lacks).
	undocumented bool
	// gateway is for answers API Gateway may give itself (a body past its limit): they
	// carry x-amzn-RequestId, not X-Request-Id, and are outside the document check too.
	gateway bool
}

var docMu sync.Mutex

// do sends a request to the local stack's API and checks the answer against the document.
func do(t *testing.T, r req) *resp {
	t.Helper()
	var body io.Reader
	contentType := "application/json"
	switch b := r.body.(type) {
	case nil:
		contentType = ""
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(enc)
	}
	hr, err := http.NewRequest(r.method, stack.APIURL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	res, err := httpClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	out := &resp{Status: res.StatusCode, Header: res.Header}
	if out.Body, err = io.ReadAll(res.Body); err != nil {
		t.Fatal(err)
	}
	// API Gateway's own answers carry the id in the body only: its gateway responses cannot
	// map it into a header.
	if res.Header.Get("X-Request-Id") == "" && !r.gateway {
		t.Errorf("%s %s: no X-Request-Id", r.method, r.path)
	}
	// Every answer, API Gateway's own included.
	if got := res.Header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
		t.Errorf("%s %s: Strict-Transport-Security %q", r.method, r.path, got)
	}
	if !r.undocumented && !r.gateway {
		path, _, _ := strings.Cut(r.path, "?")
		docMu.Lock()
		err := doc.Check(r.method, path, res.StatusCode, res.Header, out.Body)
		docMu.Unlock()
		if err != nil {
			t.Errorf("%s %s answered %d %s, which docs/openapi.yaml does not allow: %v", r.method, r.path, res.StatusCode, out.Body, err)
		}
	}
	return out
}

// want fails the test unless the answer has the status (and, for errors, the problem code).
func want(t *testing.T, r *resp, status int, code string) {
	t.Helper()
	if r.Status != status || (code != "" && r.Code() != code) {
		t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, status, code)
	}
}

// eventually runs check until it passes: for what the stack writes from the table's stream
// after a request (search postings, a new account's account_created event), which the
// local stack's poller delivers within a second or so. The wait is bounded in tries and
// in time; the last failure is reported.
func eventually(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for try := 0; try < 400; try++ {
		if err = check(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling the stack for the stream's writes, not waiting out a race
	}
	t.Fatalf("not so after 20 s: %v", err)
}

// waitEvent polls the caller's security log until it holds an event of typ.
func waitEvent(t *testing.T, token, typ string) {
	t.Helper()
	eventually(t, func() error {
		r := do(t, req{method: "GET", path: "/v1/me/events?per_page=100", token: token})
		if r.Status != http.StatusOK {
			return fmt.Errorf("GET /v1/me/events: %d %s", r.Status, r.Body)
		}
		if !strings.Contains(string(r.Body), `"type":"`+typ+`"`) {
			return fmt.Errorf("no %s event yet: %s", typ, r.Body)
		}
		return nil
	})
}
