package avatar

import (
	"context"
	"fmt"
	"time"
)

// DefaultURLTTL is how long a signed avatar URL stays valid when none is configured.
const DefaultURLTTL = 15 * time.Minute

// maxURLTTL is SigV4's ceiling for presigned URLs.
const maxURLTTL = 7 * 24 * time.Hour

// URLTTL is the lifetime signed URLs get for a configured ttl: DefaultURLTTL for zero or
// less, at most the seven days SigV4 allows, in whole seconds.
func URLTTL(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return DefaultURLTTL
	}
	return max(min(ttl, maxURLTTL).Truncate(time.Second), time.Second)
}

// Presigner signs a GET URL of one object of the avatar bucket, valid for ttl;
// *s3url.Presigner is one.
type Presigner interface {
	GetURL(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Signer signs the URLs of avatar images.
type Signer struct {
	presigner Presigner
	ttl       time.Duration
}

// NewSigner returns a signer whose URLs live URLTTL(ttl).
func NewSigner(p Presigner, ttl time.Duration) *Signer {
	return &Signer{presigner: p, ttl: URLTTL(ttl)}
}

// URLs returns signed GET URLs of the image under key and of its thumbnail. An empty key
// (no avatar) gives empty URLs and no error, so a caller renders avatar_url null without a
// branch of its own.
//
// Signing is local computation (no request to S3): it cannot tell whether the object exists.
func (s *Signer) URLs(ctx context.Context, key string) (imageURL, thumbURL string, err error) {
	if key == "" {
		return "", "", nil
	}
	thumb, err := ThumbKey(key)
	if err != nil {
		return "", "", fmt.Errorf("sign avatar %q: %w", key, err)
	}
	if imageURL, err = s.presigner.GetURL(ctx, key, s.ttl); err != nil {
		return "", "", err
	}
	if thumbURL, err = s.presigner.GetURL(ctx, thumb, s.ttl); err != nil {
		return "", "", err
	}
	return imageURL, thumbURL, nil
}
