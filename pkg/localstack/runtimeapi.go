package localstack

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The Lambda Runtime API (version 2018-06-01), as aws-lambda-go speaks it:
// the runtime long-polls .../invocation/next, then posts .../response or
// .../error for that request ID. One server per process, so an instance
// never sees another's invocations.
const runtimeAPIPrefix = "/2018-06-01/runtime"

// Lambda's limit on a synchronous invocation's request and response.
const maxInvokePayload = 6 * 1024 * 1024

// invocation is one event on its way through an instance.
type invocation struct {
	id      string
	payload []byte
	// result receives exactly one outcome; buffered so that the runtime's
	// post never waits for the invoker.
	result chan invokeResult
}

type invokeResult struct {
	body []byte
	err  *FunctionError
}

// FunctionError is an invocation that failed inside Lambda: the handler
// returned an error or panicked, the process exited, or it timed out. Type
// is Lambda's errorType ("Runtime.ExitError", "Sandbox.Timedout", or the
// one the runtime reported).
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// runtimeAPI serves one instance's process.
type runtimeAPI struct {
	fn      *function
	invokes chan *invocation // unbuffered: a send completes when the runtime takes it
	exited  <-chan struct{}  // the process is gone
	mu      sync.Mutex
	current *invocation
	initErr *FunctionError
}

func (a *runtimeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeAPIPrefix+"/invocation/next", a.next)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"/invocation/{id}/response", a.response)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"/invocation/{id}/error", a.error)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"/init/error", a.initError)
	return mux
}

func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-a.invokes:
	case <-a.exited:
		return
	case <-r.Context().Done():
		return
	}
	a.mu.Lock()
	a.current = inv
	a.mu.Unlock()
	deadline := time.Now().Add(a.fn.timeout)
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", a.fn.arn)
	h.Set("Lambda-Runtime-Trace-Id", traceID(inv.id))
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

// take returns the invocation the runtime is working on if its ID is id,
// and forgets it so each gets one outcome.
func (a *runtimeAPI) take(id string) *invocation {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.current == nil || a.current.id != id {
		return nil
	}
	inv := a.current
	a.current = nil
	return inv
}

func (a *runtimeAPI) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInvokePayload+1))
	inv := a.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorMessage":"unknown request ID","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	var res invokeResult
	switch {
	case err != nil:
		res.err = &FunctionError{Type: "Runtime.ResponseError", Message: err.Error()}
	case len(body) > maxInvokePayload:
		res.err = &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "response payload is over 6 MB"}
	case r.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "":
		// aws-lambda-go reports a failure while streaming the body this way.
		res.err = &FunctionError{Type: r.Trailer.Get("Lambda-Runtime-Function-Error-Type"), Message: "the response stream failed"}
	default:
		res.body = body
	}
	inv.result <- res
	w.WriteHeader(http.StatusAccepted)
}

func (a *runtimeAPI) error(w http.ResponseWriter, r *http.Request) {
	inv := a.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorMessage":"unknown request ID","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	inv.result <- invokeResult{err: decodeFunctionError(r.Body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))}
	w.WriteHeader(http.StatusAccepted)
}

func (a *runtimeAPI) initError(w http.ResponseWriter, r *http.Request) {
	fe := decodeFunctionError(r.Body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	a.mu.Lock()
	a.initErr = fe
	a.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (a *runtimeAPI) initFailure() *FunctionError {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.initErr
}

func decodeFunctionError(body io.Reader, headerType string) *FunctionError {
	var fe FunctionError
	b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
	if json.Unmarshal(b, &fe) != nil || (fe.Type == "" && fe.Message == "") {
		fe.Message = string(b)
	}
	if fe.Type == "" {
		fe.Type = headerType
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return &fe
}

// traceID makes an X-Ray style trace header from the request ID, so each
// invocation carries a distinct, well-formed one.
func traceID(requestID string) string {
	hex := make([]byte, 0, 24)
	for i := 0; i < len(requestID) && len(hex) < 24; i++ {
		if c := requestID[i]; c != '-' {
			hex = append(hex, c)
		}
	}
	return "Root=1-" + strconv.FormatInt(time.Now().Unix(), 16) + "-" + string(hex) + ";Parent=0000000000000000;Sampled=0"
}
