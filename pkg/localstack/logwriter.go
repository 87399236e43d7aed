package localstack

import (
	"bytes"
	"io"
	"sync"
)

// syncWriter serialises writes from the many goroutines that share the
// stack's log, so lines never interleave.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// prefixWriter writes whole lines to w, each starting with "[name] ".
type prefixWriter struct {
	mu      sync.Mutex
	prefix  []byte
	w       io.Writer
	partial []byte
}

func newPrefixWriter(name string, w io.Writer) *prefixWriter {
	return &prefixWriter{prefix: []byte("[" + name + "] "), w: w}
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		line := make([]byte, 0, len(p.prefix)+i+1)
		line = append(append(line, p.prefix...), p.partial[:i+1]...)
		p.partial = p.partial[i+1:]
		if _, err := p.w.Write(line); err != nil {
			return len(b), nil // a broken log must not stop the child
		}
	}
	return len(b), nil
}

// logLine writes one line to w, prefixed with name.
func logLine(w io.Writer, name, line string) {
	_, _ = io.WriteString(w, "["+name+"] "+line+"\n")
}

// flush writes a pending unfinished line.
func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) > 0 {
		_, _ = p.w.Write(append(append(append([]byte(nil), p.prefix...), p.partial...), '\n'))
		p.partial = nil
	}
}
