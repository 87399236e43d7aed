package samtemplate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Lambda's own defaults, used when neither the function nor Globals set them.
const (
	DefaultMemorySize = 128 // MB
	DefaultTimeout    = 3   // seconds
	DefaultBatchSize  = 100 // DynamoDB stream records per invocation
)

// Function is an AWS::Serverless::Function with Globals.Function merged in.
type Function struct {
	LogicalID string
	Folder    string // functions/<Folder>, from the logical ID
	// Properties are the function's own properties over Globals.Function
	// (shallow: a property the function sets replaces the global one).
	Properties map[string]any
	// Environment holds Environment.Variables of Globals and of the function
	// (the function's win), unresolved.
	Environment map[string]any
	MemorySize  int // MB
	Timeout     int // seconds
	Events      []Event
}

// Event is one entry of a function's Events. API and DynamoDB are set for
// those two types; other types keep only their raw Properties.
type Event struct {
	Name       string
	Type       string // "Api", "DynamoDB", "Schedule", ...
	Properties map[string]any
	API        *APIEvent
	DynamoDB   *DynamoDBEvent
}

// APIEvent is an event of type Api: one route of a REST API.
type APIEvent struct {
	Path   string
	Method string // upper case; "ANY" matches every method
	// RestAPIID is the logical ID of the AWS::Serverless::Api, or "" for
	// SAM's implicit API (ServerlessRestApi).
	RestAPIID string
}

// DynamoDBEvent is an event of type DynamoDB: a stream event source mapping.
type DynamoDBEvent struct {
	Stream any // the raw Stream property
	// Table is the logical ID of the table when Stream is
	// !GetAtt <Table>.StreamArn, else "".
	Table                      string
	BatchSize                  int
	StartingPosition           string
	MaximumRetryAttempts       int // -1: until the record expires
	MaximumRecordAgeInSeconds  int // -1: no limit
	BisectBatchOnFunctionError bool
	// FilterPatterns are the JSON patterns of FilterCriteria.Filters; a
	// record passes when any one matches (none: every record passes).
	FilterPatterns        []string
	FunctionResponseTypes []string
	// OnFailure is DestinationConfig.OnFailure.Destination, unresolved (nil
	// when there is no on-failure destination).
	OnFailure any
	Enabled   bool
}

// Functions returns every AWS::Serverless::Function, sorted by logical ID.
func (t *Template) Functions() ([]Function, error) {
	var out []Function
	for _, id := range t.ResourcesOfType(TypeFunction) {
		f, err := t.Function(id)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Function returns the function resource with logical ID id.
func (t *Template) Function(id string) (Function, error) {
	r, ok := t.Resources[id]
	if !ok || r.Type != TypeFunction {
		return Function{}, fmt.Errorf("no %s named %s", TypeFunction, id)
	}
	props := maps.Clone(t.Globals.Function)
	if props == nil {
		props = map[string]any{}
	}
	maps.Copy(props, r.Properties)
	env := map[string]any{}
	maps.Copy(env, mapOf(mapOf(t.Globals.Function["Environment"])["Variables"]))
	maps.Copy(env, mapOf(mapOf(r.Properties["Environment"])["Variables"]))

	f := Function{LogicalID: id, Folder: Folder(id), Properties: props, Environment: env}
	var err error
	if f.MemorySize, err = t.intProperty(props["MemorySize"], DefaultMemorySize); err != nil {
		return Function{}, fmt.Errorf("%s MemorySize: %w", id, err)
	}
	if f.Timeout, err = t.intProperty(props["Timeout"], DefaultTimeout); err != nil {
		return Function{}, fmt.Errorf("%s Timeout: %w", id, err)
	}
	events := mapOf(r.Properties["Events"])
	for _, name := range slices.Sorted(maps.Keys(events)) {
		e, err := t.event(name, mapOf(events[name]))
		if err != nil {
			return Function{}, fmt.Errorf("%s event %s: %w", id, name, err)
		}
		f.Events = append(f.Events, e)
	}
	return f, nil
}

// APIEvents returns the function's events of type Api.
func (f Function) APIEvents() []APIEvent {
	var out []APIEvent
	for _, e := range f.Events {
		if e.API != nil {
			out = append(out, *e.API)
		}
	}
	return out
}

// DynamoDBEvents returns the function's events of type DynamoDB.
func (f Function) DynamoDBEvents() []DynamoDBEvent {
	var out []DynamoDBEvent
	for _, e := range f.Events {
		if e.DynamoDB != nil {
			out = append(out, *e.DynamoDB)
		}
	}
	return out
}

func (t *Template) event(name string, raw map[string]any) (Event, error) {
	e := Event{Name: name, Type: stringOf(raw["Type"]), Properties: mapOf(raw["Properties"])}
	p := e.Properties
	switch e.Type {
	case "Api":
		e.API = &APIEvent{
			Path:      stringOf(p["Path"]),
			Method:    strings.ToUpper(stringOf(p["Method"])),
			RestAPIID: refName(p["RestApiId"]),
		}
		if e.API.Path == "" || e.API.Method == "" {
			return Event{}, fmt.Errorf("an Api event needs Path and Method")
		}
	case "DynamoDB":
		d, err := t.dynamoDBEvent(p)
		if err != nil {
			return Event{}, err
		}
		e.DynamoDB = d
	}
	return e, nil
}

func (t *Template) dynamoDBEvent(p map[string]any) (*DynamoDBEvent, error) {
	d := &DynamoDBEvent{
		Stream:           p["Stream"],
		Table:            getAttResource(p["Stream"], "StreamArn"),
		StartingPosition: stringOf(p["StartingPosition"]),
		OnFailure:        mapOf(mapOf(p["DestinationConfig"])["OnFailure"])["Destination"],
	}
	var err error
	if d.BatchSize, err = t.intProperty(p["BatchSize"], DefaultBatchSize); err != nil {
		return nil, fmt.Errorf("BatchSize: %w", err)
	}
	if d.MaximumRetryAttempts, err = t.intProperty(p["MaximumRetryAttempts"], -1); err != nil {
		return nil, fmt.Errorf("MaximumRetryAttempts: %w", err)
	}
	if d.MaximumRecordAgeInSeconds, err = t.intProperty(p["MaximumRecordAgeInSeconds"], -1); err != nil {
		return nil, fmt.Errorf("MaximumRecordAgeInSeconds: %w", err)
	}
	if d.BisectBatchOnFunctionError, err = t.boolProperty(p["BisectBatchOnFunctionError"], false); err != nil {
		return nil, fmt.Errorf("BisectBatchOnFunctionError: %w", err)
	}
	if d.Enabled, err = t.boolProperty(p["Enabled"], true); err != nil {
		return nil, fmt.Errorf("property Enabled: %w", err)
	}
	for _, rt := range listOf(p["FunctionResponseTypes"]) {
		d.FunctionResponseTypes = append(d.FunctionResponseTypes, stringOf(rt))
	}
	for _, f := range listOf(mapOf(p["FilterCriteria"])["Filters"]) {
		pattern := mapOf(f)["Pattern"]
		switch x := pattern.(type) {
		case string:
			d.FilterPatterns = append(d.FilterPatterns, x)
		case map[string]any:
			// Written as YAML rather than as a JSON string: same pattern.
			b, err := json.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("FilterCriteria: %w", err)
			}
			d.FilterPatterns = append(d.FilterPatterns, string(b))
		default:
			return nil, fmt.Errorf("FilterCriteria: a filter needs a Pattern")
		}
	}
	return d, nil
}

// intProperty reads an integer property that may be a literal or an
// intrinsic over the template's parameter defaults; absent gives def.
func (t *Template) intProperty(v any, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	s, ok, err := t.Resolver(nil, nil).ResolveString(v)
	if err != nil {
		return 0, err
	}
	if !ok {
		return def, nil
	}
	n, ok := intOf(s)
	if !ok {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return n, nil
}

// boolProperty is intProperty for booleans.
func (t *Template) boolProperty(v any, def bool) (bool, error) {
	if v == nil {
		return def, nil
	}
	s, ok, err := t.Resolver(nil, nil).ResolveString(v)
	if err != nil {
		return false, err
	}
	if !ok {
		return def, nil
	}
	b, ok := boolOf(s)
	if !ok {
		return false, fmt.Errorf("%q is not a boolean", s)
	}
	return b, nil
}

// refName returns the logical ID named by {"Ref": id}, or v itself when it
// is a plain string.
func refName(v any) string {
	if m := mapOf(v); m != nil {
		return stringOf(m["Ref"])
	}
	return stringOf(v)
}

// getAttResource returns the resource of {"Fn::GetAtt": [res, attr]} when
// attr is the one asked for, else "".
func getAttResource(v any, attr string) string {
	l := listOf(mapOf(v)["Fn::GetAtt"])
	if len(l) == 2 && stringOf(l[1]) == attr {
		return stringOf(l[0])
	}
	return ""
}
