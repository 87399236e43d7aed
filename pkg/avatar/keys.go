package avatar

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeyPrefix starts every avatar object key; the functions' IAM policies grant access to
// the bucket's objects under it and nowhere else.
const KeyPrefix = "avatars/"

const thumbSuffix = "_thumb"

// ErrInvalidKey is returned for a key this package did not make (or a user id that cannot
// be part of one); it guards against deleting or signing arbitrary objects of the bucket.
var ErrInvalidKey = errors.New("avatar: not an avatar key")

// NewKey returns a fresh random image key in the user's prefix for an image of extension
// ext ("jpg" or "png").
func NewKey(userID, ext string) (string, error) {
	prefix, err := UserPrefix(userID)
	if err != nil {
		return "", err
	}
	if !validExt(ext) {
		return "", fmt.Errorf("avatar key with extension %q: %w", ext, ErrInvalidKey)
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("avatar key: %w", err)
	}
	return prefix + hex.EncodeToString(rnd[:]) + "." + ext, nil
}

// UserPrefix is the key prefix that holds every object of the user, ending in a slash.
func UserPrefix(userID string) (string, error) {
	if !validUserID(userID) {
		return "", fmt.Errorf("avatar prefix of %q: %w", userID, ErrInvalidKey)
	}
	return KeyPrefix + userID + "/", nil
}

// ThumbKey is the key of the thumbnail stored beside the image under key
// ("avatars/u/abc.jpg" -> "avatars/u/abc_thumb.jpg"). It refuses keys NewKey did not make,
// thumbnail keys included.
func ThumbKey(key string) (string, error) {
	rest, ok := strings.CutPrefix(key, KeyPrefix)
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
	return KeyPrefix + userID + "/" + base + thumbSuffix + "." + ext, nil
}

// OwnedBy reports whether key is an avatar key in userID's prefix, for a caller that wants
// to be sure a record's key was not pointed elsewhere.
func OwnedBy(key, userID string) bool {
	_, err := ThumbKey(key)
	return err == nil && strings.HasPrefix(key, KeyPrefix+userID+"/")
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
