package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// customAnswerWait is how long the stack waits for a custom resource's answer once its
// function has returned (the answer is normally in before).
var customAnswerWait = 5 * time.Second

// isCustomResource reports whether a resource type is a CloudFormation custom resource.
func isCustomResource(typ string) bool {
	return strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource"
}

// customAnswers is the local ResponseURL: it keeps each PUT answer by request ID.
type customAnswers struct {
	mu      sync.Mutex
	answers map[string]cfn.Response
	arrived chan struct{}
}

func (c *customAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "PUT the answer", http.StatusMethodNotAllowed)
		return
	}
	var resp cfn.Response
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&resp); err != nil {
		http.Error(w, "not a custom resource answer", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.answers[strings.TrimPrefix(r.URL.Path, "/")] = resp
	c.mu.Unlock()
	select {
	case c.arrived <- struct{}{}:
	default:
	}
	w.WriteHeader(http.StatusOK)
}

func (c *customAnswers) take(id string) (cfn.Response, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	resp, ok := c.answers[id]
	delete(c.answers, id)
	return resp, ok
}

// runCustomResources does what CloudFormation does when it creates the stack's custom
// resources: for each, in logical ID order, it invokes the function its ServiceToken
// names with a Create event, and waits for the answer the function PUTs to the event's
// ResponseURL (here a listener on 127.0.0.1). An answer of FAILED fails the start. A
// kept table sees Create again on every start, so these functions must be idempotent,
// as CloudFormation asks of them anyway.
func (s *Stack) runCustomResources(ctx context.Context, res samtemplate.Resolver) error {
	var ids []string
	for id, r := range s.Template.Resources {
		if isCustomResource(r.Type) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids)
	ln, err := listen(0)
	if err != nil {
		return err
	}
	answers := &customAnswers{answers: map[string]cfn.Response{}, arrived: make(chan struct{}, 1)}
	srv := &http.Server{Handler: answers, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/"
	for _, id := range ids {
		if err := s.createCustomResource(ctx, res, id, base, answers); err != nil {
			return fmt.Errorf("custom resource %s: %w", id, err)
		}
	}
	return nil
}

func (s *Stack) createCustomResource(ctx context.Context, res samtemplate.Resolver, id, base string, answers *customAnswers) error {
	r := s.Template.Resources[id]
	resolved, err := res.Resolve(r.Properties)
	if err != nil {
		return err
	}
	props, _ := resolved.(map[string]any)
	token, _ := props["ServiceToken"].(string)
	fnID := ""
	for fid, f := range s.functions {
		if f.arn == token {
			fnID = fid
		}
	}
	if fnID == "" {
		return fmt.Errorf("ServiceToken %q is not the ARN of a function of the template (!GetAtt <Function>.Arn)", token)
	}
	requestID := newUUID()
	ev := cfn.Event{
		RequestType: cfn.RequestCreate, RequestID: requestID, ResponseURL: base + requestID,
		ResourceType: r.Type, LogicalResourceID: id,
		StackID:            "arn:aws:cloudformation:" + samtemplate.LocalRegion + ":" + samtemplate.LocalAccountID + ":stack/" + samtemplate.LocalStackName + "/local",
		ResourceProperties: props,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := s.Invoke(ctx, fnID, payload); err != nil {
		return fmt.Errorf("%s: %w", fnID, err)
	}
	timer := time.NewTimer(customAnswerWait)
	defer timer.Stop()
	for {
		if resp, ok := answers.take(requestID); ok {
			if resp.Status != cfn.StatusSuccess {
				return fmt.Errorf("%s answered %s: %s", fnID, resp.Status, resp.Reason)
			}
			s.logf("custom resource %s (%s) created by %s in %d ms", id, r.Type, fnID, time.Since(start).Milliseconds())
			return nil
		}
		select {
		case <-answers.arrived:
		case <-timer.C:
			return fmt.Errorf("%s returned without answering at the ResponseURL (use cfn.LambdaWrap)", fnID)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
