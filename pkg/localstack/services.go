package localstack

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/userbase/userbase/pkg/samtemplate"
)

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
	s.watch(s.dynamo)
	s.watch(s.ses)
	var err error
	if s.s3, err = StartS3(o.S3Port, s.log); err != nil {
		return err
	}
	s.S3Endpoint = s.s3.URL()
	if s.kms, err = StartKMS(o.KMSPort, o.KMSDataDir, s.log); err != nil {
		return err
	}
	s.KMSEndpoint = s.kms.URL()
	if s.sesProxy, err = NewTCPProxy(o.SESProxyPort, s.SESURL[len("http://"):]); err != nil {
		return err
	}
	s.SESEndpoint = s.sesProxy.URL()
	return nil
}

// watch reports on ServiceFailure an emulator that exits before Stop.
func (s *Stack) watch(p *Process) {
	go func() {
		select {
		case <-p.Done():
			s.failed <- p.exitError()
		case <-s.stopping:
		}
	}()
}

// ServiceFailure receives an error when DynamoDB Local or the SES emulator
// exits before Stop, after which the stack cannot serve.
func (s *Stack) ServiceFailure() <-chan error {
	return s.failed
}

// createResources creates every table, bucket and KMS key of the template. It
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
	for _, id := range s.Template.ResourcesOfType(TypeKMSKey) {
		props := s.Template.Resources[id].Properties
		if spec, _, _ := res.ResolveString(props["KeySpec"]); spec != "" && spec != "SYMMETRIC_DEFAULT" {
			return nil, nil, fmt.Errorf("kms key %s: KeySpec %s; the local stack makes symmetric keys only", id, spec)
		}
		arn, err := s.kms.EnsureKey(res.Refs[id], "local key of "+id)
		if err != nil {
			return nil, nil, err
		}
		s.KMSKeys[id] = arn
	}
	return streams, existed, nil
}
