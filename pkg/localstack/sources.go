package localstack

import (
	"context"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/userbase/userbase/pkg/samtemplate"
)

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
		"AWS_ENDPOINT_URL_KMS":      s.KMSEndpoint,
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

// serveAPI serves every route of every API on ln: the methods of an
// Api's DefinitionBody and the Api events of the functions, as SAM puts them
// together (samtemplate.Routes).
func (s *Stack) serveAPI(ln net.Listener, res samtemplate.Resolver) error {
	ids := map[string]bool{}
	for _, id := range s.Template.ResourcesOfType(samtemplate.TypeAPI) {
		ids[id] = true
	}
	for _, id := range slices.Sorted(maps.Keys(s.functions)) {
		f, err := s.Template.Function(id)
		if err != nil {
			return err
		}
		for _, ev := range f.APIEvents() {
			if ev.RestAPIID == "" {
				ev.RestAPIID = samtemplate.ImplicitAPIID
			}
			ids[ev.RestAPIID] = true
		}
	}
	apis := map[string]*samtemplate.API{}
	var routes []*route
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		a, err := s.Template.API(id)
		if err != nil {
			return err
		}
		if st, ok, err := res.ResolveString(a.Properties["StageName"]); err == nil && ok && st != "" {
			a.StageName = st // with Options.Parameters, not only the defaults
		}
		api := &a
		apis[id] = api
		rs, err := s.Template.Routes(id)
		if err != nil {
			return err
		}
		for _, r := range rs {
			fn, ok := s.functions[r.Function]
			if !ok {
				return fmt.Errorf("%s: %s %s is served by %s, which is not a function of the template", id, r.Method, r.Path, r.Function)
			}
			rt, err := newRoute(r.Method, r.Path, api, fn)
			if err != nil {
				return fmt.Errorf("%s: %w", r.Function, err)
			}
			routes = append(routes, rt)
		}
		routes = append(routes, corsMocks(api, routes)...)
	}
	// Requests that match no route are answered by the first API by
	// logical ID (the implicit one when there is no other).
	defaultAPI := (*samtemplate.API)(nil)
	for _, id := range slices.Sorted(maps.Keys(apis)) {
		defaultAPI = apis[id]
		break
	}
	if defaultAPI == nil {
		a, err := s.Template.API("")
		if err != nil {
			ln.Close()
			return err
		}
		defaultAPI = &a
	}
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
	for _, id := range slices.Sorted(maps.Keys(s.functions)) {
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
