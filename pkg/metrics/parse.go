package metrics

import (
	"encoding/json"
	"fmt"
)

// Point is one metric value an EMF line carries, as CloudWatch extracts it.
type Point struct {
	Namespace string
	Name      string
	Value     float64
	// Dimensions are the dimension sets of the value, each with the values the line gives.
	Dimensions []map[string]string
	Timestamp  int64 // milliseconds since the epoch
}

// Parse reads the metric values of one EMF line, checked as CloudWatch checks them: the
// _aws member with a timestamp and directives, and every dimension and metric a directive
// names present on the root with a string or number. A line that is not EMF (a plain log
// line) gives nil and no error; a line with an _aws member that is wrong gives an error.
func Parse(line []byte) ([]Point, error) {
	var root map[string]json.RawMessage
	if json.Unmarshal(line, &root) != nil {
		return nil, nil
	}
	raw, ok := root["_aws"]
	if !ok {
		return nil, nil
	}
	var meta struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("emf: _aws: %w", err)
	}
	if meta.Timestamp == nil || len(meta.CloudWatchMetrics) == 0 {
		return nil, fmt.Errorf("emf: _aws lacks Timestamp or CloudWatchMetrics: %s", raw)
	}
	var out []Point
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace == "" || len(d.Metrics) == 0 {
			return nil, fmt.Errorf("emf: a directive without namespace or metrics: %s", raw)
		}
		var sets []map[string]string
		for _, set := range d.Dimensions {
			vals := map[string]string{}
			for _, name := range set {
				var v string
				if err := json.Unmarshal(root[name], &v); err != nil {
					return nil, fmt.Errorf("emf: dimension %s is not a string member of the root", name)
				}
				vals[name] = v
			}
			sets = append(sets, vals)
		}
		for _, m := range d.Metrics {
			var v float64
			if err := json.Unmarshal(root[m.Name], &v); err != nil {
				return nil, fmt.Errorf("emf: metric %s is not a number member of the root", m.Name)
			}
			out = append(out, Point{Namespace: d.Namespace, Name: m.Name, Value: v, Dimensions: sets, Timestamp: *meta.Timestamp})
		}
	}
	return out, nil
}
