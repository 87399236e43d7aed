package user

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
)

// AddressKey is the form a source address is counted under by every per-address limit:
// an IPv4 address as it is, an IPv6 address by its /64, since one subscriber commonly
// holds a whole /64 and could otherwise step around any limit.
func AddressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// window is a fixed counting window of length d: its key suffix and its end.
func window(now time.Time, d time.Duration) (int64, time.Time) {
	w := now.Truncate(d)
	return w.Unix(), w.Add(d)
}

// registerLimit is the hourly counter of registrations from one address.
func (s *Service) registerLimit(ip string, now time.Time) Counter {
	w, end := window(now, time.Hour)
	return Counter{Key: fmt.Sprintf("register#%s#%d", AddressKey(ip), w), Max: int64(s.opts.RegisterLimitPerHour), ExpiresAt: end}
}

// ipFailures is the counter of failed sign-ins from one address in the current window.
func (s *Service) ipFailures(ip string, now time.Time) Counter {
	w, end := window(now, s.opts.Throttle.Window)
	return Counter{Key: fmt.Sprintf("loginip#%s#%d", AddressKey(ip), w), Max: int64(s.opts.Throttle.MaxIPFailures), ExpiresAt: end}
}

// resetLimit is the hourly counter of password reset attempts from one address.
func (s *Service) resetLimit(ip string, now time.Time) Counter {
	w, end := window(now, time.Hour)
	return Counter{Key: fmt.Sprintf("reset#%s#%d", AddressKey(ip), w), Max: int64(s.opts.ResetLimitPerHour), ExpiresAt: end}
}

// mailLimit is the hourly counter of one kind of mail to one address. Every kind of mail
// counts, so no route can be used to flood a mailbox.
func (s *Service) mailLimit(kind, address string, now time.Time) Counter {
	return MailCounter(kind, address, now, s.opts.MailLimitPerHour)
}

// MailCounter is the hourly counter of mails of kind to address at now, max a window.
func MailCounter(kind, address string, now time.Time, max int) Counter {
	w, end := window(now, time.Hour)
	return Counter{Key: fmt.Sprintf("mail#%s#%s#%d", kind, address, w), Max: int64(max), ExpiresAt: end}
}

// dailyLimit is the counter of a user's profile changes in the current UTC day.
func (s *Service) dailyLimit(userID string, now time.Time) Counter {
	w, end := window(now, 24*time.Hour)
	return Counter{Key: fmt.Sprintf("profile#%s#%d", userID, w), Max: int64(s.opts.ProfileUpdatesPerDay), ExpiresAt: end}
}

// limitReached turns a write's LimitError into the rate_limited answer, saying when that
// counter frees up; other errors pass through.
func limitReached(err error, now time.Time) error {
	var le *LimitError
	if errors.As(err, &le) {
		return apperr.Limited(le.Counter.ExpiresAt.Sub(now))
	}
	return err
}

// limited is a rate_limited error.
func limited(retry time.Duration) error { return apperr.Limited(retry) }
