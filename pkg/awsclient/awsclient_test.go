package awsclient

import "testing"

// The template declares the endpoint overrides empty for sam local's env.json: empty must
// mean none, as an unset variable does.
func TestEndpointEmptyIsNone(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
	if e := Endpoint("AWS_ENDPOINT_URL_DYNAMODB"); e != nil {
		t.Errorf("empty variable: endpoint %q, want none", *e)
	}
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
	if e := Endpoint("AWS_ENDPOINT_URL_DYNAMODB"); e == nil || *e != "http://127.0.0.1:8000" {
		t.Errorf("set variable: endpoint %v, want it", e)
	}
}
