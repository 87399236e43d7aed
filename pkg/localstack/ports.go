package localstack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// listen opens a TCP listener on 127.0.0.1:port (port 0: a free one).
func listen(port int) (net.Listener, error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:%d: %w", port, err)
	}
	return ln, nil
}

// pickPort returns port, or a free one when port is 0, for a child that
// opens the port itself. host is where the child will bind ("" for every
// interface), so the check matches what the child will try.
func pickPort(host string, port int) (int, error) {
	if port != 0 {
		return port, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHTTP polls url until it answers with any HTTP status (ok decides
// whether that status means ready), the child exits, or ctx or the timeout
// ends.
func waitHTTP(parent context.Context, p *Process, method, url string, timeout time.Duration, ok func(status int) bool) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	client := &http.Client{Timeout: 500 * time.Millisecond}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, method, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if ok(resp.StatusCode) {
				return nil
			}
		}
		select {
		case <-p.Done():
			return p.exitError()
		case <-ctx.Done():
			if err := parent.Err(); err != nil {
				return err
			}
			return fmt.Errorf("%s did not answer at %s within %s", p.name, url, timeout)
		case <-tick.C:
		}
	}
}
