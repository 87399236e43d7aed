package mail

import (
	"fmt"
	"html"
	"strings"
)

// tmpl is the little template language the mails use: {{.Field}}, and
// {{if .Field}}…{{else}}…{{end}} on whether a field is set. It exists instead of
// text/template because executing text/template calls reflect's MethodByName, which makes
// the linker keep every method of every client the mailer holds: megabytes of unused SES
// and DynamoDB operations in its binary.
type tmpl []node

type node struct {
	text  string // literal text, when field is ""
	field string // a field to print, or the condition of an if
	then  tmpl   // for an if
	els   tmpl
	isIf  bool
}

// parseTmpl reads a template; unknown actions are errors, so a typo fails the tests.
func parseTmpl(s string) (tmpl, error) {
	t, rest, end, err := parseNodes(s)
	if err != nil {
		return nil, err
	}
	if end != "" || rest != "" {
		return nil, fmt.Errorf("unexpected {{%s}}", end)
	}
	return t, nil
}

// parseNodes reads until the end of s or an {{else}}/{{end}}, which it returns.
func parseNodes(s string) (t tmpl, rest, end string, err error) {
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			return append(t, node{text: s}), "", "", nil
		}
		if i > 0 {
			t = append(t, node{text: s[:i]})
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, "", "", fmt.Errorf("unclosed action in %q", s[i:])
		}
		action := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+2:]
		switch {
		case action == "else" || action == "end":
			return t, s, action, nil
		case strings.HasPrefix(action, "if ."):
			n := node{isIf: true, field: strings.TrimPrefix(action, "if .")}
			var end string
			if n.then, s, end, err = parseNodes(s); err != nil {
				return nil, "", "", err
			}
			if end == "else" {
				if n.els, s, end, err = parseNodes(s); err != nil {
					return nil, "", "", err
				}
			}
			if end != "end" {
				return nil, "", "", fmt.Errorf("{{if .%s}} without {{end}}", n.field)
			}
			t = append(t, n)
		case strings.HasPrefix(action, "."):
			t = append(t, node{field: action[1:]})
		default:
			return nil, "", "", fmt.Errorf("unknown action {{%s}}", action)
		}
	}
	return t, "", "", nil
}

// fields checks that every field the template names exists.
func (t tmpl) fields(known func(string) bool) error {
	for _, n := range t {
		if n.field != "" && !known(n.field) {
			return fmt.Errorf("unknown field .%s", n.field)
		}
		if err := n.then.fields(known); err != nil {
			return err
		}
		if err := n.els.fields(known); err != nil {
			return err
		}
	}
	return nil
}

// exec writes the template with values from get, each passed through esc.
func (t tmpl) exec(b *strings.Builder, get func(string) string, esc func(field, value string) string) {
	for _, n := range t {
		switch {
		case n.isIf && get(n.field) != "":
			n.then.exec(b, get, esc)
		case n.isIf:
			n.els.exec(b, get, esc)
		case n.field != "":
			b.WriteString(esc(n.field, get(n.field)))
		default:
			b.WriteString(n.text)
		}
	}
}

func plain(_, s string) string { return s }

// escapeHTML escapes every value but the layout's Body, which is the already escaped body.
func escapeHTML(field, s string) string {
	if field == "Body" {
		return s
	}
	return html.EscapeString(s)
}
