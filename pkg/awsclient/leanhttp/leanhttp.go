// Package leanhttp is an HTTP/1.1 client for the SDK's calls to DynamoDB that does its
// work on the caller's goroutine.
//
// net/http's Transport gives each connection a reader and a writer goroutine and hands
// every request and response between them over channels: on a function that makes one or
// two small calls per invocation, that hand-off was a quarter of a warm request's CPU
// (make bench, the invocation profile). Here a call writes its request and reads the
// response itself, on a kept-alive connection taken from a small pool; what the
// background reader did for an idle connection (noticing the server closed it) is one
// non-blocking peek before the connection is used again.
//
// It implements what the SDK needs and no more: no proxies (Client falls back to the
// standard transport when one is configured), no HTTP/2, no redirects, no transparent
// compression (the SDK asks DynamoDB for identity encoding), no 100-continue.
package leanhttp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// Timeouts of a new connection, as the SDK's default transport has them.
const (
	dialTimeout      = 30 * time.Second
	handshakeTimeout = 10 * time.Second
	// idleTimeout closes a connection kept longer than this: the server will soon.
	idleTimeout = 90 * time.Second
	// maxIdle bounds the connections kept per host; Lambda runs one call at a time.
	maxIdle = 4
	// drainLimit is how much of an unread body Close reads to keep the connection.
	drainLimit = 16 << 10
)

// Client sends requests over kept-alive connections. Its zero value is not usable: use New.
type Client struct {
	dialer net.Dialer
	tls    *tls.Config
	now    func() time.Time

	mu   sync.Mutex
	idle map[string][]*conn // by scheme://host:port, the most recently used last
}

// New is the client for an SDK's HTTPClient option: the lean one, or http.DefaultClient's
// transport when the environment names a proxy (which only net/http implements).
func New() interface {
	Do(*http.Request) (*http.Response, error)
} {
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if os.Getenv(v) != "" {
			return &http.Client{}
		}
	}
	return newClient()
}

func newClient() *Client {
	return &Client{
		dialer: net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		tls:    &tls.Config{MinVersion: tls.VersionTLS12},
		now:    time.Now,
		idle:   map[string][]*conn{},
	}
}

// conn is a connection with its buffers.
type conn struct {
	net.Conn
	key  string
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time // when it was last put back idle
}

// errReused marks a failure to send a request on a kept connection before the server
// answered anything: the server had closed it, and the request can go again on a new one.
type errReused struct{ error }

// Do sends req and returns the response, whose body the caller reads and closes; the
// connection goes back to the pool when the body has been read to its end.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, errors.New("leanhttp: unsupported scheme " + req.URL.Scheme)
	}
	// The body is read once into memory, so the request can be sent again on a new
	// connection; DynamoDB's requests are a few kilobytes.
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	resp, err := c.send(req, body, true)
	var reused errReused
	if errors.As(err, &reused) {
		resp, err = c.send(req, body, false)
	}
	return resp, err
}

// send writes the request on a connection (a kept one if reuse) and reads the answer's
// head.
func (c *Client) send(req *http.Request, body []byte, reuse bool) (*http.Response, error) {
	ctx := req.Context()
	key := hostKey(req)
	var cn *conn
	if reuse {
		cn = c.take(key)
	}
	kept := cn != nil
	if cn == nil {
		var err error
		if cn, err = c.dial(ctx, req.URL.Scheme, key); err != nil {
			return nil, err
		}
	}
	deadline, _ := ctx.Deadline()
	cn.SetDeadline(deadline)
	// A cancelled context interrupts the call by moving the deadline to the past.
	stop := context.AfterFunc(ctx, func() { cn.SetDeadline(time.Unix(1, 0)) })

	out := req.Clone(ctx)
	out.Body, out.ContentLength = nil, int64(len(body))
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
	}
	err := out.Write(cn.bw)
	if err == nil {
		err = cn.bw.Flush()
	}
	if err != nil {
		return nil, c.fail(ctx, cn, stop, kept, err)
	}
	if _, err := cn.br.Peek(1); err != nil {
		// Not a byte of answer on a kept connection: the server had closed it idle.
		closed := err == io.EOF || errors.Is(err, syscall.ECONNRESET)
		return nil, c.fail(ctx, cn, stop, kept && closed, err)
	}
	resp, err := http.ReadResponse(cn.br, req)
	if err != nil {
		return nil, c.fail(ctx, cn, stop, false, err)
	}
	if resp.StatusCode < 200 {
		// 1xx (100-continue is never asked for) would need a second head.
		return nil, c.fail(ctx, cn, stop, false, errors.New("leanhttp: unexpected informational response "+resp.Status))
	}
	keep := !resp.Close && !req.Close
	if resp.Body == http.NoBody {
		c.done(cn, stop, keep)
		return resp, nil
	}
	resp.Body = &bodyReader{body: resp.Body, c: c, cn: cn, stop: stop, keep: keep}
	return resp, nil
}

// fail closes the connection after a failed exchange; the error is errReused when the
// request may go again on a new connection.
func (c *Client) fail(ctx context.Context, cn *conn, stop func() bool, retry bool, err error) error {
	stop()
	cn.Close()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if retry {
		return errReused{err}
	}
	return err
}

// done ends an exchange: the connection goes back to the pool, or is closed.
func (c *Client) done(cn *conn, stop func() bool, keep bool) {
	if !stop() || !keep { // the context ended: its deadline is in the past
		cn.Close()
		return
	}
	cn.SetDeadline(time.Time{})
	c.put(cn)
}

// take returns a kept connection to key that is still open, or nil.
func (c *Client) take(key string) *conn {
	now := c.now()
	for {
		c.mu.Lock()
		list := c.idle[key]
		if len(list) == 0 {
			c.mu.Unlock()
			return nil
		}
		cn := list[len(list)-1]
		c.idle[key] = list[:len(list)-1]
		c.mu.Unlock()
		if now.Sub(cn.used) < idleTimeout && cn.br.Buffered() == 0 && open(cn.Conn) {
			return cn
		}
		cn.Close()
	}
}

// put keeps an idle connection, closing the oldest one beyond maxIdle.
func (c *Client) put(cn *conn) {
	cn.used = c.now()
	c.mu.Lock()
	list := append(c.idle[cn.key], cn)
	var drop *conn
	if len(list) > maxIdle {
		drop, list = list[0], list[1:]
	}
	c.idle[cn.key] = list
	c.mu.Unlock()
	if drop != nil {
		drop.Close()
	}
}

// dial opens a connection to key (host:port), with TLS for https.
func (c *Client) dial(ctx context.Context, scheme, key string) (*conn, error) {
	addr := key[len(scheme)+3:]
	nc, err := c.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if scheme == "https" {
		host, _, _ := net.SplitHostPort(addr)
		cfg := c.tls.Clone()
		cfg.ServerName = host
		tc := tls.Client(nc, cfg)
		hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	}
	return &conn{Conn: nc, key: key, br: bufio.NewReaderSize(nc, 8<<10), bw: bufio.NewWriterSize(nc, 8<<10)}, nil
}

// hostKey is scheme://host:port of the request's URL.
func hostKey(req *http.Request) string {
	host, port := req.URL.Hostname(), req.URL.Port()
	if port == "" {
		port = "80"
		if req.URL.Scheme == "https" {
			port = "443"
		}
	}
	return req.URL.Scheme + "://" + net.JoinHostPort(host, port)
}

// bodyReader hands the connection back when the body has been read to its end, and
// closes it when the body is closed before that.
type bodyReader struct {
	body  io.ReadCloser
	c     *Client
	cn    *conn
	stop  func() bool
	keep  bool
	ended bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.ended {
		return 0, io.EOF
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.ended = true
		b.c.done(b.cn, b.stop, b.keep)
	} else if err != nil {
		b.ended = true
		b.stop()
		b.cn.Close()
	}
	return n, err
}

// Close reads what little may be left (the SDK has decoded the document, not always
// reached its end) so the connection can be kept, and closes the connection otherwise.
func (b *bodyReader) Close() error {
	if !b.ended {
		io.CopyN(io.Discard, b, drainLimit)
	}
	if !b.ended {
		b.ended = true
		b.stop()
		b.cn.Close()
	}
	return nil
}
