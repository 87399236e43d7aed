package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

// MaxPasskeyBody is the body limit of POST /v1/me/passkeys: an attestation may carry a
// certificate chain.
const MaxPasskeyBody = 64 << 10

// ceremonyView is the answer that begins a WebAuthn ceremony.
type ceremonyView struct {
	ChallengeID string `json:"challenge_id"`
	Options     any    `json:"options"`
}

// passkeyView is a passkey as its owner sees it.
type passkeyView struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	AAGUID     *string `json:"aaguid"`
	BackedUp   bool    `json:"backed_up"`
}

func viewPasskey(p *user.Passkey) passkeyView {
	v := passkeyView{ID: p.ID, Name: p.Name, CreatedAt: timestamp(p.CreatedAt), AAGUID: opt(p.AAGUID), BackedUp: p.BackupState}
	if !p.LastUsedAt.IsZero() {
		v.LastUsedAt = opt(timestamp(p.LastUsedAt))
	}
	return v
}

// passkeyRequest is a passkey's answer to a ceremony: the credential as a browser's
// PublicKeyCredential.toJSON() gives it, passed on untouched to the verifier.
type passkeyRequest struct {
	ChallengeID string          `json:"challenge_id"`
	Credential  json.RawMessage `json:"credential"`
}

func (p passkeyRequest) input() user.PasskeyInput {
	return user.PasskeyInput{ChallengeID: p.ChallengeID, Credential: p.Credential}
}

// PasskeySignInOptions serves POST /v1/auth/passkey/options. The body is optional.
func PasskeySignInOptions(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in struct{}
		if err := DecodeOptionalJSON(r, &in); err != nil {
			return nil, err
		}
		start, err := svc.PasskeySignInOptions(ctx, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, ceremonyView{ChallengeID: start.ID, Options: start.Options}), nil
	}
}

// PasskeySignIn serves POST /v1/auth/passkey.
func PasskeySignIn(svc *user.Service) Handler {
	return func(ctx context.Context, r *Request) (*Response, error) {
		var in passkeyRequest
		if err := DecodeJSON(r, &in); err != nil {
			return nil, err
		}
		a, err := svc.PasskeySignIn(ctx, in.input(), client(r))
		if err != nil {
			return nil, err
		}
		r.UserID = a.User.ID
		return JSON(http.StatusOK, viewAuth(ctx, svc, a)), nil
	}
}

// ListPasskeys serves GET /v1/me/passkeys.
func ListPasskeys(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		page, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		list, err := svc.Passkeys(ctx, p)
		if err != nil {
			return nil, err
		}
		items := make([]passkeyView, len(list))
		for i, pk := range list {
			items[i] = viewPasskey(pk)
		}
		return JSON(http.StatusOK, pageOf(items, page)), nil
	})
}

// BeginPasskey serves POST /v1/me/passkeys/options. The body is optional.
func BeginPasskey(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in struct{}
		if err := DecodeOptionalJSON(r, &in); err != nil {
			return nil, err
		}
		start, err := svc.BeginPasskey(ctx, p, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, ceremonyView{ChallengeID: start.ID, Options: start.Options}), nil
	})
}

type addPasskeyRequest struct {
	passkeyRequest
	Name string `json:"name"`
}

// AddPasskey serves POST /v1/me/passkeys.
func AddPasskey(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		var in addPasskeyRequest
		if err := DecodeJSONLimit(r, &in, MaxPasskeyBody); err != nil {
			return nil, err
		}
		pk, err := svc.AddPasskey(ctx, p, user.AddPasskeyInput{PasskeyInput: in.input(), Name: in.Name}, client(r))
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusCreated, viewPasskey(pk)), nil
	})
}

// RemovePasskey serves DELETE /v1/me/passkeys/{id}.
func RemovePasskey(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		if err := NoBody(r); err != nil {
			return nil, err
		}
		if err := svc.RemovePasskey(ctx, p, r.Event.PathParameters["id"], client(r)); err != nil {
			return nil, err
		}
		return NoContent(), nil
	})
}
