package keysinit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/userbase/userbase/pkg/keys"
	"github.com/userbase/userbase/pkg/keysinit"
)

func TestHandler(t *testing.T) {
	ctx := context.Background()
	store := keys.NewMemStore()
	ring := keys.New(keys.Options{Store: store, KMS: keys.NewFakeKMS()})
	h := keysinit.Handler(ring, 15*time.Minute, nil)

	if id, _, err := h(ctx, cfn.Event{RequestType: cfn.RequestDelete}); err != nil || id != keysinit.PhysicalID {
		t.Errorf("delete of nothing: got %q, %v; want success", id, err)
	}
	if st, _ := store.LoadKeys(ctx); st.Version != 0 {
		t.Errorf("delete wrote the ring (version %d)", st.Version)
	}
	for _, typ := range []cfn.RequestType{cfn.RequestCreate, cfn.RequestUpdate} {
		id, _, err := h(ctx, cfn.Event{RequestType: typ, ResourceProperties: map[string]any{"AccessTokenTtl": "30m"}})
		if err != nil || id != keysinit.PhysicalID {
			t.Fatalf("%s: got %q, %v; want success with physical id %s", typ, id, err, keysinit.PhysicalID)
		}
	}
	st, _ := store.LoadKeys(ctx)
	if len(st.DataKeys) != 1 || len(st.SigningKeys) != 1 || st.TokenTTL != 30*time.Minute {
		t.Errorf("after create and update: %d data keys, %d signing keys, ttl %s; want 1, 1, 30m", len(st.DataKeys), len(st.SigningKeys), st.TokenTTL)
	}
	if _, _, err := h(ctx, cfn.Event{RequestType: cfn.RequestUpdate, ResourceProperties: map[string]any{"AccessTokenTtl": "soon"}}); err == nil {
		t.Error("a bad AccessTokenTtl: got success")
	}
	boom := errors.New("config: KMS_KEY_ID is missing")
	if _, _, err := keysinit.Handler(ring, time.Minute, boom)(ctx, cfn.Event{RequestType: cfn.RequestCreate}); !errors.Is(err, boom) {
		t.Errorf("a failed start: got %v, want it reported", err)
	}
}
