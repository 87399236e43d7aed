// Package kmsclient builds the KMS client (see pkg/awsclient) and adapts it to what the
// key ring needs (keys.KMS).
package kmsclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/userbase/userbase/pkg/awsclient"
	"github.com/userbase/userbase/pkg/keys"
)

// New builds a KMS client.
func New(cfg aws.Config) *kms.Client {
	return kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.BaseEndpoint = awsclient.Endpoint("AWS_ENDPOINT_URL_KMS")
	})
}

// API is the part of the KMS client the adapter calls.
type API interface {
	GenerateDataKey(context.Context, *kms.GenerateDataKeyInput, ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(context.Context, *kms.DecryptInput, ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

var _ API = (*kms.Client)(nil)

// DataKeys makes and opens data keys under one KMS key.
type DataKeys struct {
	api   API
	keyID string
}

var _ keys.KMS = (*DataKeys)(nil)

// NewDataKeys uses the KMS key keyID (an id or ARN) through api.
func NewDataKeys(api API, keyID string) *DataKeys { return &DataKeys{api: api, keyID: keyID} }

// Purpose is the value of the encryption context {"purpose": Purpose} bound to every data
// key: KMS refuses to decrypt one without it, CloudTrail shows it beside every call, and
// template.yaml grants the KMS calls only with it (condition kms:EncryptionContext:purpose),
// so a function's role cannot open anything else sealed under the key.
const Purpose = "userbase-data-key"

var encryptionContext = map[string]string{"purpose": Purpose}

// GenerateDataKey asks KMS for an AES-256 key (kms:GenerateDataKey).
func (d *DataKeys) GenerateDataKey(ctx context.Context) ([]byte, []byte, string, error) {
	if d.keyID == "" {
		return nil, nil, "", errors.New("kms: no key id (KMS_KEY_ID)")
	}
	out, err := d.api.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId: aws.String(d.keyID), KeySpec: types.DataKeySpecAes256, EncryptionContext: encryptionContext,
	})
	if err != nil {
		return nil, nil, "", fmt.Errorf("kms generate data key: %w", err)
	}
	return out.Plaintext, out.CiphertextBlob, aws.ToString(out.KeyId), nil
}

// Decrypt opens a data key (kms:Decrypt), only if it was made under the configured key.
func (d *DataKeys) Decrypt(ctx context.Context, ciphertext []byte) ([]byte, error) {
	in := &kms.DecryptInput{CiphertextBlob: ciphertext, EncryptionContext: encryptionContext}
	if d.keyID != "" {
		in.KeyId = aws.String(d.keyID)
	}
	out, err := d.api.Decrypt(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("kms decrypt: %w", err)
	}
	return out.Plaintext, nil
}
