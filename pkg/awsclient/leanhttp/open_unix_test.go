//go:build unix

package leanhttp

import (
	"net"
	"syscall"
	"testing"
)

// waitReadable blocks until c's socket has something to read (bytes or end of file),
// without reading it.
func waitReadable(t *testing.T, c net.Conn) {
	t.Helper()
	raw, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var buf [1]byte
	raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN // false: wait until readable, then ask again
	})
}

// tcpPair is a connected pair of TCP connections on 127.0.0.1.
func tcpPair(t *testing.T) (client, server net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if server, err = l.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestOpen(t *testing.T) {
	c, s := tcpPair(t)
	if !open(c) {
		t.Error("an idle open connection is not open")
	}
	s.Write([]byte("x"))
	waitReadable(t, c)
	if open(c) {
		t.Error("a connection with unasked bytes is reported usable")
	}

	c, s = tcpPair(t)
	s.Close()
	waitReadable(t, c)
	if open(c) {
		t.Error("a connection the server closed is reported open")
	}
}

// The pool never hands out a connection the server has closed.
func TestTakeSkipsClosedConnections(t *testing.T) {
	srv := newServer(t, echo)
	c := newClient()
	call(t, c, srv.URL, "a")
	srv.CloseClientConnections()
	var key string
	for k, list := range c.idle {
		key = k
		waitReadable(t, list[0].Conn)
	}
	if cn := c.take(key); cn != nil {
		t.Error("take handed out a connection the server closed")
	}
}
