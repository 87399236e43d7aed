package localstack

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// Ports of `make local`, the ones `sam local` and the emulators use.
const (
	DefaultAPIPort    = 3000
	DefaultDynamoPort = 8000
	DefaultS3Port     = 9000
	DefaultSESPort    = 8005
	DefaultKMSPort    = 8006
)

// IssuerParameter is the template parameter the stack sets to its API's URL unless
// Options.Parameters set it: the access tokens' issuer, whose discovery document is then
// at {APIURL}/.well-known/openid-configuration, as on AWS.
const IssuerParameter = "Issuer"

// Options configures Start. A zero port means a free one, which tests use
// so that a running `make local` never collides with them.
type Options struct {
	// Dir is the repository root: template.yaml, node_modules and
	// .build/host/<folder>/bootstrap are found from it.
	Dir string
	// TemplatePath overrides Dir/template.yaml.
	TemplatePath string
	// BuildDir overrides Dir/.build/host, where each function's binary is
	// <BuildDir>/<folder>/bootstrap.
	BuildDir string

	APIPort      int // API Gateway
	DynamoPort   int // DynamoDB Local (listens on every interface)
	S3Port       int
	SESPort      int // aws-ses-v2-local, whose page shows the mail
	SESProxyPort int // the proxy the functions reach SES through
	KMSPort      int // local-kms, in process

	// DataDir keeps DynamoDB Local's data between runs; "" keeps it in
	// memory.
	DataDir string
	// KMSDataDir keeps the KMS keys between runs (they must last as long as the
	// table's data, whose data key they encrypt); "" keeps them in a temporary
	// folder removed by Stop.
	KMSDataDir string
	// Parameters override the template's parameter defaults; see
	// LocalParameters.
	Parameters map[string]string
	// Env is added to every function's environment, over everything else.
	Env map[string]string
	// Log receives every child's output and the stack's own lines, each
	// prefixed with who wrote it. Nil discards them.
	Log io.Writer

	// PollInterval is how often an idle stream shard is read (200 ms).
	PollInterval time.Duration
	// RetryBackoff is the first wait before retrying a failed stream batch
	// (200 ms); it doubles with each attempt, up to 5 s.
	RetryBackoff time.Duration
}

// Stack is a running local stack. Its fields are set by Start and must not
// be changed.
type Stack struct {
	APIURL         string // API Gateway, "http://127.0.0.1:3000"
	DynamoEndpoint string
	S3Endpoint     string
	SESURL         string // the SES emulator: its page at /, the mail as JSON at /store
	SESEndpoint    string // what functions use for SES: the proxy in front of SESURL
	KMSEndpoint    string
	TableName      string // the table (the first by logical ID if several)
	BucketName     string // the bucket (the first by logical ID if several)
	// Tables and Buckets map logical IDs to local names.
	Tables  map[string]string
	Buckets map[string]string
	// KMSKeys maps the logical IDs of the template's KMS keys to their local ARNs.
	KMSKeys map[string]string
	// Template is the template the stack runs.
	Template *samtemplate.Template

	log       io.Writer
	dynamo    *Process
	ses       *Process
	s3        *S3Server
	kms       *KMSServer
	sesProxy  *TCPProxy
	api       *http.Server
	functions map[string]*function
	cancel    context.CancelFunc
	pollers   sync.WaitGroup
	failures  failureLog
	stopOnce  sync.Once
	stopping  chan struct{}
	failed    chan error
}

// Start reads the template, starts the emulators, creates the tables and
// buckets from their template resources, and serves the API and the
// stream event sources. ctx bounds the start only; Stop ends the stack.
// On error everything already started is stopped.
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	if o.TemplatePath == "" {
		o.TemplatePath = filepath.Join(o.Dir, "template.yaml")
	}
	if o.BuildDir == "" {
		o.BuildDir = filepath.Join(o.Dir, ".build", "host")
	}
	if o.PollInterval <= 0 {
		o.PollInterval = defaultPollInterval
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = defaultRetryBackoff
	}
	tpl, err := samtemplate.Load(o.TemplatePath)
	if err != nil {
		return nil, err
	}
	s = &Stack{
		Template:  tpl,
		Tables:    map[string]string{},
		Buckets:   map[string]string{},
		KMSKeys:   map[string]string{},
		log:       &syncWriter{w: logOrDiscard(o.Log)},
		functions: map[string]*function{},
		stopping:  make(chan struct{}),
		failed:    make(chan error, 2),
	}
	defer func() {
		if err != nil {
			s.Stop()
			s = nil
		}
	}()
	for _, name := range slices.Sorted(maps.Keys(o.Parameters)) {
		if _, ok := tpl.Parameters[name]; !ok {
			s.logf("parameter %s is not declared in the template; ignored", name)
		}
	}
	if err := s.startServices(ctx, o); err != nil {
		return s, err
	}
	// The API's address is known before the functions' environments are made: one of
	// them may be the API's own URL (the issuer), another its port (APIPortPlaceholder).
	apiListener, err := listen(o.APIPort)
	if err != nil {
		return s, err
	}
	s.APIURL = "http://" + apiListener.Addr().String()
	params := withAPIPort(o.Parameters, apiListener.Addr().(*net.TCPAddr).Port)
	if _, ok := tpl.Parameters[IssuerParameter]; ok && params[IssuerParameter] == "" {
		params[IssuerParameter] = s.APIURL
	}
	res := tpl.Resolver(params, nil)
	res.Refs = localRefs(tpl, res)
	streamARNs, existed, err := s.createResources(ctx, res)
	if err != nil {
		apiListener.Close()
		return s, err
	}
	for id, arn := range streamARNs {
		res.Refs[id+".StreamArn"] = arn
	}
	if err := s.startFunctions(o, res); err != nil {
		apiListener.Close()
		return s, err
	}
	if err := s.runCustomResources(ctx, res); err != nil {
		apiListener.Close()
		return s, err
	}
	if err := s.serveAPI(apiListener, res); err != nil {
		return s, err
	}
	return s, s.startStreams(o, res, streamARNs, existed)
}

// Invoke runs a function by logical ID with payload, as `aws lambda invoke`
// would, and returns its response payload. A failure inside Lambda is a
// *FunctionError.
func (s *Stack) Invoke(ctx context.Context, logicalID string, payload []byte) ([]byte, error) {
	f, ok := s.functions[logicalID]
	if !ok {
		return nil, fmt.Errorf("no function %s in the template", logicalID)
	}
	return f.invoke(ctx, payload)
}

// FunctionEnv returns the environment an instance of the function gets, without
// AWS_LAMBDA_RUNTIME_API and AWS_LAMBDA_LOG_STREAM_NAME (set per instance), and the path
// of its binary: what a tool needs to run the function's process itself (cmd/bench does,
// to measure an invocation's CPU).
func (s *Stack) FunctionEnv(logicalID string) (env []string, binary string, err error) {
	f, ok := s.functions[logicalID]
	if !ok {
		return nil, "", fmt.Errorf("no function %s in the template", logicalID)
	}
	return append([]string(nil), f.env...), f.binary, nil
}

// Recycle makes the next invocation of each named function (every function when none is
// named) start a new process, as Lambda does after a deploy: idle instances end now, busy
// ones when their invocation ends. Tests use it to make processes re-read what they cache
// (the signing key ring) after changing it behind their back.
func (s *Stack) Recycle(logicalIDs ...string) error {
	if len(logicalIDs) == 0 {
		logicalIDs = slices.Sorted(maps.Keys(s.functions))
	}
	for _, id := range logicalIDs {
		f, ok := s.functions[id]
		if !ok {
			return fmt.Errorf("no function %s in the template", id)
		}
		f.recycle()
	}
	return nil
}

// SetSESReachable makes SES unreachable for the functions (connections
// refused, open ones closed) or reachable again. The emulator itself, and
// SESURL, stay up.
func (s *Stack) SetSESReachable(ok bool) error {
	return s.sesProxy.SetReachable(ok)
}

// FailedBatches returns the stream batches sent to on-failure destinations
// so far, oldest first.
func (s *Stack) FailedBatches() []FailedBatch {
	return s.failures.list()
}

// ChildPIDs returns the process IDs (each also a process group ID) of every
// child running now: DynamoDB Local, the SES emulator and the function
// instances.
func (s *Stack) ChildPIDs() []int {
	var pids []int
	for _, p := range []*Process{s.dynamo, s.ses} {
		if p != nil && !p.Exited() {
			pids = append(pids, p.PID())
		}
	}
	for _, f := range s.functions {
		pids = append(pids, f.pids()...)
	}
	sort.Ints(pids)
	return pids
}

// Stop stops everything: the pollers and the API first, so nothing new
// starts, then every child process group, waiting for each to be reaped.
// It is safe to call more than once.
func (s *Stack) Stop() {
	s.stopOnce.Do(func() {
		close(s.stopping)
		if s.cancel != nil {
			s.cancel()
		}
		if s.api != nil {
			_ = s.api.Close()
		}
		var wg sync.WaitGroup
		for _, f := range s.functions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.close()
			}()
		}
		for _, p := range []*Process{s.dynamo, s.ses} {
			if p != nil {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p.Stop()
				}()
			}
		}
		wg.Wait()
		s.pollers.Wait()
		if s.sesProxy != nil {
			_ = s.sesProxy.Close()
		}
		if s.s3 != nil {
			_ = s.s3.Close()
		}
		if s.kms != nil {
			_ = s.kms.Close()
		}
	})
}

func (s *Stack) logf(format string, args ...any) {
	logLine(s.log, "local", fmt.Sprintf(format, args...))
}
