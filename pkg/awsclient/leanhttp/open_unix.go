//go:build unix

package leanhttp

import (
	"crypto/tls"
	"net"
	"syscall"
)

// open reports whether an idle connection is still open: a non-blocking peek at its
// socket finds nothing to read. End of file means the server closed it; bytes mean it
// said something unasked (a TLS alert before closing), and the connection is not usable.
func open(c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		alive = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true // done: never wait for the socket to become readable
	})
	return err == nil && alive
}
