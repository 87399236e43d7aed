package samtemplate

import (
	"fmt"
	"maps"
	"strings"
)

// ImplicitAPIID is the logical ID SAM gives the API it creates for Api events
// without a RestApiId.
const ImplicitAPIID = "ServerlessRestApi"

// API is an AWS::Serverless::Api (or SAM's implicit one) with Globals.Api
// merged in.
type API struct {
	LogicalID  string
	Properties map[string]any
	StageName  string // resolved over the parameters' defaults
	// BinaryMediaTypes are media types such as "image/png" or "image/*",
	// with CloudFormation's "~1" escape turned back into "/".
	BinaryMediaTypes []string
	// GatewayResponses by response type ("MISSING_AUTHENTICATION_TOKEN",
	// "DEFAULT_4XX", ...).
	GatewayResponses map[string]GatewayResponse
}

// GatewayResponse is one entry of an Api's GatewayResponses.
type GatewayResponse struct {
	StatusCode int               // 0: the response type's own status
	Headers    map[string]string // static values, quotes removed
	// Mapped are the headers whose value maps a request value, by header name: the mapping
	// expression, such as "method.request.header.Origin".
	Mapped    map[string]string
	Templates map[string]string // body templates by content type
}

// API returns the API with logical ID id; "" or ImplicitAPIID give SAM's
// implicit API, configured by Globals.Api alone.
func (t *Template) API(id string) (API, error) {
	props := maps.Clone(t.Globals.API)
	if props == nil {
		props = map[string]any{}
	}
	if id == "" {
		id = ImplicitAPIID
	}
	if r, ok := t.Resources[id]; ok {
		if r.Type != TypeAPI {
			return API{}, fmt.Errorf("%s is a %s, not an %s", id, r.Type, TypeAPI)
		}
		maps.Copy(props, r.Properties)
	} else if id != ImplicitAPIID {
		return API{}, fmt.Errorf("no %s named %s", TypeAPI, id)
	}
	a := API{LogicalID: id, Properties: props, GatewayResponses: map[string]GatewayResponse{}}
	// Usually !Ref StageName: resolved over the parameter defaults here.
	if st, ok, err := t.Resolver(nil, nil).ResolveString(props["StageName"]); err == nil && ok {
		a.StageName = st
	}
	if a.StageName == "" {
		a.StageName = "Prod" // SAM's stage for the implicit API
	}
	for _, m := range listOf(props["BinaryMediaTypes"]) {
		a.BinaryMediaTypes = append(a.BinaryMediaTypes, strings.ReplaceAll(stringOf(m), "~1", "/"))
	}
	for typ, v := range mapOf(props["GatewayResponses"]) {
		gr, err := gatewayResponse(mapOf(v))
		if err != nil {
			return API{}, fmt.Errorf("%s GatewayResponses %s: %w", id, typ, err)
		}
		a.GatewayResponses[typ] = gr
	}
	return a, nil
}

func gatewayResponse(m map[string]any) (GatewayResponse, error) {
	gr := GatewayResponse{Headers: map[string]string{}, Mapped: map[string]string{}, Templates: map[string]string{}}
	if v, ok := m["StatusCode"]; ok {
		n, ok := intOf(v)
		if !ok {
			return GatewayResponse{}, fmt.Errorf("StatusCode %v is not a number", v)
		}
		gr.StatusCode = n
	}
	for name, v := range mapOf(mapOf(m["ResponseParameters"])["Headers"]) {
		// Static values are written in single quotes ("'application/json'");
		// anything else maps a request value.
		s := scalarString(v)
		if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
			gr.Headers[name] = s[1 : len(s)-1]
		} else if s != "" {
			gr.Mapped[name] = s
		}
	}
	for ct, v := range mapOf(m["ResponseTemplates"]) {
		gr.Templates[ct] = scalarString(v)
	}
	return gr, nil
}
