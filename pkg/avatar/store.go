package avatar

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// DefaultPresignTTL is how long a signed avatar URL stays valid when New is given none.
const DefaultPresignTTL = 15 * time.Minute

// maxPresignTTL is SigV4's ceiling for presigned URLs.
const maxPresignTTL = 7 * 24 * time.Hour

const (
	keyPrefix   = "avatars/"
	thumbSuffix = "_thumb"
)

// ErrInvalidKey is returned for a key this package did not make (or a user id that cannot
// be part of one); it guards against deleting or signing arbitrary objects of the bucket.
var ErrInvalidKey = errors.New("avatar: not an avatar key")

// S3API is the part of *s3.Client the store uses.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Presigner signs GET URLs; *s3.PresignClient (s3.NewPresignClient) is one. Built from the
// same client as S3API, it inherits its endpoint override and path-style addressing, which
// is what makes the URLs work against the local S3 server as they do on AWS.
type Presigner interface {
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

var (
	_ S3API     = (*s3.Client)(nil)
	_ Presigner = (*s3.PresignClient)(nil)
)

// Store keeps avatar objects in one bucket.
type Store struct {
	api     S3API
	presign Presigner
	bucket  string
	ttl     time.Duration
}

// New returns a store over bucket. presignTTL is the lifetime of signed URLs: zero or less
// means DefaultPresignTTL, and it is capped at the seven days SigV4 allows. Typical wiring:
//
//	c := s3client.New(cfg)
//	st := avatar.New(c, s3.NewPresignClient(c), bucket, 0)
func New(client S3API, presigner Presigner, bucket string, presignTTL time.Duration) *Store {
	if presignTTL <= 0 {
		presignTTL = DefaultPresignTTL
	}
	presignTTL = min(presignTTL, maxPresignTTL)
	return &Store{api: client, presign: presigner, bucket: bucket, ttl: presignTTL}
}

// Put writes the image and its thumbnail under a fresh random key in the user's prefix and
// returns the image key (the one to keep on the user record). On failure nothing is left
// behind, as far as S3 lets us clean up.
//
// Put never deletes the previous avatar: the caller deletes the old key once the user record
// points at the new one, so a failed record update never leaves a user without an image.
func (s *Store) Put(ctx context.Context, userID string, r *Result) (string, error) {
	if !validUserID(userID) {
		return "", fmt.Errorf("put avatar of %q: %w", userID, ErrInvalidKey)
	}
	if r == nil || len(r.Image.Data) == 0 || len(r.Thumb.Data) == 0 || r.Image.Ext != r.Thumb.Ext || !validExt(r.Image.Ext) {
		return "", errors.New("put avatar: incomplete result (image and thumbnail of one known format)")
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("put avatar: random key: %w", err)
	}
	key := keyPrefix + userID + "/" + hex.EncodeToString(rnd[:]) + "." + r.Image.Ext
	thumb, _ := ThumbKey(key)

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

func (s *Store) putObject(ctx context.Context, key string, e Encoded) error {
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(e.Data),
		ContentType: aws.String(e.ContentType),
		// private: a shared cache must never keep someone's avatar; the max-age matches the
		// signed URL's lifetime, after which the URL is useless anyway.
		CacheControl:         aws.String("private, max-age=" + strconv.Itoa(int(s.ttl/time.Second))),
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
	thumb, err := ThumbKey(key)
	if err != nil {
		return fmt.Errorf("delete avatar %q: %w", key, err)
	}
	return s.deleteKeys(ctx, []string{key, thumb})
}

// DeleteUser removes every object under the user's prefix: the current avatar and any left
// over by an upload whose record update failed. For account deletion.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	if !validUserID(userID) {
		return fmt.Errorf("delete avatars of %q: %w", userID, ErrInvalidKey)
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(keyPrefix + userID + "/")}
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

// URLs returns signed GET URLs of the image under key and of its thumbnail, valid for the
// store's presign TTL. An empty key (no avatar) gives empty URLs and no error, so a caller
// renders avatar_url null without a branch of its own.
//
// Signing is local computation (no request to S3): it cannot tell whether the object exists.
func (s *Store) URLs(ctx context.Context, key string) (imageURL, thumbURL string, err error) {
	if key == "" {
		return "", "", nil
	}
	thumb, err := ThumbKey(key)
	if err != nil {
		return "", "", fmt.Errorf("sign avatar %q: %w", key, err)
	}
	if imageURL, err = s.sign(ctx, key); err != nil {
		return "", "", err
	}
	if thumbURL, err = s.sign(ctx, thumb); err != nil {
		return "", "", err
	}
	return imageURL, thumbURL, nil
}

func (s *Store) sign(ctx context.Context, key string) (string, error) {
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(s.ttl))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}

// ThumbKey is the key of the thumbnail stored beside the image under key
// ("avatars/u/abc.jpg" -> "avatars/u/abc_thumb.jpg"). It refuses keys Put did not make,
// thumbnail keys included.
func ThumbKey(key string) (string, error) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return "", ErrInvalidKey
	}
	userID, name, ok := strings.Cut(rest, "/")
	if !ok || !validUserID(userID) {
		return "", ErrInvalidKey
	}
	base, ext, ok := strings.Cut(name, ".")
	if !ok || !validExt(ext) || len(base) != 32 || !isLowerHex(base) {
		return "", ErrInvalidKey
	}
	return keyPrefix + userID + "/" + base + thumbSuffix + "." + ext, nil
}

// OwnedBy reports whether key is an avatar key in userID's prefix, for a caller that wants
// to be sure a record's key was not pointed elsewhere.
func OwnedBy(key, userID string) bool {
	_, err := ThumbKey(key)
	return err == nil && strings.HasPrefix(key, keyPrefix+userID+"/")
}

// validUserID keeps a user id to one path segment of safe characters, so no id can climb
// out of its prefix or into another user's.
func validUserID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validExt(ext string) bool { return ext == "jpg" || ext == "png" }

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
