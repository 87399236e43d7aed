// Command local runs the whole application on this machine (make local):
// DynamoDB Local, an S3 server, the SES emulator and KMS, the table, bucket,
// KMS key and custom resources of template.yaml, and the API served the way API Gateway serves it, every
// route running its function's own built bootstrap binary (.build/host, which make local
// builds first with scripts/build-functions.sh host); Ctrl-C stops everything.
//
// Ports and folders come from flags or the environment: API_PORT (3000),
// DYNAMODB_PORT (8000), S3_PORT (9000), SES_PORT (8005), KMS_PORT (8006),
// LOCAL_DATA_DIR (.local/dynamodb) and LOCAL_KMS_DIR (.local/kms), both kept
// between runs; -fresh or FRESH=1 starts with both empty.
// With ADMIN_EMAIL and ADMIN_PASSWORD set, the admin account is made sure of.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/userbase/userbase/pkg/localstack"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// config is what the flags and the environment say.
type config struct {
	dir                                           string
	apiPort, dynamoPort, s3Port, sesPort, kmsPort int
	dataDir, kmsDir                               string
	fresh                                         bool
}

func parseFlags(args []string) (config, error) {
	var c config
	var envErrs []error
	envInt := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			envErrs = append(envErrs, fmt.Errorf("%s=%q is not a number", name, v))
		}
		return n
	}
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.StringVar(&c.dir, "dir", ".", "repository root (template.yaml, node_modules, .build/host)")
	fs.IntVar(&c.apiPort, "api-port", envInt("API_PORT", localstack.DefaultAPIPort), "API port (env API_PORT)")
	fs.IntVar(&c.dynamoPort, "dynamodb-port", envInt("DYNAMODB_PORT", localstack.DefaultDynamoPort), "DynamoDB Local port (env DYNAMODB_PORT)")
	fs.IntVar(&c.s3Port, "s3-port", envInt("S3_PORT", localstack.DefaultS3Port), "S3 port (env S3_PORT)")
	fs.IntVar(&c.sesPort, "ses-port", envInt("SES_PORT", localstack.DefaultSESPort), "SES emulator port (env SES_PORT)")
	fs.IntVar(&c.kmsPort, "kms-port", envInt("KMS_PORT", localstack.DefaultKMSPort), "KMS (local-kms) port (env KMS_PORT)")
	fs.StringVar(&c.kmsDir, "kms-data-dir", envString("LOCAL_KMS_DIR", filepath.Join(".local", "kms")), "where local-kms keeps its keys between runs (env LOCAL_KMS_DIR)")
	fs.StringVar(&c.dataDir, "data-dir", envString("LOCAL_DATA_DIR", filepath.Join(".local", "dynamodb")), "where DynamoDB Local keeps its data between runs (env LOCAL_DATA_DIR)")
	fs.BoolVar(&c.fresh, "fresh", os.Getenv("FRESH") == "1", "start with an empty table (env FRESH=1)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := errors.Join(envErrs...); err != nil {
		return c, err
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"API_PORT", c.apiPort}, {"DYNAMODB_PORT", c.dynamoPort}, {"S3_PORT", c.s3Port}, {"SES_PORT", c.sesPort}, {"KMS_PORT", c.kmsPort}} {
		if p.v < 0 || p.v > 65535 {
			return c, fmt.Errorf("%s %d is not a port", p.name, p.v)
		}
	}
	return c, nil
}

func run(args []string, out io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(c.dataDir) {
		c.dataDir = filepath.Join(c.dir, c.dataDir)
	}
	if !filepath.IsAbs(c.kmsDir) {
		c.kmsDir = filepath.Join(c.dir, c.kmsDir)
	}
	if c.fresh {
		if err := removeData(c.dataDir); err != nil {
			return err
		}
		// The keys go with the table: its data key is encrypted under them.
		if err := removeKMSData(c.kmsDir); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	st, err := localstack.Start(ctx, localstack.Options{
		Dir:        c.dir,
		APIPort:    c.apiPort,
		DynamoPort: c.dynamoPort,
		S3Port:     c.s3Port,
		SESPort:    c.sesPort,
		KMSPort:    c.kmsPort,
		DataDir:    c.dataDir,
		KMSDataDir: c.kmsDir,
		Parameters: localstack.LocalParameters(),
		Log:        out,
	})
	if err != nil {
		return err
	}
	defer st.Stop()

	// Hook: the admin account, made through the admin CLI's code path.
	if email, password := os.Getenv("ADMIN_EMAIL"), os.Getenv("ADMIN_PASSWORD"); email != "" && password != "" {
		if err := ensureAdmin(ctx, st, email, password); err != nil {
			return fmt.Errorf("admin account %s: %w", email, err)
		}
		fmt.Fprintf(out, "admin account: %s\n", email)
	}

	printURLs(out, st, c, time.Since(start))
	select {
	case <-ctx.Done():
	case err := <-st.ServiceFailure():
		return err
	}
	// A second Ctrl-C now ends the program at once; the kernel still ends
	// the children (they die with their parent on Linux).
	stop()
	fmt.Fprintln(out, "stopping...")
	return nil
}

func printURLs(out io.Writer, st *localstack.Stack, c config, took time.Duration) {
	fmt.Fprintf(out, `
Local stack up in %s.
  API          %s
  DynamoDB     %s   table %s (data in %s; DynamoDB Local listens on every interface)
  S3           %s   bucket %s (in memory)
  SES mail     %s/   sent mail as JSON: %s/store
  SES for SDKs %s
  KMS          %s   keys in %s (local-kms, in process)
  Discovery    %s/.well-known/openid-configuration
Press Ctrl-C to stop.
`, took.Round(time.Millisecond), st.APIURL, st.DynamoEndpoint, st.TableName, c.dataDir,
		st.S3Endpoint, st.BucketName, st.SESURL, st.SESURL, st.SESEndpoint, st.KMSEndpoint, c.kmsDir, st.APIURL)
}

// removeData deletes DynamoDB Local's database file, and only that, so a
// mistyped LOCAL_DATA_DIR cannot cost anything else.
func removeData(dir string) error {
	err := os.Remove(filepath.Join(dir, "shared-local-instance.db"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("fresh start: %w", err)
	}
	return nil
}

// removeKMSData deletes local-kms's LevelDB folder, and only a folder that is one (it
// holds a CURRENT file), so a mistyped LOCAL_KMS_DIR cannot cost anything else.
func removeKMSData(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "CURRENT")); err != nil {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("fresh start: %w", err)
	}
	return nil
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
