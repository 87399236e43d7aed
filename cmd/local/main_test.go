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
	if c.apiPort != 3100 || c.s3Port != 9100 || c.dynamoPort != 8000 || c.sesPort != 8005 || c.kmsPort != 8006 || !c.fresh || c.dataDir != "/tmp/data" ||
		c.kmsDir != filepath.Join(".local", "kms") {
		t.Errorf("got %+v, want API 3100 (env), S3 9100 (flag), DynamoDB 8000, SES 8005 and KMS 8006 (defaults), fresh, /tmp/data, .local/kms", c)
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

func TestRemoveKMSData(t *testing.T) {
	dir := t.TempDir()
	kms, other := filepath.Join(dir, "kms"), filepath.Join(dir, "other")
	for _, d := range []string{kms, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(kms, "CURRENT"), []byte("MANIFEST-000001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{kms, other, filepath.Join(dir, "missing")} {
		if err := removeKMSData(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(kms); !os.IsNotExist(err) {
		t.Errorf("LevelDB folder: got %v, want it removed", err)
	}
	if _, err := os.Stat(filepath.Join(other, "keep.txt")); err != nil {
		t.Errorf("a folder that is no LevelDB: got %v, want it kept", err)
	}
}
