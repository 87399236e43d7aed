// Command sdkpatch writes the go.mod the functions are built with: this module's go.mod,
// with each aws-sdk-go-v2 service module it requires replaced by a copy whose legacy
// (v1) endpoint tables are built on first use instead of at package init.
//
//	go run ./cmd/sdkpatch [-dir .build/sdk]   prints the go.mod's path, for go build -modfile
//
// Why: every service module's internal/endpoints package builds its partition table (a map
// per region and variant) and compiles eight regular expressions in its package init, at
// every cold start: 0.4-0.6 ms per service, 1-1.3 ms of a function that links DynamoDB and
// KMS or S3 (make bench, the cold-start section). Those tables serve only the v1
// EndpointResolver, which a client uses when its options name one (NewDefaultEndpointResolver);
// this product's clients resolve through the v2 rules and never read them. The copy differs
// from the module in that one file, and there only in that the two package variables become
// sync.OnceValue functions and their uses calls (rewrite, tested against the SDK's own
// resolver in main_test.go). go test, go vet and the tools build with the SDK as it is.
//
// Run from the repository root. The copies are made once per module version, by a rename
// into place, so builds that run at once (sam build --parallel) can share the folder.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// servicePrefix is the path of aws-sdk-go-v2's service modules; service/internal/* are
// shared helpers with no endpoint tables.
const servicePrefix = "github.com/aws/aws-sdk-go-v2/service/"

// endpointsFile is the generated file of a service module that holds the tables.
const endpointsFile = "internal/endpoints/endpoints.go"

// layout names the copies; bump it when rewrite changes, so that old copies are not reused.
const layout = "lazy1"

func main() {
	dir := flag.String("dir", filepath.Join(".build", "sdk"), "where the copies and the go.mod go")
	flag.Parse()
	path, err := run(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdkpatch:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}

// module is one required module as the go command reports it.
type module struct {
	Path, Version, Dir string
}

// run writes dir/go.mod and dir/go.sum and returns the go.mod's absolute path.
func run(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		return "", fmt.Errorf("run from the repository root: %w", err)
	}
	gosum, err := os.ReadFile("go.sum")
	if err != nil {
		return "", err
	}
	mf, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return "", err
	}
	var services []string
	for _, r := range mf.Require {
		p := r.Mod.Path
		if strings.HasPrefix(p, servicePrefix) && !strings.HasPrefix(p, servicePrefix+"internal/") {
			services = append(services, p+"@"+r.Mod.Version)
		}
	}
	mods, err := download(services)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, m := range mods {
		src, err := os.ReadFile(filepath.Join(m.Dir, endpointsFile))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		lazy, err := rewrite(src)
		if errors.Is(err, errNoTables) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%s@%s: %w", m.Path, m.Version, err)
		}
		dst := filepath.Join(dir, strings.TrimPrefix(m.Path, servicePrefix)+"@"+m.Version+"-"+layout)
		if err := placeCopy(m.Dir, dst, lazy); err != nil {
			return "", fmt.Errorf("%s@%s: %w", m.Path, m.Version, err)
		}
		if err := mf.AddReplace(m.Path, m.Version, dst, ""); err != nil {
			return "", err
		}
	}
	out, err := mf.Format()
	if err != nil {
		return "", err
	}
	modPath := filepath.Join(dir, "go.mod")
	if err := writeAtomic(filepath.Join(dir, "go.sum"), gosum); err != nil {
		return "", err
	}
	if err := writeAtomic(modPath, out); err != nil {
		return "", err
	}
	return modPath, nil
}

// download has the go command fetch mods (from its cache when there) and say where they are.
func download(mods []string) ([]module, error) {
	if len(mods) == 0 {
		return nil, nil
	}
	cmd := exec.Command("go", append([]string{"mod", "download", "-json"}, mods...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go mod download: %w", err)
	}
	var res []module
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var m module
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("go mod download: %w", err)
		}
		if m.Dir == "" {
			return nil, fmt.Errorf("go mod download gave no folder for %s@%s", m.Path, m.Version)
		}
		res = append(res, m)
	}
	return res, nil
}

// placeCopy makes dst a copy of the module in src with endpointsFile replaced by lazy,
// unless an earlier run made it: it is built beside dst and renamed into place.
func placeCopy(src, dst string, lazy []byte) error {
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".tmp-"+filepath.Base(dst)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // left only when the rename failed
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(tmp, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755) // writable, unlike the module cache, so rm -rf works
		}
		var b []byte
		if filepath.ToSlash(rel) == endpointsFile {
			b = lazy
		} else if b, err = os.ReadFile(path); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		if _, statErr := os.Stat(dst); statErr == nil {
			return nil // a build running beside this one placed it first
		}
		return err
	}
	return nil
}

// writeAtomic writes b to path through a rename, so a build reading path never sees half.
func writeAtomic(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
