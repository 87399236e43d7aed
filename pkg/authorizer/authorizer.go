// Package authorizer is the Lambda authorizer that lets the client's own APIs accept this
// service's access tokens with revocation at once: API Gateway calls it with a request's
// Authorization header, it verifies the token locally with the key ring's public keys and
// then reads the token's session, which must be live by the same rules as on every request
// of this API (user.Service.VerifiedSession).
//
// One handler answers the event shapes API Gateway sends (see Handle):
//
//   - REST API, REQUEST or TOKEN authorizers (and HTTP API with payload format 1.0): an IAM
//     policy that allows execute-api:Invoke on the whole stage, or the error "Unauthorized",
//     which API Gateway turns into a 401.
//   - HTTP API, payload format 2.0 with simple responses: {"isAuthorized": true|false}.
//
// Either way an allowed request carries the context user_id, role, session_id and
// email_verified (all strings), read from the stored user, so a role change or a disabled
// account applies at once too. A failure to read the table or the keys is an error, never an
// allow: API Gateway answers it with a 500.
package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/userbase/userbase/pkg/jwt"
	"github.com/userbase/userbase/pkg/user"
)

// Tokens verifies an access token of issuer: its signature with a published key, its
// audience and its lifetime (keys.Tokens). A refused token matches jwt.ErrInvalid.
type Tokens interface {
	Verify(ctx context.Context, token, issuer string) (*jwt.Claims, error)
}

// Sessions finds the live session of a verified token (user.Service); a session that is
// not live is user.ErrUnauthenticated.
type Sessions interface {
	VerifiedSession(ctx context.Context, userID, sessionID string) (*user.Principal, error)
}

// ErrUnauthorized is the answer to a REST API request that is refused: API Gateway matches
// this exact message and answers 401 (the UNAUTHORIZED gateway response).
var ErrUnauthorized = errors.New("Unauthorized")

// ErrUnknownEvent is an event that is none of the shapes the authorizer answers: the
// authorizer is attached in a way it does not support. API Gateway answers 500.
var ErrUnknownEvent = errors.New("authorizer: not an API Gateway authorizer event (REST REQUEST or TOKEN, HTTP API payload 1.0 or 2.0)")

// Authorizer answers API Gateway's authorizer events.
type Authorizer struct {
	tokens   Tokens
	issuer   string
	sessions Sessions
	log      *slog.Logger
}

// New returns an authorizer of the access tokens of issuer (the stack's Issuer output:
// the client's API is on another domain, so it cannot be taken from the request).
func New(tokens Tokens, issuer string, sessions Sessions, log *slog.Logger) (*Authorizer, error) {
	if issuer == "" {
		return nil, errors.New("authorizer: ISSUER is not set (the template sets it to the stack's Issuer output)")
	}
	if tokens == nil || sessions == nil || log == nil {
		return nil, errors.New("authorizer: tokens, sessions and log are required")
	}
	return &Authorizer{tokens: tokens, issuer: issuer, sessions: sessions, log: log}, nil
}

// event is the union of the authorizer events' members that the authorizer reads.
type event struct {
	Version            string            `json:"version"` // "1.0" or "2.0" from an HTTP API; absent from a REST API
	Type               string            `json:"type"`    // "REQUEST" or "TOKEN"
	MethodArn          string            `json:"methodArn"`
	RouteArn           string            `json:"routeArn"`
	AuthorizationToken string            `json:"authorizationToken"` // TOKEN authorizers
	Headers            map[string]string `json:"headers"`
}

// shape is how an event is answered.
type shape int

const (
	shapePolicy shape = iota // REST API, or HTTP API payload 1.0: an IAM policy
	shapeSimple              // HTTP API payload 2.0: {"isAuthorized": …}
)

func (s shape) String() string {
	if s == shapeSimple {
		return "http-2.0"
	}
	return "policy"
}

// Handle answers one authorizer event: an events.APIGatewayCustomAuthorizerResponse or
// ErrUnauthorized for the policy shapes, an events.APIGatewayV2CustomAuthorizerSimpleResponse
// for payload format 2.0.
func (a *Authorizer) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var (
		ev     event
		sh     shape
		header string
	)
	err := json.Unmarshal(raw, &ev)
	switch {
	case err != nil:
		err = fmt.Errorf("%w: %v", ErrUnknownEvent, err)
	case ev.Version == "2.0" && ev.Type == "REQUEST" && ev.RouteArn != "":
		sh, header = shapeSimple, headerValue(ev.Headers, "authorization")
	case ev.Type == "TOKEN" && ev.MethodArn != "" && ev.Version == "":
		sh, header = shapePolicy, ev.AuthorizationToken
	case ev.Type == "REQUEST" && ev.MethodArn != "" && (ev.Version == "" || ev.Version == "1.0"):
		sh, header = shapePolicy, headerValue(ev.Headers, "authorization")
	default:
		err = ErrUnknownEvent
	}
	if err != nil {
		// A wiring mistake on the client's API: say so where its operator looks.
		a.log.ErrorContext(ctx, "authorize", "request_id", requestID(ctx), "error", err.Error())
		return nil, err
	}

	// One line per decision, never the token.
	log := a.log.With("request_id", requestID(ctx), "shape", sh.String())
	p, reason, err := a.check(ctx, header)
	if err != nil {
		log.ErrorContext(ctx, "authorize", "error", err.Error())
		return nil, err
	}
	if p == nil {
		log.InfoContext(ctx, "authorize", "allow", false, "reason", reason)
		if sh == shapeSimple {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
		}
		return nil, ErrUnauthorized
	}
	log.InfoContext(ctx, "authorize", "allow", true, "user_id", p.User.ID, "session_id", p.Session.ID)
	if sh == shapeSimple {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: authContext(p)}, nil
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: p.User.ID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{stageResource(ev.MethodArn)},
			}},
		},
		Context: authContext(p),
	}, nil
}

// requestID is the Lambda request id of the invocation, when there is one.
func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// Reasons a request is refused, for the log line.
const (
	reasonNoToken   = "no_bearer_token"
	reasonNotLive   = "session_not_live"
	reasonTokenPfx  = "token: "
	reasonNoSession = "no_session_claim"
)

// check returns the principal of a bearer header, or nil and why it is refused. An error
// is a failure of ours (the table or the key ring), not the caller's.
func (a *Authorizer) check(ctx context.Context, header string) (*user.Principal, string, error) {
	tok, ok := bearerToken(header)
	if !ok {
		return nil, reasonNoToken, nil
	}
	c, err := a.tokens.Verify(ctx, tok, a.issuer)
	if errors.Is(err, jwt.ErrInvalid) {
		return nil, reasonTokenPfx + strings.TrimPrefix(err.Error(), "jwt: "), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("verify access token: %w", err)
	}
	if c.SessionID == "" {
		return nil, reasonNoSession, nil
	}
	p, err := a.sessions.VerifiedSession(ctx, c.Subject, c.SessionID)
	if errors.Is(err, user.ErrUnauthenticated) {
		return nil, reasonNotLive, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read session: %w", err)
	}
	return p, "", nil
}

// bearerToken reads "Bearer <token>" (the scheme in any case, RFC 9110); the token is one
// run of characters without spaces or commas (a comma means two Authorization headers
// joined).
func bearerToken(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimLeft(tok, " ")
	if tok == "" || strings.ContainsAny(tok, " \t,") || len(tok) > jwt.MaxSize {
		return "", false
	}
	return tok, true
}

// headerValue is the value of a header named name (lower case) in any case: a REST API
// keeps the client's case, an HTTP API lowers it.
func headerValue(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// stageResource widens a methodArn (arn:…:execute-api:region:account:api/stage/VERB/path)
// to every method of its stage. The decision does not depend on the route, and with the
// authorizer cache on API Gateway reuses one answer for every route the token calls: a
// policy naming only the first would refuse the others.
func stageResource(methodArn string) string {
	i := strings.LastIndexByte(methodArn, ':')
	if i < 0 {
		return methodArn
	}
	parts := strings.SplitN(methodArn[i+1:], "/", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return methodArn
	}
	return methodArn[:i+1] + parts[0] + "/" + parts[1] + "/*"
}

// authContext is what the client's API receives about the caller: in a REST API's
// $context.authorizer.<key> (event.requestContext.authorizer.<key> of a Lambda proxy), in an
// HTTP API's $context.authorizer.<key> (event.requestContext.authorizer.lambda.<key>).
// Strings only, as a REST API requires.
func authContext(p *user.Principal) map[string]any {
	return map[string]any{
		"user_id":        p.User.ID,
		"role":           p.User.Role,
		"session_id":     p.Session.ID,
		"email_verified": strconv.FormatBool(p.User.EmailVerified),
	}
}
