package apperr_test

import (
	"testing"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/i18n"
	"github.com/userbase/userbase/pkg/openapitest"
)

// The catalogue, its texts and docs/openapi.yaml say the same.
func TestCatalogueMatchesOpenAPI(t *testing.T) {
	doc, err := openapitest.Load("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	documented, err := doc.ProblemCodes()
	if err != nil {
		t.Fatal(err)
	}
	fields, err := doc.FieldCodes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range apperr.Codes() {
		st, ok := documented[string(c)]
		if !ok {
			t.Errorf("code %s is not in docs/openapi.yaml", c)
			continue
		}
		if st != apperr.Status(c) {
			t.Errorf("code %s: openapi says %d, the catalogue %d", c, st, apperr.Status(c))
		}
		if !i18n.Has("title."+string(c)) || !i18n.Has("detail."+string(c)) {
			t.Errorf("code %s has no localized title or detail", c)
		}
	}
	for _, f := range fields {
		if !i18n.Has("field." + f) {
			t.Errorf("field code %s has no localized message", f)
		}
	}
}
