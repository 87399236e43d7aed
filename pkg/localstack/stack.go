package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// Ports of `make local`, the ones `sam local` and the emulators use.
const (
	DefaultAPIPort    = 3000
	DefaultDynamoPort = 8000
	DefaultS3Port     = 9000
	DefaultSESPort    = 8005
)

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

	// DataDir keeps DynamoDB Local's data between runs; "" keeps it in
	// memory.
	DataDir string
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
	TableName      string // the table (the first by logical ID if several)
	BucketName     string // the bucket (the first by logical ID if several)
	// Tables and Buckets map logical IDs to local names.
	Tables  map[string]string
	Buckets map[string]string
	// Template is the template the stack runs.
	Template *samtemplate.Template

	log       io.Writer
	dynamo    *Process
	ses       *Process
	s3        *S3Server
	sesProxy  *TCPProxy
	api       *http.Server
	functions map[string]*function
	cancel    context.CancelFunc
	pollers   sync.WaitGroup
	failures  failureLog
	stopOnce  sync.Once
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
		log:       &syncWriter{w: logOrDiscard(o.Log)},
		functions: map[string]*function{},
	}
	defer func() {
		if err != nil {
			s.Stop()
			s = nil
		}
	}()
	for _, name := range sortedKeys(o.Parameters) {
		if _, ok := tpl.Parameters[name]; !ok {
			s.logf("parameter %s is not declared in the template; ignored", name)
		}
	}
	if err := s.startServices(ctx, o); err != nil {
		return s, err
	}
	res := tpl.Resolver(o.Parameters, nil)
	res.Refs = localRefs(tpl, res)
	streamARNs, existed, err := s.createResources(ctx, res)
	if err != nil {
		return s, err
	}
	for id, arn := range streamARNs {
		res.Refs[id+".StreamArn"] = arn
	}
	if err := s.startFunctions(o, res); err != nil {
		return s, err
	}
	if err := s.serveAPI(o.APIPort, res); err != nil {
		return s, err
	}
	return s, s.startStreams(o, res, streamARNs, existed)
}

// startServices starts DynamoDB Local, the SES emulator (both slow, so at
// once), S3 and the SES proxy.
func (s *Stack) startServices(ctx context.Context, o Options) error {
	var wg sync.WaitGroup
	var dynErr, sesErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.dynamo, s.DynamoEndpoint, dynErr = StartDynamoDB(ctx, DynamoOptions{
			Port: o.DynamoPort, InMemory: o.DataDir == "", DBPath: o.DataDir, Dir: o.Dir, Log: s.log,
		})
	}()
	go func() {
		defer wg.Done()
		s.ses, s.SESURL, sesErr = StartSES(ctx, SESOptions{Port: o.SESPort, Dir: o.Dir, Log: s.log})
	}()
	wg.Wait()
	if err := errors.Join(dynErr, sesErr); err != nil {
		return err
	}
	var err error
	if s.s3, err = StartS3(o.S3Port, s.log); err != nil {
		return err
	}
	s.S3Endpoint = s.s3.URL()
	if s.sesProxy, err = NewTCPProxy(o.SESProxyPort, s.SESURL[len("http://"):]); err != nil {
		return err
	}
	s.SESEndpoint = s.sesProxy.URL()
	return nil
}

// createResources creates every table and bucket of the template. It
// returns the tables' stream ARNs by logical ID, and which tables existed
// already (kept from an earlier run).
func (s *Stack) createResources(ctx context.Context, res samtemplate.Resolver) (map[string]string, map[string]bool, error) {
	streams, existed := map[string]string{}, map[string]bool{}
	db := s.DynamoDB()
	for _, id := range s.Template.ResourcesOfType(samtemplate.TypeTable) {
		name := res.Refs[id]
		props, skipped, err := resolveTableProperties(res, s.Template.Resources[id].Properties)
		if err != nil {
			return nil, nil, fmt.Errorf("table %s: %w", id, err)
		}
		if len(skipped) > 0 {
			s.logf("table %s: not applied locally: %v", id, skipped)
		}
		spec, err := tableSpecFrom(name, props)
		if err != nil {
			return nil, nil, fmt.Errorf("table %s: %w", id, err)
		}
		arn, ex, err := ensureTable(ctx, db, spec)
		if err != nil {
			return nil, nil, err
		}
		if ex {
			if d := tableDrift(ctx, db, spec); d != "" {
				s.logf("table %s was kept from an earlier run and differs from the template (%s): start with -fresh", name, d)
			}
		}
		s.Tables[id], streams[id], existed[id] = name, arn, ex
		if s.TableName == "" {
			s.TableName = name
		}
	}
	for _, id := range s.Template.ResourcesOfType(samtemplate.TypeBucket) {
		name := res.Refs[id]
		if err := s.s3.CreateBucket(name); err != nil {
			return nil, nil, err
		}
		s.Buckets[id] = name
		if s.BucketName == "" {
			s.BucketName = name
		}
	}
	return streams, existed, nil
}

// startFunctions prepares a pool for every function; processes start on
// their first invocation.
func (s *Stack) startFunctions(o Options, res samtemplate.Resolver) error {
	fns, err := s.Template.Functions()
	if err != nil {
		return err
	}
	endpoints := map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": s.DynamoEndpoint,
		"AWS_ENDPOINT_URL_S3":       s.S3Endpoint,
		"AWS_ENDPOINT_URL_SES":      s.SESEndpoint,
	}
	var missing []string
	for _, f := range fns {
		folder := f.Folder
		if folder == "" {
			folder = f.LogicalID
		}
		binary := filepath.Join(o.BuildDir, folder, "bootstrap")
		if abs, err := filepath.Abs(binary); err == nil {
			binary = abs
		}
		if _, err := os.Stat(binary); err != nil {
			missing = append(missing, binary)
		}
		name := res.Refs[f.LogicalID]
		env, err := functionEnv(f, name, filepath.Dir(binary), res, endpoints, o.Env)
		if err != nil {
			return err
		}
		s.functions[f.LogicalID] = &function{
			id: f.LogicalID, name: name, arn: res.Refs[f.LogicalID+".Arn"], binary: binary, env: env,
			timeout: time.Duration(f.Timeout) * time.Second, log: s.log, all: map[*instance]struct{}{},
		}
	}
	if len(missing) > 0 {
		s.logf("%d function binaries are not built (run make build); their invocations will fail: %v", len(missing), missing)
	}
	return nil
}

// serveAPI serves every Api event of every function on 127.0.0.1:port.
func (s *Stack) serveAPI(port int, res samtemplate.Resolver) error {
	apis := map[string]*samtemplate.API{}
	var routes []*route
	for _, id := range sortedKeys(s.functions) {
		f, err := s.Template.Function(id)
		if err != nil {
			return err
		}
		for _, ev := range f.APIEvents() {
			api, ok := apis[ev.RestAPIID]
			if !ok {
				a, err := s.Template.API(ev.RestAPIID)
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				if st, ok, err := res.ResolveString(a.Properties["StageName"]); err == nil && ok && st != "" {
					a.StageName = st // with Options.Parameters, not only the defaults
				}
				api = &a
				apis[ev.RestAPIID] = api
			}
			r, err := newRoute(ev.Method, ev.Path, api, s.functions[id])
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			routes = append(routes, r)
		}
	}
	// Requests that match no route are answered by the first API by
	// logical ID (the implicit one when there is no other).
	defaultAPI := (*samtemplate.API)(nil)
	for _, id := range sortedKeys(apis) {
		defaultAPI = apis[id]
		break
	}
	if defaultAPI == nil {
		a, err := s.Template.API("")
		if err != nil {
			return err
		}
		defaultAPI = &a
	}
	ln, err := listen(port)
	if err != nil {
		return err
	}
	s.APIURL = "http://" + ln.Addr().String()
	gw := &gateway{router: newRouter(routes), defaultAPI: defaultAPI, log: s.log, now: time.Now}
	s.api = &http.Server{Handler: gw, ReadHeaderTimeout: 30 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = s.api.Serve(ln) }()
	return nil
}

// startStreams starts one poller per DynamoDB event. A table kept from an
// earlier run is read from LATEST, so its old records are not delivered
// again.
func (s *Stack) startStreams(o Options, res samtemplate.Resolver, streamARNs map[string]string, existed map[string]bool) error {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	client := dynamodbstreams.NewFromConfig(s.AWSConfig(), func(so *dynamodbstreams.Options) {
		so.BaseEndpoint = &s.DynamoEndpoint
	})
	for _, id := range sortedKeys(s.functions) {
		f, err := s.Template.Function(id)
		if err != nil {
			return err
		}
		for _, ev := range f.DynamoDBEvents() {
			if !ev.Enabled {
				continue
			}
			arn := streamARNs[ev.Table]
			if ev.Table == "" || arn == "" {
				return fmt.Errorf("%s: its DynamoDB event's Stream must be !GetAtt <Table>.StreamArn of a table with a StreamSpecification", id)
			}
			m := &streamMapping{
				fnID: id, invokeFn: s.functions[id].invoke, event: ev, streamARN: arn, startLatest: existed[ev.Table],
				client: client, pollInterval: o.PollInterval, retryBackoff: o.RetryBackoff,
				log: s.log, onFailure: s.failures.add,
			}
			if ev.OnFailure != nil {
				if d, ok, err := res.ResolveString(ev.OnFailure); err == nil && ok {
					m.destination = d
				}
			}
			for _, p := range ev.FilterPatterns {
				fp, err := parseFilterPattern(p)
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				m.filters = append(m.filters, fp)
			}
			if err := m.start(ctx); err != nil {
				return fmt.Errorf("%s: read the stream of %s: %w", id, ev.Table, err)
			}
			s.pollers.Add(1)
			go func() {
				defer s.pollers.Done()
				m.run(ctx)
			}()
		}
	}
	return nil
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
	})
}

func (s *Stack) logf(format string, args ...any) {
	logLine(s.log, "local", fmt.Sprintf(format, args...))
}
