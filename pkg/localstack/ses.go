package localstack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

const sesStartTimeout = 30 * time.Second

// SESOptions configures the SES emulator.
type SESOptions struct {
	Port int    // 0: a free port
	Dir  string // the repository root, where node_modules is
	Log  io.Writer
}

// StartSES runs aws-ses-v2-local on 127.0.0.1 and waits until it answers.
// It returns the emulator's URL: its page at / shows the sent mail, GET
// /store lists it as JSON and POST /clear-store empties it. SDK clients may
// use the same URL as their SES endpoint.
func StartSES(ctx context.Context, o SESOptions) (*Process, string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, "", ErrNoNode
	}
	script, err := sesScript(o.Dir)
	if err != nil {
		return nil, "", err
	}
	port, err := pickPort("127.0.0.1", o.Port)
	if err != nil {
		return nil, "", err
	}
	// Its default host is every interface; say 127.0.0.1.
	cmd := exec.Command(node, script, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd.Env = sesEnv()
	p, err := startProcess("ses", cmd, logOrDiscard(o.Log))
	if err != nil {
		return nil, "", err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	ok := func(status int) bool { return status == http.StatusOK }
	if err := waitHTTP(ctx, p, http.MethodGet, url+"/health-check", sesStartTimeout, ok); err != nil {
		p.Stop()
		return nil, "", fmt.Errorf("start aws-ses-v2-local: %w", err)
	}
	return p, url, nil
}

// sesEnv is the environment without SMTP_TRANSPORT, which would make the
// emulator relay every mail to a real SMTP server.
func sesEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMTP_TRANSPORT=") {
			env = append(env, kv)
		}
	}
	return env
}
