package passkey

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Bounds on what a credential may carry. The HTTP bodies are bounded already (16 KiB for an
// assertion, 64 KiB for an attestation); these keep each part within what the specification
// or real authenticators produce.
const (
	maxCredentialID = 1023 // §7.1: credential ids are at most 1023 bytes
	maxUserHandle   = 64   // §5.4.3: a user handle is at most 64 bytes
	maxClientData   = 4096 // a browser's clientDataJSON is a few hundred bytes
	maxSignature    = 1024 // an 8192-bit RSA signature; ES256 and EdDSA ones are under 80
	maxTransports   = 8
	maxTransport    = 32
)

// errMalformed is a credential that is not a well-formed PublicKeyCredential.
var errMalformed = errors.New("malformed credential")

// b64 is a base64url field of a credential's JSON form. toJSON() writes it unpadded;
// padding is tolerated, as go-webauthn tolerated it.
type b64 []byte

// UnmarshalJSON implements json.Unmarshaler.
func (b *b64) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*b = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	v, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return fmt.Errorf("not base64url: %w", err)
	}
	*b = v
	return nil
}

// credentialJSON is a PublicKeyCredential as toJSON() gives it, with the fields of both
// responses (attestation and assertion); unknown fields (clientExtensionResults, the
// response's publicKey hints...) are ignored.
type credentialJSON struct {
	ID         string `json:"id"`
	RawID      b64    `json:"rawId"`
	Type       string `json:"type"`
	Attachment string `json:"authenticatorAttachment"`
	Response   struct {
		ClientDataJSON    b64      `json:"clientDataJSON"`
		AttestationObject b64      `json:"attestationObject"`
		Transports        []string `json:"transports"`
		AuthenticatorData b64      `json:"authenticatorData"`
		Signature         b64      `json:"signature"`
		UserHandle        b64      `json:"userHandle"`
	} `json:"response"`
}

// parseCredential reads the JSON common to both ceremonies: type public-key, a raw id of
// 1 to 1023 bytes that id names (id is base64url(rawId)), and a clientDataJSON.
func parseCredential(data []byte) (*credentialJSON, error) {
	var c credentialJSON
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	switch {
	case c.Type != "public-key":
		return nil, fmt.Errorf("%w: type %q", errMalformed, c.Type)
	case len(c.RawID) == 0 || len(c.RawID) > maxCredentialID:
		return nil, fmt.Errorf("%w: raw id of %d bytes", errMalformed, len(c.RawID))
	case strings.TrimRight(c.ID, "=") != base64.RawURLEncoding.EncodeToString(c.RawID):
		return nil, fmt.Errorf("%w: id is not the raw id", errMalformed)
	case len(c.Response.ClientDataJSON) == 0 || len(c.Response.ClientDataJSON) > maxClientData:
		return nil, fmt.Errorf("%w: clientDataJSON of %d bytes", errMalformed, len(c.Response.ClientDataJSON))
	}
	return &c, nil
}

// transports are the credential's transport hints, as the client reported them: kept for the
// excludeCredentials of later options, so only short tokens are kept, and few.
func (c *credentialJSON) transports() []string {
	var out []string
	for _, t := range c.Response.Transports {
		if len(out) == maxTransports {
			break
		}
		if t != "" && len(t) <= maxTransport && strings.Trim(t, "abcdefghijklmnopqrstuvwxyz-") == "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// attachment is the authenticator attachment the client reported: platform, cross-platform
// or "" (not told, or a value this service does not know).
func (c *credentialJSON) attachment() string {
	if c.Attachment == "platform" || c.Attachment == "cross-platform" {
		return c.Attachment
	}
	return ""
}

// clientData is the part of CollectedClientData (§5.8.1) the relying party checks.
type clientData struct {
	Type        string  `json:"type"`
	Challenge   string  `json:"challenge"`
	Origin      string  `json:"origin"`
	CrossOrigin *bool   `json:"crossOrigin"`
	TopOrigin   *string `json:"topOrigin"`
}

// checkClientData checks clientDataJSON (§7.1 steps 5-9, §7.2 steps 10-14): its type,
// the ceremony's challenge exactly, one of the relying party's origins exactly, and no
// cross-origin use (the service's pages are never framed by another origin; a topOrigin
// only comes with crossOrigin, so one present is refused too).
func checkClientData(raw []byte, typ, challenge string, origins []string) error {
	var cd clientData
	// Read by "UTF-8 decode" (§7.1 step 5), which drops a leading byte order mark.
	if err := json.Unmarshal(bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")), &cd); err != nil {
		return fmt.Errorf("%w: clientDataJSON: %v", errMalformed, err)
	}
	switch {
	case cd.Type != typ:
		return fmt.Errorf("client data type %q, want %q", cd.Type, typ)
	case challenge == "" || subtle.ConstantTimeCompare([]byte(cd.Challenge), []byte(challenge)) != 1:
		return errors.New("client data challenge is not the ceremony's")
	case cd.Origin == "" || !slices.Contains(origins, cd.Origin):
		return fmt.Errorf("client data origin %q is not the relying party's", cd.Origin)
	case cd.CrossOrigin != nil && *cd.CrossOrigin:
		return errors.New("client data is cross-origin")
	case cd.TopOrigin != nil:
		return errors.New("client data has a top origin")
	}
	return nil
}
