package httpapi

import (
	"context"
	"net/http"

	"github.com/userbase/userbase/pkg/user"
)

type eventView struct {
	Type      string            `json:"type"`
	At        string            `json:"at"`
	IP        *string           `json:"ip"`
	UserAgent *string           `json:"user_agent"`
	Detail    map[string]string `json:"detail"`
}

// MyEvents serves GET /v1/me/events.
func MyEvents(svc *user.Service) Handler {
	return WithAuth(svc, func(ctx context.Context, r *Request, p *user.Principal) (*Response, error) {
		page, err := PageOf(r)
		if err != nil {
			return nil, err
		}
		events, err := svc.Events(ctx, p.User.ID)
		if err != nil {
			return nil, err
		}
		return JSON(http.StatusOK, eventsPage(events, page)), nil
	})
}

// eventsPage is one page of a security log.
func eventsPage(events []*user.Event, page Page) listView[eventView] {
	items := make([]eventView, len(events))
	for i, e := range events {
		items[i] = viewEvent(e)
	}
	return pageOf(items, page)
}

func viewEvent(e *user.Event) eventView {
	v := eventView{Type: e.Type, At: timestamp(e.At), IP: opt(e.IP), UserAgent: opt(e.UserAgent), Detail: e.Detail}
	if v.Detail == nil {
		v.Detail = map[string]string{}
	}
	return v
}
