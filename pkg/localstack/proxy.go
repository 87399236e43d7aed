package localstack

import (
	"fmt"
	"io"
	"net"
	"sync"
)

// TCPProxy forwards connections from its own address to a target and can be
// made unreachable and reachable again, so tests can see what a service
// outage does (the SES emulator, here).
type TCPProxy struct {
	addr   string
	target string

	mu        sync.Mutex
	ln        net.Listener
	conns     map[net.Conn]struct{}
	reachable bool
	closed    bool
	wg        sync.WaitGroup
}

// NewTCPProxy listens on 127.0.0.1:port (0: a free port) and forwards to
// target ("host:port").
func NewTCPProxy(port int, target string) (*TCPProxy, error) {
	ln, err := listen(port)
	if err != nil {
		return nil, err
	}
	p := &TCPProxy{addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	return p, nil
}

// Addr returns the proxy's "127.0.0.1:port".
func (p *TCPProxy) Addr() string { return p.addr }

// URL returns "http://" + Addr().
func (p *TCPProxy) URL() string { return "http://" + p.addr }

// SetReachable(false) closes every open connection and the listener, so new
// connections are refused; SetReachable(true) listens again on the same
// address.
func (p *TCPProxy) SetReachable(ok bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("proxy %s is closed", p.addr)
	}
	if ok == p.reachable {
		return nil
	}
	if !ok {
		p.shutLocked()
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("reopen proxy %s: %w", p.addr, err)
	}
	p.serveLocked(ln)
	return nil
}

// Close stops the proxy and closes every connection.
func (p *TCPProxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.shutLocked()
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

func (p *TCPProxy) serve(ln net.Listener) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serveLocked(ln)
}

func (p *TCPProxy) serveLocked(ln net.Listener) {
	p.ln, p.reachable = ln, true
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(c)
			}()
		}
	}()
}

func (p *TCPProxy) shutLocked() {
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.reachable = false
}

// track registers c as open; it reports false (and closes c) when the proxy
// went unreachable meanwhile.
func (p *TCPProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.reachable {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *TCPProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *TCPProxy) forward(client net.Conn) {
	if !p.track(client) {
		return
	}
	defer p.untrack(client)
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Half-close so the other direction can finish its answer.
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	<-done
}
