package passkey

import (
	"os/exec"
	"strings"
	"testing"
)

// testOnly are the modules only tests may link: go-webauthn (the oracle) and the virtual
// authenticators. They weigh about 2 MB, which put the passkey functions over the 10 MB
// budget of a bootstrap.
var testOnly = []string{"github.com/go-webauthn/", "github.com/descope/virtualwebauthn"}

func TestNoFunctionLinksTestOnlyModules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../../functions/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, m := range testOnly {
			if strings.HasPrefix(p, m) {
				t.Errorf("a function links %s", p)
			}
		}
	}
}
