package leanhttp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// server answers every request with its body echoed, counting connections and requests.
type server struct {
	*httptest.Server
	conns, requests atomic.Int32
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Write(b)
}

// call posts body and returns the answer's body.
func call(t *testing.T, c *Client, url, body string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func TestKeepsTheConnection(t *testing.T) {
	s := newServer(t, echo)
	c := newClient()
	for _, body := range []string{"one", "two", "", "three"} {
		if got := call(t, c, s.URL+"/x", body); got != body {
			t.Fatalf("echo %q: got %q", body, got)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("%d connections for four calls, want one", n)
	}
}

// A body the caller closes unread is drained, so the connection is kept.
func TestBodyClosedUnreadKeepsTheConnection(t *testing.T) {
	s := newServer(t, echo)
	c := newClient()
	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("unread"))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("%d connections, want one", n)
	}
}

// A connection the server closed while idle is noticed before it is used again.
func TestServerClosedIdleConnection(t *testing.T) {
	s := newServer(t, echo)
	c := newClient()
	call(t, c, s.URL, "a")
	s.CloseClientConnections()
	if got := call(t, c, s.URL, "b"); got != "b" {
		t.Fatalf("got %q", got)
	}
	if n, r := s.conns.Load(), s.requests.Load(); n != 2 || r != 2 {
		t.Errorf("%d connections, %d requests; want 2 and 2", n, r)
	}
}

func TestConnectionCloseIsHonoured(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		echo(w, r)
	})
	c := newClient()
	call(t, c, s.URL, "a")
	call(t, c, s.URL, "b")
	if n := s.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the server asked to close each)", n)
	}
}

// rawServer serves HTTP/1.1 by hand: answer says, for the nth request on a connection
// (from 0), whether to answer it or close the connection having read it.
func rawServer(t *testing.T, answer func(conn, n int) bool) (url string, requests *atomic.Int32) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	requests = &atomic.Int32{}
	go func() {
		for conn := 0; ; conn++ {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			go func(conn int) {
				defer nc.Close()
				br := bufio.NewReader(nc)
				for n := 0; ; n++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					requests.Add(1)
					if !answer(conn, n) {
						return
					}
					io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}(conn)
		}
	}()
	return "http://" + l.Addr().String(), requests
}

// A kept connection the server closes on reading the next request (the race the peek
// cannot see) sends the request again on a new connection.
func TestKeptConnectionClosedOnTheNextRequest(t *testing.T) {
	url, requests := rawServer(t, func(conn, n int) bool { return n == 0 })
	c := newClient()
	call(t, c, url, "first")
	if got := call(t, c, url, "second"); got != "ok" {
		t.Fatalf("got %q", got)
	}
	if r := requests.Load(); r != 3 {
		t.Errorf("%d requests reached the server, want 3 (the second twice)", r)
	}
}

// A new connection that fails is the caller's error, never sent again here: the SDK's
// retryer decides.
func TestNewConnectionFailingIsNotRetried(t *testing.T) {
	url, requests := rawServer(t, func(conn, n int) bool { return false })
	c := newClient()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("x"))
	if _, err := c.Do(req); err == nil {
		t.Fatal("no error from a server that hung up")
	}
	if r := requests.Load(); r != 1 {
		t.Errorf("%d requests, want 1", r)
	}
}

func TestCancelInterruptsTheCall(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
	})
	defer close(release)
	c := newClient()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, strings.NewReader("x"))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Do(req)
		errc <- err
	}()
	<-arrived
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestProxyFallsBackToNetHTTP(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	if _, ok := New().(*http.Client); !ok {
		t.Error("a proxy is configured and the lean client was returned")
	}
	t.Setenv("HTTPS_PROXY", "")
	if _, ok := New().(*Client); !ok {
		t.Error("no proxy and the lean client was not returned")
	}
}

// Over TLS, as on AWS: the server's name is verified and the connection kept.
func TestTLS(t *testing.T) {
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(echo))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	untrusting := newClient()
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("x"))
	if _, err := untrusting.Do(req); err == nil {
		t.Fatal("a certificate from an unknown authority was accepted")
	}
	c := newClient()
	c.tls.RootCAs = s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	for _, body := range []string{"a", "b"} {
		if got := call(t, c, s.URL, body); got != body {
			t.Fatalf("got %q", got)
		}
	}
	if n := s.conns.Load(); n != 2 {
		t.Errorf("%d TLS connections for the refused call and two calls, want two", n)
	}
}
