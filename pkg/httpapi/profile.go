package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/profilefields"
	"github.com/userbase/userbase/pkg/user"
)

// profileFields are the profile members a body may carry, shared by every route that
// writes a profile.
type profileFields struct {
	FirstName  *string        `json:"first_name"`
	LastName   *string        `json:"last_name"`
	Phone      *string        `json:"phone"`
	Language   *string        `json:"language"`
	Currency   *string        `json:"currency"`
	Timezone   *string        `json:"timezone"`
	Gender     *string        `json:"gender"`
	BirthDate  *string        `json:"birth_date"`
	Address    *user.Address  `json:"address"`
	Social     *user.Social   `json:"social"`
	Attributes map[string]any `json:"attributes"`
}

func (p profileFields) profile() user.Profile {
	return user.Profile{
		FirstName: p.FirstName, LastName: p.LastName, Phone: p.Phone, Language: p.Language,
		Currency: p.Currency, Timezone: p.Timezone, Gender: p.Gender, BirthDate: p.BirthDate,
		Address: p.Address, Social: p.Social, Attributes: p.Attributes,
	}
}

// ProfileFields serves GET /v1/profile-fields: the built-in fields, then the custom ones
// of the configuration.
func ProfileFields(fields *profilefields.Set) Handler {
	return func(_ context.Context, r *Request) (*Response, error) {
		page, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, pageOf(fields.All(), page)), nil
	}
}
