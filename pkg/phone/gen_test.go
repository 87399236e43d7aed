package phone

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedFileIsFresh runs gen.go into a temporary file and compares it
// with the committed metadata_gen.go: after a library upgrade, run
// go generate ./pkg/phone.
func TestGeneratedFileIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out := filepath.Join(t.TempDir(), "metadata_gen.go")
	cmd := exec.Command(goTool, "run", "gen.go", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("metadata_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("metadata_gen.go is stale (%d bytes, generator gives %d): run go generate ./pkg/phone", len(got), len(want))
	}
}
