package user

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/auth"
	"github.com/userbase/userbase/pkg/mail"
)

// SignInCode is the live sign-in code of an address: one at a time (a new one replaces it),
// kept only as a hash salted with its user's id.
type SignInCode struct {
	Email     string
	UserID    string
	Hash      string
	Tries     int // tries so far, right or wrong
	ExpiresAt time.Time
}

// SignInCodeTries is how many tries one sign-in code takes; the fifth wrong one kills it.
const SignInCodeTries = 5

// signInCodeDigits is the length of a sign-in code: short enough to type from a phone.
const signInCodeDigits = 8

// hashSignInCode is the stored form of code for user id: salted with the id, so one
// precomputed table of the 10^8 codes does not serve every account.
func hashSignInCode(userID, code string) string {
	return auth.HashSecret("signin:" + userID + ":" + code)
}

// newSignInCode is eight uniformly random digits.
func newSignInCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", signInCodeDigits, n.Int64()), nil
}

func validSignInCode(s string) bool {
	return len(s) == signInCodeDigits && strings.Trim(s, "0123456789") == ""
}

// SignInCodeInput asks for a sign-in code by mail.
type SignInCodeInput struct {
	Email           string
	ConfirmationURL string
	Client          Client
}

// SendSignInCode mails a one-time sign-in code to an account's address, replacing any
// earlier one. Like ForgotPassword it answers the same, after the same work, whether or not
// the address has an (active) account: one read, then one write that counts the mail
// limit of the address and, for an account, holds the code and the mail. The code goes out
// alone on a line, and also as a link when a confirmation_url is given: {{code}} in it
// becomes the code and {{email}}, if present, the address.
func (s *Service) SendSignInCode(ctx context.Context, in SignInCodeInput) error {
	var errs apperr.Fields
	email := s.checkEmail(in.Email, "email", &errs)
	if err := errs.Err(); err != nil {
		return err
	}
	link, err := s.linkTemplate(in.ConfirmationURL, "", s.links(ctx).Self)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	u, err := s.store.Account(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	tx := &Tx{Now: now, Limits: []Counter{s.mailLimit(mail.KindSignInCode, email, now)}}
	if u != nil && u.Active && u.Email == email {
		code, err := newSignInCode()
		if err != nil {
			return err
		}
		m, err := s.notice(u, mail.KindSignInCode, u.Email, now)
		if err != nil {
			return err
		}
		exp := now.Add(s.opts.SignInCodeTTL)
		m.Code, m.ExpiresAt = code, exp
		if link != "" {
			m.Link = fillLink(link, code, u.Email, m.Lang)
		}
		tx.SignInCode = &SignInCode{Email: u.Email, UserID: u.ID, Hash: hashSignInCode(u.ID, code), ExpiresAt: exp}
		tx.Mails = []*mail.Mail{m}
	}
	return limitReached(s.store.Apply(ctx, tx), now)
}

// SignInWithCode signs in with a mailed sign-in code. Proving the mailbox also confirms the
// address. With MFA on it answers mfa_required with a token whose first factor is the email
// (MethodEmail), finished at POST /v1/auth/mfa.
//
// Guessing is bounded three ways: each code takes SignInCodeTries tries (counted before the
// code is compared, so parallel tries cannot exceed it); each wrong code is a failed
// sign-in of the account — the lock of password sign-ins, which holds whatever the code —
// or, for an address with no account, of that address exactly as if it had one; and each
// counts against the source address. A wrong, dead or unknown code and an unknown address
// all answer ErrInvalidCode, after the same work: one read, one counted try, one write.
func (s *Service) SignInWithCode(ctx context.Context, email, code string, c Client) (*Auth, error) {
	var errs apperr.Fields
	key := s.checkEmail(email, "email", &errs)
	code = strings.TrimSpace(code)
	if code == "" {
		errs.Add("code", apperr.FieldRequired)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	ip := s.ipFailures(c.IP, now)
	st, err := s.store.LoginView(ctx, key, ip.Key)
	if err != nil {
		return nil, err
	}
	if st.Count >= ip.Max {
		return nil, limited(ip.ExpiresAt.Sub(now))
	}
	u := st.User
	switch {
	case u == nil && st.Failures.LockedUntil.After(now):
		return nil, locked(st.Failures, now)
	case u != nil && u.Failures.LockedUntil.After(now):
		return nil, locked(u.Failures, now)
	}
	cd, err := s.store.TrySignInCode(ctx, key, SignInCodeTries, now)
	if err != nil && !errors.Is(err, ErrInvalidCode) {
		return nil, err
	}
	ok := cd != nil && u != nil && cd.UserID == u.ID && cd.Email == u.Email && validSignInCode(code) &&
		auth.SameHash(cd.Hash, hashSignInCode(u.ID, code))
	if !ok {
		if u == nil {
			err = s.failUnknown(ctx, key, st.Failures, ip, now)
		} else {
			err = s.failLogin(ctx, u, c, ip, now, "wrong_email_code")
		}
		if errors.Is(err, ErrInvalidCredentials) {
			return nil, ErrInvalidCode
		}
		return nil, err
	}
	if !u.Active {
		return nil, apperr.New(apperr.AccountDisabled)
	}
	tx := &Tx{Now: now, UseSignInCode: cd}
	if !u.EmailVerified {
		next := *u
		next.EmailVerified, next.Version, next.UpdatedAt, next.Failures = true, u.Version+1, now, Failures{}
		tx.Save = &Save{Next: &next, Prev: u}
	}
	if u.MFAEnabled {
		err := s.startMFAIn(ctx, u, tx, c, MethodEmail)
		if errors.Is(err, ErrConflict) && tx.Save != nil {
			// The user changed meanwhile; confirming the address can wait.
			err = s.startMFAIn(ctx, u, &Tx{Now: now, UseSignInCode: cd}, c, MethodEmail)
		}
		return nil, err
	}
	a, err := s.signIn(ctx, u, tx, c, MethodEmail)
	if errors.Is(err, ErrConflict) && tx.Save != nil {
		a, err = s.signIn(ctx, u, &Tx{Now: now, UseSignInCode: cd}, c, MethodEmail)
	}
	return a, err
}
