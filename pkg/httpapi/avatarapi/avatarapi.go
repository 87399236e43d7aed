// Package avatarapi serves PUT and DELETE /v1/me/avatar. It is apart from pkg/httpapi
// because it links the image decoders, which no other function should carry.
package avatarapi

import (
	"context"
	"mime"
	"net/http"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/avatar"
	"github.com/userbase/userbase/pkg/avatar/upload"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/user"
)

// maxBody bounds an upload: API Gateway hands Lambda at most 6 MB, base64-encoded for
// binary bodies, so about 4.4 MB of file can arrive at all; JSON carries it base64 too.
const maxBody = 6 << 20

// Images is where processed images are stored (pkg/avatar/objects).
type Images interface {
	Put(ctx context.Context, userID string, r *avatar.Result) (string, error)
	Delete(ctx context.Context, key string) error
}

type jsonUpload struct {
	Data      string `json:"data"`
	BaseName  string `json:"base_name"`
	Extension string `json:"extension"`
}

type avatarView struct {
	AvatarURL string `json:"avatar_url"`
}

// Put serves PUT /v1/me/avatar: multipart/form-data with image (and cropped_image), or
// JSON {data, base_name, extension}. The image is checked before its pixels are decoded,
// re-encoded, stored with a thumbnail, and the user pointed at it.
func Put(svc *user.Service, images Images, limits upload.Limits) httpapi.Handler {
	return httpapi.WithAuth(svc, func(ctx context.Context, r *httpapi.Request, p *user.Principal) (*httpapi.Response, error) {
		// Past today's limit nothing is decoded: the answer costs one read, not an image.
		if err := svc.CheckProfileLimit(ctx, p); err != nil {
			return nil, err
		}
		res, err := process(r, limits)
		if err != nil {
			return nil, err
		}
		key, err := images.Put(ctx, p.User.ID, res)
		if err != nil {
			return nil, err
		}
		u, err := svc.SetAvatar(ctx, p, key, httpapi.ClientOf(r))
		if err != nil {
			return nil, err // SetAvatar deleted the new image
		}
		return httpapi.JSON(http.StatusOK, avatarView{AvatarURL: svc.AvatarURL(ctx, u)}), nil
	})
}

func process(r *httpapi.Request, limits upload.Limits) (*avatar.Result, error) {
	if httpapi.EncodedBody(r) {
		return nil, apperr.New(apperr.UnsupportedMediaType)
	}
	mt, _, _ := mime.ParseMediaType(r.Header("Content-Type"))
	if mt == "multipart/form-data" {
		body, err := r.Body()
		if err != nil {
			return nil, apperr.Invalid(apperr.Field(upload.FieldImage, apperr.FieldInvalidImage))
		}
		if len(body) > maxBody {
			return nil, apperr.New(apperr.PayloadTooLarge)
		}
		img, cropped, err := upload.ParseMultipart(r.Header("Content-Type"), body, limits.MaxBytes)
		if err != nil {
			return nil, err
		}
		return upload.ProcessUpload(img, cropped, limits)
	}
	var in jsonUpload
	if err := httpapi.DecodeJSONLimit(r, &in, maxBody); err != nil {
		return nil, err
	}
	raw, err := upload.ParseBase64(in.Data, in.BaseName, in.Extension, limits.MaxBytes)
	if err != nil {
		return nil, err
	}
	return upload.ProcessField("data", raw, limits)
}

// Delete serves DELETE /v1/me/avatar.
func Delete(svc *user.Service) httpapi.Handler {
	return httpapi.WithAuth(svc, func(ctx context.Context, r *httpapi.Request, p *user.Principal) (*httpapi.Response, error) {
		if err := httpapi.NoBody(r); err != nil {
			return nil, err
		}
		if err := svc.RemoveAvatar(ctx, p, httpapi.ClientOf(r)); err != nil {
			return nil, err
		}
		return httpapi.NoContent(), nil
	})
}
