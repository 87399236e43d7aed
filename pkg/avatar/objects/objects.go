// Package objects writes and deletes avatar images in the private bucket through the S3
// client. Only the functions that upload or delete avatars link it (and the S3 SDK with
// it); every other function signs URLs with pkg/avatar alone.
package objects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/userbase/userbase/pkg/avatar"
)

// S3API is the part of *s3.Client the store uses.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ S3API = (*s3.Client)(nil)

// Store keeps avatar objects in one bucket.
type Store struct {
	api    S3API
	bucket string
	maxAge time.Duration
}

// New returns a store over bucket. urlTTL is the lifetime of the signed URLs (see
// avatar.URLTTL), which the objects' Cache-Control max-age follows.
func New(client S3API, bucket string, urlTTL time.Duration) *Store {
	return &Store{api: client, bucket: bucket, maxAge: avatar.URLTTL(urlTTL)}
}

// Put writes the image and its thumbnail under a fresh random key in the user's prefix and
// returns the image key (the one to keep on the user record). On failure nothing is left
// behind, as far as S3 lets us clean up.
//
// Put never deletes the previous avatar: the caller deletes the old key once the user record
// points at the new one, so a failed record update never leaves a user without an image.
func (s *Store) Put(ctx context.Context, userID string, r *avatar.Result) (string, error) {
	if r == nil || len(r.Image.Data) == 0 || len(r.Thumb.Data) == 0 || r.Image.Ext != r.Thumb.Ext {
		return "", errors.New("put avatar: incomplete result (image and thumbnail of one format)")
	}
	key, err := avatar.NewKey(userID, r.Image.Ext)
	if err != nil {
		return "", fmt.Errorf("put avatar: %w", err)
	}
	thumb, err := avatar.ThumbKey(key)
	if err != nil {
		return "", fmt.Errorf("put avatar: %w", err)
	}
	if err := s.putObject(ctx, key, r.Image); err != nil {
		return "", err
	}
	if err := s.putObject(ctx, thumb, r.Thumb); err != nil {
		// Best effort: the caller sees the put error, which matters more than this one.
		_ = s.Delete(context.WithoutCancel(ctx), key)
		return "", err
	}
	return key, nil
}

func (s *Store) putObject(ctx context.Context, key string, e avatar.Encoded) error {
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(e.Data),
		ContentType: aws.String(e.ContentType),
		// private: a shared cache must never keep someone's avatar; the max-age matches the
		// signed URL's lifetime, after which the URL is useless anyway.
		CacheControl:         aws.String("private, max-age=" + strconv.Itoa(int(s.maxAge/time.Second))),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return fmt.Errorf("put object %s: %w", key, err)
	}
	return nil
}

// Delete removes the image stored under key and its thumbnail. Deleting objects that are
// already gone succeeds, so Delete can be retried; an empty key (no avatar) is a no-op.
func (s *Store) Delete(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	thumb, err := avatar.ThumbKey(key)
	if err != nil {
		return fmt.Errorf("delete avatar %q: %w", key, err)
	}
	return s.deleteKeys(ctx, []string{key, thumb})
}

// DeleteUser removes every object under the user's prefix: the current avatar and any left
// over by an upload whose record update failed. For account deletion.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	prefix, err := avatar.UserPrefix(userID)
	if err != nil {
		return fmt.Errorf("delete avatars: %w", err)
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)}
	pages := s3.NewListObjectsV2Paginator(s.api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list avatars of %s: %w", userID, err)
		}
		keys := make([]string, 0, len(page.Contents))
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		// A page holds at most 1000 keys, DeleteObjects' own limit.
		if err := s.deleteKeys(ctx, keys); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) deleteKeys(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	out, err := s.api.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(s.bucket),
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("delete objects %s: %w", strings.Join(keys, ", "), err)
	}
	// DeleteObjects answers 200 even when single keys fail; they are listed here.
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return fmt.Errorf("delete object %s: %s: %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	return nil
}
