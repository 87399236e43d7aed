// Package metrics counts what the service does as CloudWatch metrics in the embedded metric
// format (EMF): JSON log lines on standard output, from which CloudWatch Logs extracts the
// metrics. The lines go through the one logger (pkg/logging), so they share its writer and
// its format; they are written whatever LOG_LEVEL says, because metrics are not logs that
// an operator turns down.
package metrics

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// The metrics the functions write. Each is a count; every one is published without
// dimensions (the total), and those written with dimensions also per dimension value.
const (
	SignIns           = "SignIns"           // a session started by a sign-in; dimension Method: the amr values joined by + (pwd, pwd+otp, …)
	SignInFailures    = "SignInFailures"    // a wrong password or second factor, or a login that names no account
	Locks             = "Locks"             // a login locked after too many failures
	Registrations     = "Registrations"     // a self sign-up (POST /v1/auth/register)
	Reauthentications = "Reauthentications" // a re-authentication (POST /v1/auth/reauthenticate or a proof in a request)
	TokensMinted      = "TokensMinted"      // an access token signed
	MailsSent         = "MailsSent"         // a mail SES accepted
	MailsFailed       = "MailsFailed"       // a mail SES refused or could not be reached for (it is retried)
	MailsSuppressed   = "MailsSuppressed"   // a mail not sent: its address bounced or complained
	MailBounces       = "MailBounces"       // a permanent bounce reported by SES: the address is marked
	MailComplaints    = "MailComplaints"    // a complaint reported by SES: the address is marked
)

// DefaultNamespace is the namespace when none is configured (METRICS_NAMESPACE).
const DefaultNamespace = "Userbase"

// MethodDimension is the dimension of SignIns.
const MethodDimension = "Method"

// Dim is one dimension of a count: its name and value.
type Dim struct{ Name, Value string }

// Recorder writes counts as EMF lines. The zero of *Recorder, nil, writes nothing, for
// code run outside a function (tests, tools).
type Recorder struct {
	h         slog.Handler
	namespace string
	now       func() time.Time
	// directives caches the _aws.CloudWatchMetrics member of each metric and set of
	// dimension names: it never changes, so it is encoded once per process.
	directives sync.Map // string -> json.RawMessage
}

// New returns a Recorder that writes through logger's handler, in namespace.
func New(logger *slog.Logger, namespace string) *Recorder {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	return &Recorder{h: logger.Handler(), namespace: namespace, now: time.Now}
}

// Namespace is the CloudWatch namespace of r's metrics.
func (r *Recorder) Namespace() string {
	if r == nil {
		return ""
	}
	return r.namespace
}

// Count writes one line counting n of metric name with dims. Nothing is written for a nil
// Recorder or n <= 0.
func (r *Recorder) Count(ctx context.Context, name string, n int, dims ...Dim) {
	if r == nil || n <= 0 {
		return
	}
	now := r.now()
	rec := slog.NewRecord(now, slog.LevelInfo, "metric", 0)
	rec.AddAttrs(slog.Group("_aws",
		slog.Int64("Timestamp", now.UnixMilli()),
		slog.Any("CloudWatchMetrics", r.directive(name, dims))))
	for _, d := range dims {
		rec.AddAttrs(slog.String(d.Name, d.Value))
	}
	rec.AddAttrs(slog.Int(name, n))
	// Handle, not the logger's Log: the level setting does not apply to metrics. A line
	// that cannot be written is lost as a log line would be; the request goes on.
	_ = r.h.Handle(ctx, rec)
}

// directive is the CloudWatchMetrics array for name with dims: the metric without
// dimensions and, when there are dims, with all of them.
func (r *Recorder) directive(name string, dims []Dim) json.RawMessage {
	var key strings.Builder
	key.WriteString(name)
	for _, d := range dims {
		key.WriteByte('|')
		key.WriteString(d.Name)
	}
	if v, ok := r.directives.Load(key.String()); ok {
		return v.(json.RawMessage)
	}
	sets := [][]string{{}}
	if len(dims) > 0 {
		names := make([]string, len(dims))
		for i, d := range dims {
			names[i] = d.Name
		}
		sets = append(sets, names)
	}
	type metric struct{ Name, Unit string }
	b, err := json.Marshal([]struct {
		Namespace  string
		Dimensions [][]string
		Metrics    []metric
	}{{Namespace: r.namespace, Dimensions: sets, Metrics: []metric{{Name: name, Unit: "Count"}}}})
	if err != nil {
		panic(err) // strings and slices of strings always encode
	}
	v, _ := r.directives.LoadOrStore(key.String(), json.RawMessage(b))
	return v.(json.RawMessage)
}
