// Package avatar names users' avatar images in the private S3 bucket and signs
// short-lived GET URLs for them.
//
// It links no S3 client and no image codec on purpose: nearly every route renders a user
// with its avatar_url and so imports this package, while only the avatar routes and user
// deletion write or delete objects (pkg/avatar/objects, over the S3 client) and only
// PUT /v1/me/avatar decodes images (pkg/avatar/upload, about 600 KB of decoders). A signed
// URL takes a SigV4 signature (pkg/awsclient/s3url), not a request to S3.
//
// Objects are immutable: each upload gets a fresh random key under avatars/<user id>/, the
// user record points at it, and the previous key is deleted after the record moved on. The
// thumbnail key is derived from the image key, so the record holds a single key.
package avatar

// Encoded is one re-encoded image, ready to store.
type Encoded struct {
	Data        []byte
	ContentType string // "image/jpeg" or "image/png"
	Ext         string // "jpg" or "png": the extension of the object key
	Width       int
	Height      int
}

// Result is an accepted upload: the image to store and its square thumbnail. Both are in
// one format, so the thumbnail's key (and extension) follow from the image's key.
type Result struct {
	Image Encoded
	Thumb Encoded
}
