package user

import "context"

// Links are the default link templates of mailed codes, each containing {{code}} ("" mails
// the code alone), and Self, the scheme://host[:port] of the service's own pages, which a
// request's confirmation_url may use besides the allow-list ("" none).
//
// Options.Links gives them per request, because the service's own address is only known
// from the request: a deployment that configures no default mails links to its hosted
// pages at whatever URL it is reached by.
type Links struct {
	Verify, Reset, Revert string
	Self                  string
}

// links returns the links for the request of ctx.
func (s *Service) links(ctx context.Context) Links {
	if s.opts.Links != nil {
		return s.opts.Links(ctx)
	}
	return Links{Verify: s.opts.DefaultVerifyURL, Reset: s.opts.DefaultResetURL, Revert: s.opts.DefaultRevertURL}
}
