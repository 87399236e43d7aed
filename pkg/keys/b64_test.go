package keys_test

import "encoding/base64"

func jwtB64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
