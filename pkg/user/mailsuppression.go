package user

import (
	"context"
	"errors"
)

// Security events of mail suppression. SES reports a permanent bounce or a complaint; the
// address is then marked and the mailer sends it nothing more, recording each mail it
// skips on the user whose address it is; an admin can clear the mark.
const (
	EventMailSuppressed         = "mail_suppressed"
	EventMailSuppressionCleared = "mail_suppression_cleared"
)

// MailSuppressions clears the marks that stop mail to addresses (pkg/store implements it;
// the mail-feedback function sets them).
type MailSuppressions interface {
	// ClearMailSuppression removes the marks of addresses and records ev when there was
	// one; it reports whether there was.
	ClearMailSuppression(ctx context.Context, addresses []string, ev *Event) (bool, error)
}

// errNoSuppressions is a service built without MailSuppressions asked to clear a mark: a
// wiring mistake.
var errNoSuppressions = errors.New("user: no mail suppressions configured")

// ClearMailSuppression lets mail reach user id's addresses again, the email and any pending
// new one, for an admin; a mark cleared is recorded as an event of the user. It reports
// whether there was a mark. An unknown user is ErrUserNotFound.
func (s *Service) ClearMailSuppression(ctx context.Context, admin *Principal, id string, c Client) (bool, error) {
	if s.opts.MailSuppressions == nil {
		return false, errNoSuppressions
	}
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return false, err
	}
	addresses := []string{u.Email}
	if u.PendingEmail != "" {
		addresses = append(addresses, u.PendingEmail)
	}
	ev, err := s.event(u.ID, EventMailSuppressionCleared, s.now().UTC(), c, map[string]string{"by": admin.User.ID})
	if err != nil {
		return false, err
	}
	return s.opts.MailSuppressions.ClearMailSuppression(ctx, addresses, ev)
}
