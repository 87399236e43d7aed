// Package keysinit is the CloudFormation custom resource that creates the key ring: on
// Create and Update it makes sure the ring has a data key and a signing key, so tokens
// can be signed right after `sam deploy` (and `make local`) with no manual step.
package keysinit

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/userbase/userbase/pkg/keys"
)

// PhysicalID names the one key ring. It never changes, so an Update never makes
// CloudFormation Delete the "old" resource.
const PhysicalID = "key-ring"

// TokenTTLProperty is the resource property that carries the access token lifetime: a
// stack update that changes it re-runs the resource, which records it in the ring.
const TokenTTLProperty = "AccessTokenTtl"

// Handler answers the custom resource's events. initErr is a failure of the function's
// own start (its configuration): it is reported as FAILED, since a function that dies
// without answering leaves CloudFormation waiting for an hour.
func Handler(ring *keys.Ring, tokenTTL time.Duration, initErr error) cfn.CustomResourceFunction {
	return func(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
		if ev.RequestType == cfn.RequestDelete {
			// The table may be retained with the stack's keys in it; deleting nothing
			// also never fails a stack deletion.
			return PhysicalID, nil, nil
		}
		if initErr != nil {
			return PhysicalID, nil, initErr
		}
		ttl := tokenTTL
		if v, ok := ev.ResourceProperties[TokenTTLProperty].(string); ok && v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return PhysicalID, nil, fmt.Errorf("%s %q is not a duration", TokenTTLProperty, v)
			}
			ttl = d
		}
		if err := ring.Ensure(ctx, ttl); err != nil {
			return PhysicalID, nil, err
		}
		return PhysicalID, nil, nil
	}
}
