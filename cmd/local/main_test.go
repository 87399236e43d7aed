package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseFlags(t *testing.T) {
	t.Setenv("API_PORT", "3100")
	t.Setenv("SES_PORT", "")
	t.Setenv("FRESH", "1")
	t.Setenv("LOCAL_DATA_DIR", "/tmp/data")
	c, err := parseFlags([]string{"-s3-port", "9100"})
	if err != nil {
		t.Fatal(err)
	}
	if c.apiPort != 3100 || c.s3Port != 9100 || c.dynamoPort != 8000 || c.sesPort != 8005 || !c.fresh || c.dataDir != "/tmp/data" {
		t.Errorf("got %+v, want API 3100 (env), S3 9100 (flag), DynamoDB 8000 and SES 8005 (defaults), fresh, /tmp/data", c)
	}

	t.Setenv("DYNAMODB_PORT", "eight thousand")
	if _, err := parseFlags(nil); err == nil {
		t.Error("DYNAMODB_PORT not a number: got no error, want one")
	}
	t.Setenv("DYNAMODB_PORT", "70000")
	if _, err := parseFlags(nil); err == nil {
		t.Error("DYNAMODB_PORT 70000: got no error, want one")
	}
}

func TestRemoveData(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shared-local-instance.db")
	other := filepath.Join(dir, "keep.txt")
	for _, p := range []string{db, other} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeData(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("database file: got %v, want it removed", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("other file: got %v, want it kept", err)
	}
	if err := removeData(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing folder: got %v, want nil", err)
	}
}
