//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"

	"golang.org/x/crypto/bcrypt"

	"github.com/userbase/userbase/pkg/auth"
)

// importUsers is how many users the import measurement writes.
const importUsers = 1000

var importRateRe = regexp.MustCompile(`([0-9.]+) users/s\s*$`)

// measureImport runs the real `usersctl import` (built here) against a DynamoDB Local of its
// own (one that holds another table with posting items runs transactions several times
// slower), into a fresh table, with importUsers users whose hashes alternate bcrypt and
// argon2id, and returns the users a second it reports.
func measureImport(ctx context.Context, root string) (float64, error) {
	stop, endpoint, db, err := startDynamo(ctx, root)
	if err != nil {
		return 0, err
	}
	defer stop()
	dir, err := os.MkdirTemp("", "bench-import-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "usersctl")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/usersctl")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build usersctl: %v\n%s", err, out)
	}
	table := fmt.Sprintf("userbase-import-%d", os.Getpid())
	if _, err := createTable(ctx, db, filepath.Join(root, "template.yaml"), table); err != nil {
		return 0, err
	}
	// Import checks a hash's shape, not its cost: one hash of each kind serves every line.
	bc, err := bcrypt.GenerateFromPassword([]byte("imported password"), bcrypt.MinCost)
	if err != nil {
		return 0, err
	}
	ar, err := auth.Hasher{MemoryKiB: 64, Iterations: 1, Parallelism: 1}.Hash("imported password")
	if err != nil {
		return 0, err
	}
	var lines bytes.Buffer
	enc := json.NewEncoder(&lines)
	for i := range importUsers {
		h := ar
		if i%2 == 1 {
			h = string(bc)
		}
		rec := map[string]any{"email": fmt.Sprintf("imported.user%04d@example.com", i), "password_hash": h,
			"first_name": searchFirst[i%len(searchFirst)], "last_name": searchLast[i%len(searchLast)]}
		if err := enc.Encode(rec); err != nil {
			return 0, err
		}
	}
	file := filepath.Join(dir, "users.jsonl")
	if err := os.WriteFile(file, lines.Bytes(), 0o600); err != nil {
		return 0, err
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, bin, "--local", "--table", table, "import", "--workers", "8", file)
	cmd.Env = append(os.Environ(), "DYNAMODB_PORT="+u.Port())
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("usersctl import: %v\n%s", err, out)
	}
	m := importRateRe.FindSubmatch(bytes.TrimSpace(out))
	if m == nil {
		return 0, fmt.Errorf("usersctl import: no rate in its output:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// measureImportOnly is the import rate alone (bench -only import).
func measureImportOnly(ctx context.Context, root string) *section {
	s := &section{title: "usersctl import rate (DynamoDB Local, in memory)"}
	rate, err := measureImport(ctx, root)
	if err != nil {
		s.err = err
		return s
	}
	s.note("usersctl import: %d users (half bcrypt, half argon2id hashes; one transaction each; the search postings are the stream's to write, not timed here) at %.1f users/s.",
		importUsers, rate)
	return s
}
