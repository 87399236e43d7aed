package user

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/locales"
	"github.com/userbase/userbase/pkg/phone"
	"github.com/userbase/userbase/pkg/profilefields"
)

// Field limits.
const (
	MaxNameLen = 255
	MaxURLLen  = 2048
)

// Profile is the set of profile fields a request may write. A nil pointer is a field the
// request did not send.
type Profile struct {
	FirstName  *string
	LastName   *string
	Phone      *string
	Language   *string
	Currency   *string
	Timezone   *string
	Gender     *string
	BirthDate  *string
	Address    *Address
	Social     *Social
	Attributes map[string]any
}

// apply validates p and writes it into u, collecting every bad field.
func (p *Profile) apply(u *User, now time.Time, errs *apperr.Fields) {
	if p.FirstName != nil {
		u.FirstName = text(*p.FirstName, "first_name", MaxNameLen, errs)
	}
	if p.LastName != nil {
		u.LastName = text(*p.LastName, "last_name", MaxNameLen, errs)
	}
	if p.Language != nil {
		u.Language = ""
		if l := strings.ToLower(strings.TrimSpace(*p.Language)); l != "" {
			if ValidLanguage(l) {
				u.Language = l
			} else {
				errs.Add("language", apperr.FieldInvalidChoice)
			}
		}
	}
	if p.Currency != nil {
		u.Currency = ""
		if c := strings.ToUpper(strings.TrimSpace(*p.Currency)); c != "" {
			if locales.ValidCurrency(c) {
				u.Currency = c
			} else {
				errs.Add("currency", apperr.FieldInvalidChoice)
			}
		}
	}
	if p.Timezone != nil {
		u.Timezone = ""
		if tz := strings.TrimSpace(*p.Timezone); tz != "" {
			if ValidTimezone(tz) {
				u.Timezone = tz
			} else {
				errs.Add("timezone", apperr.FieldInvalidChoice)
			}
		}
	}
	if p.Gender != nil {
		u.Gender = ""
		if g := strings.TrimSpace(*p.Gender); g != "" {
			if slices.Contains(profilefields.Genders(), g) {
				u.Gender = g
			} else {
				errs.Add("gender", apperr.FieldInvalidChoice)
			}
		}
	}
	if p.BirthDate != nil {
		u.BirthDate = ""
		if d := strings.TrimSpace(*p.BirthDate); d != "" {
			t, err := time.Parse(time.DateOnly, d)
			// In the past: before today (UTC), not merely before this moment of it.
			today := now.UTC().Truncate(24 * time.Hour)
			if err != nil || !t.Before(today) || t.Year() < 1900 {
				errs.Add("birth_date", apperr.FieldInvalidFormat)
			} else {
				u.BirthDate = d
			}
		}
	}
	if p.Address != nil {
		u.Address = address(*p.Address, errs)
	}
	if p.Social != nil {
		u.Social = social(*p.Social, errs)
	}
	// After the address: a national number is read in the user's country.
	if p.Phone != nil {
		u.Phone = ""
		if strings.TrimSpace(*p.Phone) != "" {
			region := ""
			if u.Address != nil {
				region = u.Address.Country
			}
			ph, ok := phone.Normalize(*p.Phone, region)
			if !ok && region == "" {
				// No country to read it in: the international forms a login takes
				// (00 for +), so every route reads a number alike.
				ph, ok = NormalizePhone(*p.Phone)
			}
			if ok {
				u.Phone = ph
			} else {
				errs.Add("phone", apperr.FieldInvalidPhone)
			}
		}
	}
}

// text is a free-text field as stored: trimmed and NFC-normalized, so that search and
// comparisons see one form of each character. Control characters and the bidirectional
// embeddings, overrides and isolates are refused: put in a mail's greeting or a page, an
// override turns the rest of the line around. Marks (U+200E, U+200F) and joiners, which
// Persian text needs, stay.
func text(s, field string, max int, errs *apperr.Fields) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 || strings.IndexFunc(s, bidiControl) >= 0 {
		errs.Add(field, apperr.FieldInvalidFormat)
		return ""
	}
	s = norm.NFC.String(s)
	if utf8.RuneCountInString(s) > max {
		errs.AddP(field, apperr.FieldTooLong, map[string]any{"max": max})
		return ""
	}
	return s
}

// bidiControl reports whether r embeds, overrides or isolates text direction (U+202A to
// U+202E, U+2066 to U+2069).
func bidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

func address(a Address, errs *apperr.Fields) *Address {
	out := Address{
		State:      text(a.State, "address.state", MaxNameLen, errs),
		City:       text(a.City, "address.city", MaxNameLen, errs),
		District:   text(a.District, "address.district", MaxNameLen, errs),
		Line:       text(a.Line, "address.line", MaxNameLen, errs),
		PostalCode: text(a.PostalCode, "address.postal_code", 32, errs),
	}
	if c := strings.ToUpper(strings.TrimSpace(a.Country)); c != "" {
		if ValidCountry(c) {
			out.Country = c
		} else {
			errs.Add("address.country", apperr.FieldInvalidChoice)
		}
	}
	if out == (Address{}) {
		return nil
	}
	return &out
}

func social(s Social, errs *apperr.Fields) *Social {
	out := Social{
		Website:   link(s.Website, "social.website", errs),
		Instagram: link(s.Instagram, "social.instagram", errs),
		Telegram:  link(s.Telegram, "social.telegram", errs),
		LinkedIn:  link(s.LinkedIn, "social.linkedin", errs),
		Facebook:  link(s.Facebook, "social.facebook", errs),
		Twitter:   link(s.Twitter, "social.twitter", errs),
	}
	if out == (Social{}) {
		return nil
	}
	return &out
}

func link(s, field string, errs *apperr.Fields) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > MaxURLLen {
		errs.AddP(field, apperr.FieldTooLong, map[string]any{"max": MaxURLLen})
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		errs.Add(field, apperr.FieldInvalidURL)
		return ""
	}
	return u.String()
}

// ValidLanguage reports whether l is an ISO 639-1 code GET /v1/locales offers.
func ValidLanguage(l string) bool { return locales.ValidLanguage(l) }

// ValidCountry reports whether c is an ISO 3166-1 alpha-2 country code.
func ValidCountry(c string) bool { return locales.ValidCountry(c) }

// ValidTimezone reports whether tz is an IANA time zone name GET /v1/locales offers.
func ValidTimezone(tz string) bool { return locales.ValidTimezone(tz) }
